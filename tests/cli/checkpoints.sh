# Signed checkpoints: made at the end of write commands, checked by Debian's minisign, checked by
# verify against the ledger (rewrites and rollbacks found, with the first entry that can differ),
# verify --against for a checkpoint kept elsewhere, and bad input of every kind.
. "$(dirname "$0")/lib.sh"

make_vault
# init signs the first checkpoint: the init entry and its seal.
[ -f "$T/vault/checkpoints/2" ] && [ -f "$T/vault/checkpoints/2.minisig" ] || fail "init made no checkpoint"
expect_contains "$T/init.out" "checkpoint of 2 entries signed"
(cd "$T/vault" && minisign -Vm checkpoints/2 -p custody.pub) >"$T/out" 2>&1 || { cat "$T/out"; fail "minisign -V"; }
expect_contains "$T/out" "Signature and comment signature verified"
vault_id=$(sed -n 's/^vault: //p' "$T/vault/vault.yaml")
[ "$(sed -n 1p "$T/vault/checkpoints/2")" = "custody/$vault_id" ] || fail "origin"
[ "$(sed -n 2p "$T/vault/checkpoints/2")" = 2 ] || fail "size"
cp "$T/vault/checkpoints/2" "$T/vault/checkpoints/2.minisig" "$T/"   # kept elsewhere

# key add by a legal member ends with a checkpoint; --no-checkpoint skips it.
admit intake field
[ -f "$T/vault/checkpoints/4" ] || fail "key add made no checkpoint"
make_identity data
expect_status 0 as_creator key add --role data "$T/data.age.card" --no-checkpoint
[ ! -e "$T/vault/checkpoints/6" ] || fail "--no-checkpoint made one"

# An intake member's record: no checkpoint, and not a word about it (she can do nothing about it).
expect_status 0 as_member field record --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml"
expect_not_contains "$T/err" "checkpoint"
[ ! -e "$T/vault/checkpoints/8" ] || fail "an intake member signed a checkpoint"
# ... covered by the next one a legal member signs.
expect_status 5 as_member field checkpoint
expect_status 0 as_creator checkpoint
expect_contains "$T/out" "signed checkpoints/8: 8 entries"
expect_contains "$T/out" "not independently timestamped"
expect_status 0 as_creator checkpoint
expect_contains "$T/out" "unchanged checkpoints/8"
(cd "$T/vault" && minisign -Vm checkpoints/8 -p custody.pub) >/dev/null 2>&1 || fail "minisign -V 8"

expect_status 0 as_creator verify
expect_contains "$T/out" "checkpoints: 3 ok, the latest of 8 entries (not independently timestamped)"
expect_status 0 custody --vault "$T/vault" verify
expect_contains "$T/out" "checkpoints: 3 ok"

# verify --against: the kept checkpoint of 2 entries, with a consistency proof to 8.
expect_status 0 as_creator verify --against "$T/2" --json
jq -e '.against.size == 2 and .against.tree_size == 8 and .against.tree_signed and (.against.consistency_proof | length) > 0' \
  "$T/out" >/dev/null || { cat "$T/out"; fail "verify --against --json"; }

# --- bad input: each a specific message and status, the vault unchanged ---
before=$(snapshot "$T/vault")
# a kept checkpoint whose body was altered: its signature fails (status 1)
sed 's/^2$/3/' "$T/2" >"$T/altered"; cp "$T/2.minisig" "$T/altered.minisig"
expect_status 1 as_creator verify --against "$T/altered"
expect_contains "$T/err" "signature"
# malformed: names the line
printf 'custody/%s\n02\nAAAA\n' "$vault_id" >"$T/malformed"; cp "$T/2.minisig" "$T/malformed.minisig"
expect_status 1 as_creator verify --against "$T/malformed"
expect_contains "$T/err" "line 2 (byte 41)"
# no signature beside it
cp "$T/2" "$T/unsigned"
expect_status 1 as_creator verify --against "$T/unsigned"
expect_contains "$T/err" "unsigned.minisig"
# a missing file is bad input
expect_status 3 as_creator verify --against "$T/nothing-here"
# another vault's checkpoint, signed by that vault's key
mkdir "$T/other" && (
  T2=$T/other
  make_passphrase "$T2/p"
  custody key new --out "$T2/o.age" --passphrase-file "$T2/p" --work-factor 10 >/dev/null 2>&1
  custody init --vault "$T2/vault" --identity "$T2/o.age" --passphrase-file "$T2/p" \
    --recovery-out "$T2/r.age" --recovery-passphrase-file "$T2/p" --work-factor 10 >/dev/null 2>&1
) || fail "second vault"
expect_status 1 as_creator verify --against "$T/other/vault/checkpoints/2"
expect_contains "$T/err" "does not verify with the vault key"
# this vault's body signed by another key (the other vault's)
cp "$T/2" "$T/foreign"; cp "$T/other/vault/checkpoints/2.minisig" "$T/foreign.minisig"
expect_status 1 as_creator verify --against "$T/foreign"
expect_contains "$T/err" "does not verify with the vault key"
[ "$before" = "$(snapshot "$T/vault")" ] || fail "a failed check changed the vault"

