# R1 of the 2026-12 security review, end to end: no file that anyone but a member herself can write
# changes whom she encrypts to, what she signs, or what she reads. An intake, a data and an advocacy
# member, and someone with write access but no custody key, each forge what they can with standard
# tools (age, minisign) or through the library; then the legal member records, attaches, amends,
# signs, lists and shows, and every forgery is refused, ignored or reported.
. "$(dirname "$0")/lib.sh"

make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
admit data dee
admit advocacy ada
admit intake ina
form="$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml"
expect_status 0 as_creator record --form "$form"
id=$(cut -d" " -f1 "$T/out")
expect_status 0 as_creator show "$id"
for who in dee ada; do expect_status 0 as_member "$who" list; done
expect_status 0 as_member ada show "$id"

key_id() { custody key show "$T/$1.age" --passphrase-file "$T/$1.pass" --json | jq -r .key_id; }
recipient() { cut -d' ' -f2 "$T/$1.age.card" | grep '^age1' || grep -o 'age1[0-9a-z]*' "$T/$1.age.card" | head -1; }
legal=$(key_id creator)
legal_age=$(recipient creator)
[ -n "$legal" ] && [ -n "$legal_age" ] || fail "the legal member's key id and recipient"
mine="$T/vault/index/$legal"
[ -f "$mine/state.age" ] && [ -f "$mine/facts.age" ] || fail "the legal member keeps her own caches in index/$legal/"

# --- the forgeries ---
# intake: a state cache for the legal member (anyone can encrypt to her), naming the intake's key
printf 'custody-state-v2\n{"mac":"00","position":1}\n{"compartments":"%s"}\n' "$(recipient ina)" |
  age -r "$legal_age" -o "$mine/state.age"
# data: her own facts shard, valid for her, in place of the legal member's
cp "$T/vault/index/$(key_id dee)/facts.age" "$mine/facts.age"
cp "$T/vault/index/$(key_id dee)/facts.detail.age" "$mine/facts.detail.age"
# advocacy: her own aggressor shard likewise
cp "$T/vault/index/$(key_id ada)/aggressor.age" "$mine/aggressor.age"
cp "$T/vault/index/$(key_id ada)/aggressor.detail.age" "$mine/aggressor.detail.age"
# no custody key: an admin key file in an epoch nobody signed, and her own signing key wrapped to
# the legal member in place of the vault's
age-keygen -o "$T/junk.txt" 2>/dev/null
mkdir -p "$T/vault/keys/admin/99"
age -r "$legal_age" -o "$T/vault/keys/admin/99/$legal.age" "$T/junk.txt"
cp "$T/vault/keys/signing/0/$legal.age" "$T/signing.saved"
minisign -G -W -p "$T/evil.pub" -s "$T/evil.key" >/dev/null
age -r "$legal_age" -o "$T/vault/keys/signing/0/$legal.age" "$T/evil.key"
# no custody key: a checkpoint frontier of her own
printf 'custody-frontier-v1\n1 0 0\n\n%s\n' "$(head -c 32 /dev/urandom | base64)" >"$T/vault/checkpoints/frontier"
# data, through the library: an amendment of the record's names, district and aggressor
expect_status 0 "$CUSTODY_TOOLS/custody_forgetool" amend "$T/vault" "$T/dee.age" "$T/dee.pass" "$id" FORGED-BY-DATA

# --- the legal member's next commands ---
# the swapped signing key signs nothing, and nothing is appended
ledger_before=$(snapshot "$T/vault/ledger")
make_identity newcomer
expect_status 1 as_creator key add --role data "$T/newcomer.age.card"
expect_contains "$T/err" "keys/signing/0/$legal.age"
expect_status 1 as_creator checkpoint
expect_contains "$T/err" "keys/signing/0/$legal.age"
[ "$(snapshot "$T/vault/ledger")" = "$ledger_before" ] || fail "a refused key add or checkpoint must append nothing"
cp "$T/signing.saved" "$T/vault/keys/signing/0/$legal.age"

