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
expect_contains "$T/out" "lost their seal"
expect_status 0 as_creator verify
expect_status 0 as_creator log
expect_contains "$T/out" "torn_tail"
echo ok
