# custody export --recipe police.yaml and custody approve (issue 16): an anonymous police referral
# of one record leaves only after a second legal member approved exactly its text. The text holds
# the aggressor as reported, the month and the region, and nothing of the person (name, phone,
# reference, narrative, district, day or place); the proposer cannot approve her own proposal, an
# advocacy member cannot approve a police referral, and a record changed since the approval needs a
# new one. Refusals write nothing.
. "$(dirname "$0")/lib.sh"

recipe="$CUSTODY_SOURCE/examples/recipes/police.yaml"
make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
admit legal second
admit advocacy adv
record() { as_creator record --form "$1" 2>/dev/null | cut -d" " -f1; }
form="$CUSTODY_SOURCE/examples/incidents/03-rape-by-client-dockside.yaml"
id=$(record "$form")
other=$(record "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml")
[ -n "$id" ] && [ -n "$other" ] || fail "record"
as_member second list >/dev/null 2>&1 || fail "list as the second legal member"
as_member adv list >/dev/null 2>&1 || fail "list as advocacy"
as_creator show "$id" >/dev/null 2>&1 || fail "show"

# What would leave, shown: the aggressor as reported, the month, the region; nothing of her.
expect_status 0 as_creator export --recipe "$recipe" --dry-run "$id"
cp "$T/out" "$T/text"
expect_contains "$T/text" "Waterfront"
expect_contains "$T/text" "2024-06"
expect_contains "$T/text" "XX 000 B"
expect_contains "$T/text" "+000 722 000 031"
expect_contains "$T/text" "as reported"
for canary in "Zawadi" "Achieng" "+000 722 000 145" "P-0145" "Dockside" "dockside" "road behind" \
  "2024-06-09" "01:15" "Mteja" "PEP" "$id"; do
  expect_not_contains "$T/text" "$canary"
done

# Refusals: nothing written, nothing appended.
before=$(snapshot "$T/vault")
expect_status 1 as_creator export --recipe "$recipe" -o "$T/referral.txt" "$id"
expect_contains "$T/err" "approved"
expect_status 3 as_creator export --recipe "$recipe" --dry-run "$other"
expect_contains "$T/err" "police_anonymous"
expect_status 2 as_creator export --recipe "$recipe" --dry-run "$id" "$other"
expect_status 2 as_creator export --recipe "$recipe" --propose -o "$T/referral.txt" "$id"
printf 'kind: police\norganisation: X\ninclude: [names]\n' >"$T/bad.yaml"
expect_status 3 as_creator export --recipe "$recipe" --dry-run 0000000000000000
expect_status 3 as_creator export --recipe "$T/bad.yaml" --dry-run "$id"
expect_contains "$T/err" "line 3"
expect_status 5 as_member adv export --recipe "$recipe" --dry-run "$id"
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a refused referral changed the vault"
[ ! -e "$T/referral.txt" ] || fail "a refused referral was written"

# The proposal, then approvals: not by its author, not by advocacy; by the second legal member.
expect_status 0 as_creator export --recipe "$recipe" --propose --json "$id"
proposal=$(jq .seq "$T/out")
[ "$(jq -r .content "$T/out")" = "$(cat "$T/text")" ] || fail "the proposal is not the text shown"
expect_status 5 as_creator approve "$proposal" --yes
expect_contains "$T/err" "second member"
expect_status 5 as_member adv approve "$proposal" --yes
expect_status 2 as_member second approve "$proposal"
expect_status 0 as_member second approve "$proposal" --yes --json
jq -e --rawfile t "$T/text" '.content == $t and .proposal == '"$proposal" "$T/out" >/dev/null \
  || fail "approve --json does not show the proposal's content"
expect_status 3 as_member second approve "$proposal" --yes

# Written once approved: exactly the text approved, logged with the proposal and the approval.
expect_status 0 as_creator export --recipe "$recipe" --json -o "$T/referral.txt" "$id"
cmp -s "$T/referral.txt" "$T/text" || fail "the referral written is not the text approved"
jq -e '.proposal == '"$proposal"' and .entry > .approval' "$T/out" >/dev/null || fail "export --json"
expect_status 3 as_creator export --recipe "$recipe" -o "$T/referral.txt" "$id"
as_creator log --json >"$T/log.json" 2>/dev/null || fail "log"
[ "$(grep -c '"kind":"approval"' "$T/log.json")" -eq 1 ] || fail "the log has no approval entry"
[ "$(grep -c '"kind":"export"' "$T/log.json")" -eq 2 ] || fail "the log lacks the proposal or the export"

# A record changed since the approval needs a new one.
sed -e 's/dark green/dark blue/' "$form" >"$T/amended.yaml"
expect_status 0 as_creator record --amend "$id" --form "$T/amended.yaml" --reason "the colour"
expect_status 1 as_creator export --recipe "$recipe" -o "$T/again.txt" "$id"
[ ! -e "$T/again.txt" ] || fail "a changed referral was written on an old approval"
expect_status 0 as_creator verify --deep --index
expect_status 0 as_member adv verify