# A checkpoint file of another vault dropped into checkpoints/: verify names it.
cp "$T/vault" -r "$T/copy"
cp "$T/other/vault/checkpoints/2" "$T/copy/checkpoints/3"
cp "$T/other/vault/checkpoints/2.minisig" "$T/copy/checkpoints/3.minisig"
expect_status 1 custody --vault "$T/copy" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" verify
expect_contains "$T/err" "checkpoints/3"
rm -rf "$T/copy"

# --- history rewritten after checkpoints: back-date entry 5 and re-chain everything after it ---
cp -r "$T/vault" "$T/rewritten"
/usr/bin/python3 - "$T/rewritten" <<'PY'
import hashlib, re, sys
vault = sys.argv[1]
path = vault + "/ledger/000000.jsonl"
lines = open(path, "rb").read().split(b"\n")[:-1]
lines[5] = re.sub(rb'"t":"\d{4}', b'"t":"2019', lines[5])
prev = hashlib.sha256(lines[4]).hexdigest().encode()
for i in range(5, len(lines)):
    lines[i] = re.sub(rb'"prev":"[0-9a-f]{64}"', b'"prev":"' + prev + b'"', lines[i])
    prev = hashlib.sha256(lines[i]).hexdigest().encode()
open(path, "wb").write(b"\n".join(lines) + b"\n")
open(vault + "/ledger/HEAD", "wb").write(b"%d %s\n" % (len(lines) - 1, prev))
PY
# The chain recipe alone cannot tell; the checkpoints can: 4 still agrees, 8 does not.
expect_status 1 custody --vault "$T/rewritten" verify
expect_contains "$T/err" "checkpoints/8 does not match the ledger"
expect_contains "$T/err" "the first entry that can differ is entry 4"
# the copy kept elsewhere of the original checkpoint 8 says the same about the rewritten vault
cp "$T/vault/checkpoints/8" "$T/vault/checkpoints/8.minisig" "$T/"
rm "$T/rewritten/checkpoints/8" "$T/rewritten/checkpoints/8.minisig"
expect_status 1 custody --vault "$T/rewritten" verify --against "$T/8"
expect_contains "$T/err" "were rewritten"

# --- rolled back: the last command's entries removed, HEAD fixed to match ---
cp -r "$T/vault" "$T/rolled"
head -n 6 "$T/vault/ledger/000000.jsonl" >"$T/rolled/ledger/000000.jsonl"
printf '5 %s\n' "$(sed -n 6p "$T/rolled/ledger/000000.jsonl" | tr -d '\n' | sha256sum | cut -d' ' -f1)" \
  >"$T/rolled/ledger/HEAD"
expect_status 1 custody --vault "$T/rolled" verify
expect_contains "$T/err" "truncated (rolled back)"
expect_contains "$T/err" "entry 6 is the first missing"
rm -rf "$T/rolled/checkpoints"
expect_status 1 custody --vault "$T/rolled" verify --against "$T/8"
expect_contains "$T/err" "rolled back"

# A signature whose checkpoint never came (a crash between the two writes) is a note, not a failure.
cp "$T/vault/checkpoints/8.minisig" "$T/vault/checkpoints/9.minisig"
expect_status 0 as_creator verify
expect_contains "$T/err" "checkpoints/9.minisig is not a checkpoint file"
rm "$T/vault/checkpoints/9.minisig"
echo ok
