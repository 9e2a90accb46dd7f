# custody list (issue 15): filters are checked like forms (an unknown code, population, district or
# period is exit 3 with "did you mean", before anything is written), groups and lower-case quarters
# work as in stats, a terminal gets a header and labels while a pipe keeps its lines, and --json
# carries person_ref and the consent scopes to every role that opens facts.
. "$(dirname "$0")/lib.sh"

make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
admit data data
admit intake intake
as_creator record --form "$CUSTODY_SOURCE/examples/incidents" >/dev/null 2>&1 || fail "record the examples"
total=$(ls "$CUSTODY_SOURCE"/examples/incidents/*.yaml | wc -l)

count() { jq .count "$T/out"; }

# a group is a prefix of whole segments, with or without the old trailing dot
expect_status 0 as_member data list --type violence.sexual --json
sexual=$(count)
[ "$sexual" -gt 0 ] && [ "$sexual" -lt "$total" ] || fail "--type violence.sexual must select some records"
jq -e '[.records[] | [.violence_types[] | startswith("violence.sexual.")] | any] | all' "$T/out" >/dev/null \
  || fail "every record listed under a group holds a code of it"
expect_status 0 as_member data list --type violence.sexual. --json
[ "$(count)" -eq "$sexual" ] || fail "violence.sexual. names the same group as violence.sexual"
expect_status 0 as_member data list --filter violence_type=violence.sexual --json
[ "$(count)" -eq "$sexual" ] || fail "--filter takes what stats takes"

# periods: either case, and a whole year holds the records dated to that year alone
expect_status 0 as_member data list --period 2025-Q3 --json
q3=$(count)
[ "$q3" -gt 0 ] || fail "2025-Q3 must hold records"
expect_status 0 as_member data list --period 2025-q3 --json
[ "$(count)" -eq "$q3" ] || fail "2025-q3 is 2025-Q3"
jq -e '[.records[].month | . >= "2025-07" and . <= "2025-09"] | all' "$T/out" >/dev/null || fail "--period 2025-q3"
expect_status 0 as_member data list --period 2024 --json
jq -e '[.records[].month] | index("2024") != null' "$T/out" >/dev/null || fail "--period 2024 lists a record dated 2024 alone"
expect_status 0 as_member data list --from 2025-Q3 --json
jq -e '[.records[].month | . >= "2025-07"] | all' "$T/out" >/dev/null || fail "--from alone runs to the end"
expect_status 0 as_member data list --filter region=waterfront --json
jq -e '.count > 0 and ([.records[].district | IN("harbour", "dockside", "lighthouse")] | all)' "$T/out" >/dev/null \
  || fail "a region selects its districts"

# unknown codes, populations, districts and periods: exit 3, did you mean, nothing written
before=$(snapshot "$T/vault")
refused() { # EXPECTED-TEXT ARGS...
  local want=$1
  shift
  expect_status 3 as_member data list "$@"
  expect_contains "$T/err" "$want"
}
refused "did you mean violence.sexual?" --type violence.sexuall
refused "did you mean perpetrator.state?" --perpetrator perpetrator.stat
refused "did you mean female?" --population femal
refused "did you mean harbour?" --district harbor
refused "did you mean population?" --filter populaton=female
refused '"2025-Q5" is not a period' --period 2025-Q5
refused '"2025-13" is not a period' --from 2025-13
refused "--to" --from 2025 --to 2025-13
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a refused list must leave the vault unchanged"
expect_status 2 as_member data list --period 2025 --from 2025-01
expect_status 2 as_member data list --filter violence.sexual

# --json: person_ref and consent scopes, as the facts compartment holds them
expect_status 0 as_member data list --json
[ "$(count)" -eq "$total" ] || fail "list must count every record"
jq -e '[.records[] | (.person_ref | length > 0) and (.consent_scopes | length > 0)] | all' "$T/out" >/dev/null \
  || fail "list --json carries person_ref and the consent scopes"
id=$(jq -r '.records[0].id' "$T/out")
listed=$(jq -c '.records[0] | [.person_ref, .consent_scopes]' "$T/out")
expect_status 0 as_member data show "$id" --json
[ "$(jq -c '[.compartments.facts.person.person_ref, .compartments.facts.consent.scopes]' "$T/out")" = "$listed" ] \
  || fail "list gives the facts compartment's person_ref and scopes"
expect_status 5 as_member intake list --json

# piped: the lines scripts read, no header, no labels
expect_status 0 as_member data list --district harbour
[ "$(wc -l <"$T/out")" -gt 0 ] || fail "harbour holds records"
grep -qvE '^[0-9a-f]{12}  ' "$T/out" && { cat "$T/out"; fail "piped lines start with the id"; }
expect_contains "$T/out" "harbour"
expect_not_contains "$T/out" "DISTRICT"
# on a terminal: a header and the labels a person reads
script -qec "'$CUSTODY_BIN' --vault '$T/vault' --identity '$T/data.age' --passphrase-file '$T/data.pass' list --district harbour" \
  /dev/null </dev/null >"$T/tty" 2>&1 || { cat "$T/tty"; fail "list on a terminal"; }
expect_contains "$T/tty" "DISTRICT"
expect_contains "$T/tty" "TYPES OF VIOLENCE"
expect_contains "$T/tty" "Harbour"
expect_contains "$T/tty" "Extortion"
expect_not_contains "$T/tty" "violence.economic.extortion"
echo ok
