# custody record, list and show on every example: roles see what their keys open, batches are all
# or nothing, amendments fold in, and bad forms leave the vault byte for byte unchanged.
. "$(dirname "$0")/lib.sh"

make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
for who in data advocacy intake; do admit "$who" "$who"; done
examples="$CUSTODY_SOURCE/examples/incidents"
count=$(ls "$examples"/*.yaml | wc -l)

# every example, one at a time by the intake member, then the whole directory in one batch
first=$(ls "$examples"/*.yaml | head -1)
expect_status 0 as_member intake record --form "$first"
grep -qE '^[0-9a-f]{32} [0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{3}$' "$T/out" || fail "record must print the new id and its receipt"
one_id=$(cut -d" " -f1 "$T/out")
# the first example again, in the batch: a likely duplicate, recorded only when asked
expect_status 3 as_member intake record --form "$examples"
expect_contains "$T/err" "the same form as record"
expect_status 0 as_member intake record --form "$examples" --allow-duplicate
[ "$(wc -l <"$T/out")" -eq "$count" ] || fail "a directory batch prints one id per form"
# ...and the intake member cannot read any of it back
expect_status 5 as_member intake show "$one_id"
expect_contains "$T/err" "intake"
expect_status 5 as_member intake list

# list: every role that holds facts; filters
expect_status 0 as_member data list --json
[ "$(jq .count "$T/out")" -eq $((count + 1)) ] || fail "list must count every record"
expect_status 0 as_member data list --perpetrator perpetrator.state.police --json
police=$(jq .count "$T/out")
[ "$police" -gt 0 ] && [ "$police" -lt "$count" ] || fail "the perpetrator filter must select some records"
jq -e '[.records[].perpetrators | index("perpetrator.state.police")] | all' "$T/out" >/dev/null \
  || fail "every listed record must match the filter"
expect_status 0 as_member data list --period 2024 --json
jq -e '[.records[].month | startswith("2024")] | all' "$T/out" >/dev/null || fail "--period 2024"
expect_status 0 as_member data list --type violence.sexual. --population transgender --json
jq -e '[.records[] | (.population == "transgender") and ([.violence_types[] | startswith("violence.sexual.")] | any)] | all' \
  "$T/out" >/dev/null || fail "combined filters"
expect_status 3 as_member data list --period 2025-Q5

# show: legal sees all four compartments; data sees facts only, the rest sealed
expect_status 0 as_creator show "${one_id:0:8}" --json
jq -e '.compartments | has("identity") and has("narrative") and has("facts") and has("aggressor")' "$T/out" >/dev/null \
  || fail "legal must see every compartment"
jq -e '.compartments.facts.incident.month and (.compartments.identity.person.names | length > 0)' "$T/out" >/dev/null \
  || fail "legal sees names and the month"
name=$(jq -r '.compartments.identity.person.names[0]' "$T/out")
expect_status 0 as_member data show "$one_id"
expect_contains "$T/out" "identity: sealed"
expect_contains "$T/out" "narrative: sealed"
expect_not_contains "$T/out" "$name"
expect_status 0 as_member data show "$one_id" --json
jq -e '.sealed == ["identity","narrative","aggressor"] and (.compartments | keys == ["facts"])' "$T/out" >/dev/null \
  || fail "data sees facts only"
expect_status 0 as_member advocacy show "$one_id" --json
jq -e '.sealed == ["identity","narrative"]' "$T/out" >/dev/null || fail "advocacy sees facts and aggressor"
expect_status 3 as_creator show 00000000
expect_status 3 as_creator show abc

# amend: show --form gives the record as a form; a corrected form becomes a merge patch
expect_status 0 as_creator show "$one_id" --form
cp "$T/out" "$T/current.json"
jq '.incident.district = "dockside"' "$T/current.json" >"$T/corrected.json"
expect_status 0 as_creator record --amend "$one_id" --form "$T/corrected.json"
expect_status 0 as_creator show "$one_id" --json
jq -e '.compartments.facts.incident.district == "dockside" and (.entries | length) == 2 and .entries[1].type == "amend"' "$T/out" >/dev/null \
  || fail "the amendment must fold into the view"
expect_status 0 as_creator record --amend "$one_id" --form "$T/corrected.json"
expect_contains "$T/err" "nothing was written"
expect_status 5 as_member data record --amend "$one_id" --form "$T/corrected.json"

# bad forms: exit 3, the file and field named, the vault byte for byte unchanged
before=$(snapshot "$T/vault")
bad() { # NAME JQ-FILTER EXPECTED-TEXT
  jq "$2" "$T/current.json" >"$T/bad-$1.json"
  expect_status 3 as_member intake record --form "$T/bad-$1.json"
  expect_contains "$T/err" "bad-$1.json"
  expect_contains "$T/err" "$3"
}
bad vocab '.incident.violence_types = ["violence.nonsense"]' "/incident/violence_types/0"
bad missing 'del(.person.person_ref)' "person_ref"
bad date '.incident.date = "2025-13-40"' "/incident/date"
bad type '.incident.date_approximate = "maybe"' "/incident/date_approximate"
bad extra '.incident.colour = "red"' "colour"
bad consent '.consent.scopes = ["document_only", "publish"]' "document_only"
bad district '.incident.district = "atlantis"' "/incident/district"
printf 'form_version: 1\nincident: [unclosed\n' >"$T/bad-yaml.yaml"
expect_status 3 as_member intake record --form "$T/bad-yaml.yaml"
grep -qE 'bad-yaml.yaml:[0-9]+:[0-9]+: invalid YAML' "$T/err" || { cat "$T/err"; fail "a YAML syntax error names file, line and column"; }
printf 'form_version: 1\nnarrative: {text: "\xff\xfe", language: en}\n' >"$T/bad-utf8.yaml"
expect_status 3 as_member intake record --form "$T/bad-utf8.yaml"
expect_contains "$T/err" "UTF-8"
# a batch with one bad form writes nothing
mkdir "$T/batch"
cp "$examples"/0[1-3]*.yaml "$T/batch/"
cp "$T/bad-vocab.json" "$T/batch/zz-bad.json"
expect_status 3 as_member intake record --form "$T/batch"
expect_contains "$T/err" "zz-bad.json"
[ "$(snapshot "$T/vault")" = "$before" ] || fail "refused forms must leave the vault unchanged"
# error messages name fields, never echo their values
jq '.person.names = ["Canary-Echo-Q1"] | .incident.setting = "Canary-Echo-Q2"' "$T/current.json" >"$T/echo.json"
expect_status 3 as_member intake record --form "$T/echo.json"
expect_not_contains "$T/err" "Canary-Echo"

# JSON Lines batch
for f in "$examples"/0[1-4]*.yaml; do /usr/bin/python3 -c 'import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' "$f"; done >"$T/batch.jsonl"
# (the examples recorded above, now as JSON: the same forms, so likely duplicates)
expect_status 3 as_member intake record --form "$T/batch.jsonl" --json
jq -e '.code == 3 and (.message | test("4 likely duplicates"))' "$T/err" >/dev/null \
  || fail "the same forms as JSON Lines are likely duplicates"
expect_status 0 as_member intake record --form "$T/batch.jsonl" --json --allow-duplicate
jq -e '.type == "recorded" and (.records | length) == 4 and (.records[0].form | endswith("batch.jsonl:1"))' "$T/out" >/dev/null \
  || fail "record --json on a JSON Lines batch"

expect_status 0 as_creator verify --index
expect_contains "$T/out" "index facts: ok"
echo ok
