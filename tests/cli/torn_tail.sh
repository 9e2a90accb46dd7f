# A crash in the middle of an append leaves a torn tail: reported, writes refused, repaired by
# moving the bytes aside and recording that in the ledger; no complete entry is lost.
. "$(dirname "$0")/lib.sh"

make_vault
make_identity data
make_identity other
as_creator key add --role data "$T/data.age.card" >/dev/null 2>&1 || fail "key add"
segment="$T/vault/ledger/000000.jsonl"
complete=$(stat -c %s "$segment")
entries=$(wc -l <"$segment")
printf '%s' '{"kind":"put","payloads":[{"commit":"ab' >>"$segment"

expect_status 0 as_creator log
[ "$(wc -l <"$T/out")" -eq "$entries" ] || fail "log must show every complete entry"
expect_contains "$T/err" "torn tail"
expect_status 1 as_creator verify
expect_contains "$T/err" "ledger/000000.jsonl byte $complete"
before=$(snapshot "$T/vault")
expect_status 1 as_creator key add --role data "$T/other.age.card"
expect_contains "$T/err" "verify --repair"
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a refused write must leave the vault unchanged"

# only a legal member repairs
expect_status 5 as_member data verify --repair
expect_status 0 as_creator verify --repair
expect_contains "$T/out" "repaired"
[ "$(cat "$T/vault/ledger/000000.torn")" = '{"kind":"put","payloads":[{"commit":"ab' ] || fail "the torn bytes must be kept"
[ "$(wc -l <"$segment")" -eq $((entries + 2)) ] || fail "repair appends a torn_tail entry and its seal"
expect_status 0 as_creator verify
expect_status 0 as_creator log
expect_contains "$T/out" "torn_tail"
expect_status 0 as_creator key add --role data "$T/other.age.card"

# a crash inside the seal line: the command's entry is complete, its seal torn; the repair accounts
# for the unsealed entry, and no other. A crash there comes before the command's checkpoint, hence
# --no-checkpoint: a checkpoint signed over the whole seal line would (rightly) make verify report
# the repaired ledger as rolled back.
make_identity third
expect_status 0 as_creator key add --role intake "$T/third.age.card" --no-checkpoint
size=$(stat -c %s "$segment")
last=$(tail -n1 "$segment" | wc -c)
truncate -s $((size - last / 2)) "$segment"
forget_seen_tips
expect_status 1 as_creator verify
expect_contains "$T/err" "torn tail"
expect_status 0 as_creator verify --repair
# R6: the entry whose seal was torn goes with it: the key add never happened
expect_contains "$T/out" "whose seal the crash tore away"
[ -d "$T/vault/unlisted/keys" ] || fail "the key files of the key add that never happened are set aside"
expect_status 0 as_creator verify
expect_status 5 as_member third list
expect_status 0 as_creator log
expect_contains "$T/out" "torn_tail"

# R6, the review's reproduction: a batch of three forms whose last line (the seal) is torn. After
# the repair none of the three is listed: the batch is all or nothing.
mkdir "$T/three"
for f in 01-police-extortion-harbour 02-unlawful-arrest-condoms 03-rape-by-client-dockside; do
  cp "$CUSTODY_SOURCE/examples/incidents/$f.yaml" "$T/three/"
done
expect_status 0 as_creator list --json
before=$(jq .count "$T/out")
cp "$T/vault/ledger/HEAD" "$T/head"
expect_status 0 as_creator record --no-checkpoint --form "$T/three"
python3 - "$segment" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, 'rb').read().rstrip(b'\n').split(b'\n')
open(p, 'wb').write(b'\n'.join(lines[:-1]) + b'\n' + lines[-1][:len(lines[-1]) // 2])
PY
cp "$T/head" "$T/vault/ledger/HEAD"
forget_seen_tips
expect_status 0 as_creator verify --repair
expect_contains "$T/out" "3 complete entries whose seal the crash tore away"
expect_status 0 as_creator list --json
[ "$(jq .count "$T/out")" -eq "$before" ] || fail "a torn batch must leave none of its records"
expect_status 0 as_creator verify

# R7: the moved-aside bytes are checked against their signed record
torn=$(ls "$T/vault/ledger/" | grep torn | tail -1)
cp "$T/vault/ledger/$torn" "$T/torn.saved"
printf 'x' >>"$T/vault/ledger/$torn"
expect_status 1 as_creator verify
expect_contains "$T/err" "ledger/$torn is not the torn tail its signed repair recorded"
rm "$T/vault/ledger/$torn"
expect_status 1 as_creator verify
expect_contains "$T/err" "ledger/$torn, the torn tail a signed repair moved aside, is missing"
cp "$T/torn.saved" "$T/vault/ledger/$torn"
expect_status 0 as_creator verify

# R2: a repair killed after it copied the bytes aside, before it cut them: the next repair uses
# that copy and finishes
make_torn() {
  cp "$T/vault/ledger/HEAD" "$T/head"
  expect_status 0 as_creator record --no-checkpoint --form "$T/three/01-police-extortion-harbour.yaml"
  size=$(stat -c %s "$segment")
  truncate -s $((size - 20)) "$segment"
  cp "$T/head" "$T/vault/ledger/HEAD"
  forget_seen_tips
}
make_torn
start=$(python3 -c "import sys; b=open(sys.argv[1],'rb').read(); print(b.rindex(b'\n', 0, b.rindex(b'\n')) + 1)" "$segment")
# the name the interrupted repair would have chosen: the first free one
kept=$(ls "$T/vault/ledger" | grep -c torn)
copy=000000.torn.$kept
tail -c +$((start + 1)) "$segment" >"$T/vault/ledger/$copy"
expect_status 0 as_creator verify --repair
expect_contains "$T/out" "ledger/$copy"
[ "$(ls "$T/vault/ledger" | grep -c torn)" -eq $((kept + 1)) ] || fail "the repair must use the copy it had made, not make another"
expect_status 0 as_creator verify
# ...and killed after it cut them, before its signed entry: nothing verifies as lost, writers wait
# for the repair, which records the file
make_torn
start=$(python3 -c "import sys; b=open(sys.argv[1],'rb').read(); print(b.rindex(b'\n', 0, b.rindex(b'\n')) + 1)" "$segment")
tail -c +$((start + 1)) "$segment" >"$T/vault/ledger/000000.torn.$((kept + 1))"
truncate -s "$start" "$segment"
expect_status 1 as_creator verify
expect_contains "$T/err" "000000.torn.$((kept + 1)) holds bytes an interrupted repair moved aside"
expect_status 1 as_creator record --form "$T/three/02-unlawful-arrest-condoms.yaml"
expect_contains "$T/err" "verify --repair"
expect_status 0 as_creator verify --repair
expect_contains "$T/out" "recorded ledger/000000.torn.$((kept + 1))"
expect_status 0 as_creator verify
expect_not_contains "$T/err" "interrupted repair"
expect_status 0 as_creator record --form "$T/three/02-unlawful-arrest-condoms.yaml"
echo ok