# records, attaches and amends: every new object opens with the signed key of its compartment
expect_status 0 as_creator record --form "$CUSTODY_SOURCE/examples/incidents/03-rape-by-client-dockside.yaml"
expect_contains "$T/err" "failed its MAC"
second=$(cut -d" " -f1 "$T/out")
expect_status 0 as_creator attach "$second" "$CUSTODY_SOURCE/examples/media/injury.jpg"
# the first command that brings her shards forward (attach checks ids against the record list the
# seals carry, not the shards) meets the data member's amendment
expect_status 0 as_creator show "$id" --form
expect_contains "$T/err" "was not applied"
jq '.incident.district = "dockside"' "$T/out" >"$T/corrected.json"
expect_status 0 as_creator record --amend "$id" --form "$T/corrected.json"
age_decrypt_identity "$T/creator.age" "$T/creator.pass" "$T/creator.txt"
for c in identity narrative facts aggressor; do
  age -d -i "$T/creator.txt" -o "$T/$c.key" "$T/vault/keys/$c/0/$legal.age"
done
age_decrypt_identity "$T/dee.age" "$T/dee.pass" "$T/dee.txt"
object_path() { echo "$T/vault/objects/${1:0:2}/${1:2}"; }
# the last put entries: the amendment (4 payloads) and the attachment (2), whatever their order
tail -n 8 "$T/vault/ledger/000000.jsonl" | jq -c 'select(.kind == "put") | .payloads' >"$T/recent"
[ "$(wc -l <"$T/recent")" -ge 3 ] || fail "expected the new record, the attachment and the amendment"
opened=0
while read -r payloads; do
  n=$(jq length <<<"$payloads")
  for i in $(seq 0 $((n - 1))); do
    obj=$(jq -r ".[$i].obj" <<<"$payloads")
    if [ "$n" -eq 2 ]; then c=identity; else c=$(echo identity narrative facts aggressor | cut -d' ' -f$((i + 1))); fi
    age -d -i "$T/$c.key" -o /dev/null "$(object_path "$obj")" || fail "object $obj does not open with the signed $c key"
    if age -d -i "$T/dee.txt" -o /dev/null "$(object_path "$obj")" 2>/dev/null; then fail "object $obj opens with the data member's own key"; fi
    opened=$((opened + 1))
  done
done <"$T/recent"
[ "$opened" -ge 10 ] || fail "checked only $opened objects"

# signs: the checkpoint verifies with minisign against custody.pub
expect_status 0 as_creator checkpoint
latest=$(ls "$T/vault/checkpoints" | grep -E '^[0-9]+$' | sort -n | tail -1)
minisign -Vm "$T/vault/checkpoints/$latest" -p "$T/vault/custody.pub" >/dev/null || fail "the checkpoint must verify with minisign"

# lists and shows the true record: the data member's amendment is not applied, and said so
expect_status 0 as_creator show "$id" --json
expect_not_contains "$T/out" FORGED-BY-DATA
jq -e '.compartments.facts.incident.district == "dockside"' "$T/out" >/dev/null || fail "the legal amendment applies"
expect_contains "$T/out" "Imani Chebet"
expect_status 0 as_creator list --json
expect_not_contains "$T/out" FORGED-BY-DATA

# reported: the unlisted key file is a note; the forged amendment fails verify --index
expect_status 0 as_creator verify
expect_contains "$T/err" "keys/admin/99/$legal.age is not listed"
expect_status 1 as_creator verify --index
expect_contains "$T/err" "was not applied"
expect_contains "$T/err" "(data)"
# a shard of her own that someone replaced is named by verify --index
cp "$T/vault/index/$(key_id ada)/aggressor.age" "$mine/aggressor.age"
expect_status 1 as_creator verify --index
expect_contains "$T/err" "index/$legal/aggressor.age"
# ...and so is a state cache of her own that someone replaced, by plain verify
printf 'custody-state-v2\n{"mac":"00","position":1}\n{}\n' | age -r "$legal_age" -o "$mine/state.age"
expect_status 1 as_creator verify
expect_contains "$T/err" "your state cache index/$legal/state.age failed its MAC"
expect_status 0 as_creator list
expect_status 0 as_creator verify
echo "ok: every forgery refused, ignored or reported; $opened new objects open with the signed keys"
