# docs/verifying.md, run as written: each ```sh block of sections 1-5 against a real vault (a
# timestamped checkpoint, a record with an amendment, its proof), then against tampered copies,
# where each must say what failed. Also custody prove's bad input.
. "$(dirname "$0")/lib.sh"

doc=$CUSTODY_SOURCE/docs/verifying.md
recipe() { # N -> $T/recipe-N.sh, the sh block under "## N."
  sed -n "/^## $1\\./,/^## /p" "$doc" | sed -n '/^```sh$/,/^```$/p' | sed '1d;$d' >"$T/recipe-$1.sh"
  [ -s "$T/recipe-$1.sh" ] || fail "no recipe under \"## $1.\" in docs/verifying.md"
}
for n in 1 2 3 4 5 6; do recipe "$n"; done

make_vault
cp "$T/vault/checkpoints/2" "$T/vault/checkpoints/2.minisig" "$T/"   # kept outside the vault
make_tsa
admit intake field
as_creator record --form "$CUSTODY_SOURCE/examples/incidents" --json >"$T/recorded.json" 2>/dev/null || fail "record"
id=$(jq -r '.records[1].id' "$T/recorded.json")
as_creator show "$id" --form >"$T/form.json" 2>/dev/null || fail "show --form"
sed -i 's/"date_approximate": false/"date_approximate": true/; s/"date_approximate":false/"date_approximate":true/' "$T/form.json"
grep -q '"date_approximate": true' "$T/form.json" || fail "could not change the form"
as_creator record --amend "$id" --form "$T/form.json" >/dev/null 2>&1 || fail "amend"
N=$(ls "$T/vault/checkpoints" | grep -E '^[0-9]+$' | sort -n | tail -n 1)
as_creator checkpoint --tsq "$T/q.tsq" >/dev/null 2>&1 || fail "tsq"
tsa_reply "$T/q.tsq" "$T/r.tsr"
as_creator checkpoint --tsr "$T/r.tsr" >/dev/null 2>&1 || fail "tsr"
expect_status 0 as_creator prove "$id"
cp "$T/out" "$T/proof.json"
[ "$(jq '.entries | length' "$T/proof.json")" = 2 ] || fail "the proof should hold the record and its amendment"

expect_status 0 as_creator verify --against "$T/2"
sed -n '/^kept checkpoint of/,$p' "$T/out" | sed -n 's/^  \([A-Za-z0-9+\/=]\{44\}\)$/\1/p' >"$T/consistency"
[ -s "$T/consistency" ] || { cat "$T/out"; fail "verify --against printed no consistency proof"; }
KEY=$(sed -n 2p "$T/vault/custody.pub")
export KEY N CA="$T/tsa/ca.pem" PROOF="$T/proof.json" OLD="$T/2" CONSISTENCY="$T/consistency"

run() { # DIR RECIPE...: runs recipes in a scratch copy of DIR, output in $T/run.out
  rm -rf "$T/work" && cp -r "$1" "$T/work"
  shift
  for n in "$@"; do
    (cd "$T/work" && sh -eu "$T/recipe-$n.sh") >>"$T/run.out" 2>&1 || { cat "$T/run.out" >&2; fail "recipe $n exited non-zero"; }
  done
}

: >"$T/run.out"
run "$T/vault" 1 2 3 4 5 6
cat "$T/run.out"
expect_contains "$T/run.out" "checkpoint $N extends the kept checkpoint of 2 entries: ok"
expect_contains "$T/run.out" "vault key: ok"
expect_contains "$T/run.out" "checkpoint $N signature: ok"
expect_contains "$T/run.out" "checkpoint $N timestamp: ok"
expect_contains "$T/run.out" "time stamped: "
expect_contains "$T/run.out" "ledger matches checkpoint $N: ok"
expect_contains "$T/run.out" "proof checkpoint signature: ok"
for seq in $(jq -r '.entries[].seq' "$T/proof.json"); do
  expect_contains "$T/run.out" "entry $seq is in checkpoint $N: ok"
done
expect_not_contains "$T/run.out" "FAILED"
expect_not_contains "$T/run.out" "does not"

# Each recipe notices what it is there to notice.
make_identity stranger
mkdir "$T/other"
custody init --vault "$T/other/vault" --identity "$T/stranger.age" --passphrase-file "$T/stranger.pass" \
  --recovery-out "$T/other/r.age" --recovery-passphrase-file "$T/stranger.pass" --work-factor 10 >/dev/null 2>&1 \
  || fail "second vault"
KEY=$(sed -n 2p "$T/other/vault/custody.pub") run "$T/vault" 1 2 5
expect_contains "$T/run.out" "custody.pub is not the lodged key"
expect_contains "$T/run.out" "checkpoint $N signature: FAILED"
expect_contains "$T/run.out" "proof checkpoint signature: FAILED"

: >"$T/run.out"
cp -r "$T/vault" "$T/swapped"
cp "$T/other/vault/checkpoints/2" "$T/swapped/checkpoints/$N"     # another vault's checkpoint in place
run "$T/swapped" 2 3
expect_contains "$T/run.out" "checkpoint $N signature: FAILED"
expect_contains "$T/run.out" "checkpoint $N timestamp: FAILED"

: >"$T/run.out"
cp -r "$T/vault" "$T/backdated"
sed -i '3s/"t":"[0-9]\{4\}/"t":"2019/' "$T/backdated/ledger/000000.jsonl"   # entry 2 back-dated
run "$T/backdated" 4
expect_contains "$T/run.out" "ledger does not match checkpoint $N"

: >"$T/run.out"
# a proof whose first hash was swapped for another
jq --indent 2 '.entries[0].inclusion_proof[0] = .checkpoint.root' "$T/proof.json" >"$T/bad-proof.json"
PROOF=$T/bad-proof.json run "$T/vault" 5
expect_contains "$T/run.out" "the proof does not lead to the checkpoint's root"
# a proof whose line was altered
jq --indent 2 '.entries[1].line |= sub("\"v\":1"; "\"v\":2")' "$T/proof.json" >"$T/bad-line.json"
: >"$T/run.out"
PROOF=$T/bad-line.json run "$T/vault" 5
expect_contains "$T/run.out" "the proof does not lead to the checkpoint's root"

# a consistency proof with a hash swapped, or against a kept checkpoint of another vault
: >"$T/run.out"
awk 'NR == 1 { c = substr($0, 1, 1); $0 = (c == "A" ? "B" : "A") substr($0, 2) } { print }' \
  "$T/consistency" >"$T/bad-consistency"
cmp -s "$T/consistency" "$T/bad-consistency" && fail "the consistency proof was not changed"
CONSISTENCY=$T/bad-consistency run "$T/vault" 6
expect_contains "$T/run.out" "does not extend the kept checkpoint"
: >"$T/run.out"
OLD=$T/other/vault/checkpoints/2 run "$T/vault" 6
expect_contains "$T/run.out" "does not extend the kept checkpoint"

# custody prove's bad input
expect_status 3 as_creator prove 00000000
expect_status 3 as_creator prove "$id" --checkpoint 999
expect_contains "$T/err" "no checkpoint of 999 entries"
expect_status 3 as_creator prove "$id" --checkpoint 2
expect_contains "$T/err" "covered"
expect_status 5 as_member field prove "$id"
echo ok
