# `custody record` on a terminal asks for the form field by field (util-linux `script` gives it a
# pty), offers the vocabularies by number, and records only after a final yes.
. "$(dirname "$0")/lib.sh"

make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"

answers() { # CONFIRM
  printf '%s\n' 2025-03-14 n 23:40 "behind the fish market" harbour 1 "1 2" 1 "" P-77 3 \
    "Interactive Canary-Name-K2" "" "" "" "" "" \
    "She was stopped at night by two officers." "They took her money." . en \
    "two officers" "XX 000 A" "" white "" "" "" \
    2025-03-15T08:10:00+03:00 "" "" "" . "2 3" "$1"
}
run_on_pty() { # CONFIRM
  answers "$1" | script -qec "'$CUSTODY_BIN' --vault '$T/vault' --identity '$T/creator.age' --passphrase-file '$T/creator.pass' record" /dev/null >"$T/pty" 2>&1 || true
}

# declining at the end writes nothing
before=$(snapshot "$T/vault")
run_on_pty n
grep -q "abandoned" "$T/pty" || { cat "$T/pty"; fail "declining must abandon the form"; }
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a declined form must leave the vault unchanged"

run_on_pty y
grep -q "Types of violence" "$T/pty" || { cat "$T/pty"; fail "the questions must be asked"; }
grep -q "violence.physical.beating" "$T/pty" || fail "the vocabulary must be offered"
id=$(grep -oE '[0-9a-f]{32}' "$T/pty" | tail -1)
[ -n "$id" ] || { cat "$T/pty"; fail "the new record's id must be printed"; }
expect_status 0 as_creator show "$id" --json
jq -e '.compartments.identity.person.names == ["Interactive Canary-Name-K2"]
       and .compartments.facts.person.population == "transgender"
       and .compartments.facts.incident.violence_types == ["violence.physical.beating", "violence.physical.weapon"]
       and .compartments.facts.consent.scopes == ["legal_action", "anonymised_statistics"]
       and .compartments.facts.response.delay_hours == 8
       and (.compartments.narrative.narrative.text | contains("took her money"))
       and .compartments.aggressor.aggressor.area == "Waterfront"' "$T/out" >/dev/null \
  || { cat "$T/out"; fail "the recorded form must hold the answers"; }
! grep -rqF "Canary-Name-K2" "$T/vault" || fail "the typed name landed on disk unencrypted"

# without a terminal and without --form: usage error, never a hang
expect_status 2 as_creator record
expect_contains "$T/err" "--form"
echo ok
