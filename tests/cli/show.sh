# custody show (issue 15): several ids at once, --history (who amended, when, why, and each field's
# old and new value, in the compartments the member opens only) and --at SEQ (the record as it was).
. "$(dirname "$0")/lib.sh"

make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
admit data data
examples="$CUSTODY_SOURCE/examples/incidents"
as_creator record --form "$examples/01-police-extortion-harbour.yaml" >"$T/one" 2>/dev/null || fail "record one"
as_creator record --form "$examples/02-unlawful-arrest-condoms.yaml" >"$T/two" 2>/dev/null || fail "record two"
one=$(cut -d" " -f1 "$T/one")
two=$(cut -d" " -f1 "$T/two")

# several ids: one record a line with --json, each named; an unknown one prints nothing
expect_status 0 as_creator show "${one:0:8}" "$two" --json
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "two ids give two JSON lines"
[ "$(jq -r .id "$T/out" | tr '\n' ' ')" = "$one $two " ] || fail "the records come in the order given"
expect_status 0 as_creator show "$one" "$two"
[ "$(grep -c '^record ' "$T/out")" -eq 2 ] || fail "two ids give two records"
expect_status 3 as_creator show "$one" 00000000
[ ! -s "$T/out" ] || fail "an unknown id among several prints nothing"
expect_contains "$T/err" "00000000"

# two corrections of record one: the district with a reason, then the narrative without one
expect_status 0 as_creator show "$one" --json
created=$(jq '.entries[0].seq' "$T/out")
expect_status 0 as_creator show "$one" --form
cp "$T/out" "$T/current.json"
jq '.incident.district = "dockside"' "$T/current.json" >"$T/fix1.json"
expect_status 2 as_creator record --form "$T/fix1.json" --reason "no amend"
expect_status 0 as_creator record --amend "$one" --form "$T/fix1.json" \
  --reason "Canary-Reason-7: she said Dockside, not Harbour"
jq '.narrative.text = "A corrected account."' "$T/fix1.json" >"$T/fix2.json"
expect_status 0 as_creator record --amend "$one" --form "$T/fix2.json"
! grep -rqF "Canary-Reason-7" "$T/vault" || fail "the reason landed on disk unencrypted"
expect_status 3 as_creator record --amend "$one" --form "$T/fix2.json" --reason "$(printf 'bell\a')"

# a legal member: who, when, why, and every field's old and new value
expect_status 0 as_creator show "$one" --history
expect_contains "$T/out" "recorded"
[ "$(grep -c 'amended by' "$T/out")" -eq 2 ] || fail "--history lists both amendments"
expect_contains "$T/out" "(legal)"
expect_contains "$T/out" "reason: Canary-Reason-7: she said Dockside, not Harbour"
expect_contains "$T/out" "facts /incident/district: harbour -> dockside"
expect_contains "$T/out" "narrative /narrative/text:"
expect_contains "$T/out" "after:  A corrected account."
expect_status 0 as_creator show "$one" --history --json
jq -e --arg r "Canary-Reason-7: she said Dockside, not Harbour" '
  (.entries | length) == 3 and .entries[0].changes == []
  and .entries[1].reason == $r and (.entries[1].member | length) > 0
  and ([.entries[1].changes[] | select(.compartment == "facts" and .field == "/incident/district"
        and .before == "harbour" and .after == "dockside")] | length) == 1
  and ([.entries[2].changes[] | select(.compartment == "narrative")] | length) == 1
  and (.entries[2] | has("reason") | not)' "$T/out" >/dev/null || { cat "$T/out"; fail "show --history --json"; }

# a data member: that it was amended, when, by whom, and what changed in facts; never why, never
# what changed in a narrative or a name
expect_status 0 as_member data show "$one" --history
[ "$(grep -c 'amended by' "$T/out")" -eq 2 ] || fail "a data member sees both amendments"
expect_contains "$T/out" "facts /incident/district: harbour -> dockside"
expect_contains "$T/out" "no change in what your keys open"
expect_not_contains "$T/out" "Canary-Reason"
expect_not_contains "$T/out" "narrative /"
expect_not_contains "$T/out" "corrected account"
expect_status 0 as_member data show "$one" --history --json
expect_not_contains "$T/out" "Canary-Reason"
jq -e '[.entries[].changes[] | .compartment] | all(. == "facts")' "$T/out" >/dev/null \
  || fail "a data member's history holds facts changes only"

# --at: the record as it was once an entry was written
expect_status 0 as_creator show "$one" --at "$created" --json
jq -e --argjson at "$created" '.at == $at and (.entries | length) == 1
  and .compartments.facts.incident.district == "harbour"
  and (.compartments.narrative.narrative.text | contains("Usiku"))' "$T/out" >/dev/null \
  || { cat "$T/out"; fail "show --at the recording entry gives the record as recorded"; }
expect_status 0 as_creator show "$one" --history --json
first_fix=$(jq '.entries[1].seq' "$T/out")
expect_status 0 as_creator show "$one" --at "$first_fix"
expect_contains "$T/out" "as it was at entry $first_fix"
expect_contains "$T/out" "incident.district: dockside"
expect_contains "$T/out" "Usiku"
expect_status 0 as_member data show "$one" --at "$created"
expect_contains "$T/out" "incident.district: harbour"
expect_contains "$T/out" "identity: sealed"
expect_status 3 as_creator show "$one" --at $((created - 1))
expect_contains "$T/err" "did not exist"
expect_status 2 as_creator show "$one" --at -1
expect_status 2 as_creator show "$one" "$two" --form

expect_status 0 as_creator verify --index
echo ok
