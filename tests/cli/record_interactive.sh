# `custody record` on a terminal (an 80x24 pseudo-terminal, tests/cli/pty_steps.py) asks for the
# form question by question: each answer checked as it is typed and asked again with an example when
# wrong, the common forms people type accepted (3 Nov 2026, 11pm, a district by its name, Swahili),
# an ambiguous 03/11/2025 or 10:30 asked about, long lists offered by groups or by typing part of a
# label, `<` back and `?` help, a summary before a final question that records only on yes.
. "$(dirname "$0")/lib.sh"

make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
vault=$T/vault
record_on_pty() { # NAME [OPTIONS...]
  local name=$1
  shift
  on_pty "$name" "$CUSTODY_BIN" --vault "$vault" --identity "$T/creator.age" \
    --passphrase-file "$T/creator.pass" record "$@"
}

# The questions after the account's language, answered as briefly as the form allows.
rest_after_language() {
  cat <<'STEPS'
expect Aggressor: description
send
expect Vehicle plate
send
expect Vehicle make
send
expect Vehicle colour
send
expect Aggressor phone numbers
send
expect Aggressor online handles
send
expect How the aggressor operates
send
expect First contact
send
expect Actions taken
send
expect Referrals
send
expect Outcome
send
expect The team's notes
send .
expect Consent given
send 2
expect More, or Enter when done
send
STEPS
}

cat >"$T/full.steps" <<'STEPS'
expect Incident date:
send ?
expect as precisely as known
expect 2026-11-03 or 3 Nov 2026
expect Incident date:
send the third of Nov
expect not a date custody can read
expect write the date as 2026-11-03 or 3 Nov 2026
expect Incident date:
send 03/11/2025
expect 1) 3 November 2025
expect 2) 11 March 2025
expect Which one?
send 2
expect approximate? [y/N]:
send
expect Time of day (optional):
send 25:00
expect 23:40 or 11pm
expect Time of day (optional):
send 10:30
expect 1) 10:30 (morning)
expect Which one?
send 2
expect Exact place
send behind the fish market
expect District
fits
send gate
expect North Gate
expect Eastgate
expect Number (Enter: back to the whole list):
fits
send
expect Number, or part of a label:
send Harb
expect = Harbour
expect Setting (optional)
send 1
expect Types of violence or violation (one or more)
expect 1) Physical >  Beating or blows
expect Numbers, or part of a label:
fits
send ?1
expect a group of 8
expect Numbers, or part of a label:
send 1
expect Physical:
expect 8) Other physical violence
expect Numbers (Enter: back to the whole list):
fits
send ?2
expect (violence.physical.weapon): A knife, gun, bottle
expect Numbers (Enter: back to the whole list):
send 1 2
expect Chosen: Beating or blows; Attacked or threatened with a weapon
expect More, or Enter when done:
fits
send rob
expect = Robbery or theft
expect More, or Enter when done:
send <
expect Setting (optional)
send
expect Types of violence
expect Chosen: Beating or blows; Attacked or threatened with a weapon; Robbery or th
expect More, or Enter when done:
send
expect Perpetrators (one or more)
fits
send 1
expect State:
send 1
expect Chosen: Police
expect More, or Enter when done:
send
expect Event reference
send
expect Person reference
send
expect This question needs an answer
expect Person reference
send P-77
expect Population
send 3
expect Names
send Zoë Ngʼang'a; Interactive Canary-Name-K2
expect Aliases
send
expect Phone numbers
send
expect E-mail addresses
send
expect ID numbers
send
expect Address
send
expect The account, in the person's words
send She was stopped at night by two officers.
send They took her money.
send .
expect Language of the account:
send Elvish
expect not a language code or name custody knows
expect Language of the account:
send Kiswahili
expect = Swahili (sw)
expect Aggressor: description
send two officers
expect Vehicle plate
send XX 000 A
expect Vehicle make
send
expect Vehicle colour
send white
expect Aggressor phone numbers
send
expect Aggressor online handles
send
expect How the aggressor operates
send
expect First contact
send 2025-03-12 08:10
expect offset from UTC is missing
expect First contact
send 12 Mar 2025 8:10am +03:00
expect = 12 March 2025, 08:10 (+03:00 from UTC)
expect Actions taken
send
expect Referrals
send
expect Outcome
send
expect The team's notes
send .
expect Consent given
send document_only
expect = Record only
expect More, or Enter when done:
send 2
expect document_only cannot be combined with another scope
expect More, or Enter when done:
send -
send 2 3
expect Chosen: Legal action; Anonymised statistics
expect More, or Enter when done:
send
expect Summary (nothing is recorded until you answer yes):
expect 2025-03-11, at 22:30
expect district Harbour
expect Zoë Ngʼang'a
expect Record this incident now?
fits
send
expect Enter alone does neither
expect Record this incident now?
send yes
expect recorded 1 record
STEPS
record_on_pty full
[ "$pty_status" -eq 0 ] || { cat "$T/full.out"; fail "a confirmed form must be recorded (status $pty_status)"; }
id=$(grep -oE '^[0-9a-f]{32}( [0-9A-Z-]{13})?$' "$T/full.out" | tail -1 | cut -c1-32)
[ -n "$id" ] || { cat "$T/full.out"; fail "the new record's id must be printed"; }
expect_status 0 as_creator show "$id" --json
jq -e '.compartments.identity.incident.date == "2025-03-11"
       and .compartments.identity.incident.time == "22:30"
       and .compartments.identity.incident.location == "behind the fish market"
       and .compartments.identity.person.names == ["Zoë Ngʼang'"'"'a", "Interactive Canary-Name-K2"]
       and .compartments.identity.response.first_contact_at == "2025-03-12T08:10:00+03:00"
       and .compartments.facts.incident.district == "harbour"
       and .compartments.facts.incident.setting == "setting.street"
       and .compartments.facts.person.population == "transgender"
       and .compartments.facts.incident.violence_types == ["violence.physical.beating", "violence.physical.weapon", "violence.economic.robbery"]
       and .compartments.facts.incident.perpetrators == ["perpetrator.state.police"]
       and .compartments.facts.consent.scopes == ["legal_action", "anonymised_statistics"]
       and .compartments.narrative.narrative.language == "sw"
       and .compartments.narrative.narrative.text == "She was stopped at night by two officers.\nThey took her money."
       and .compartments.aggressor.aggressor.vehicle == {"plate": "XX 000 A", "colour": "white"}
       and .compartments.aggressor.aggressor.area == "Waterfront"' "$T/out" >/dev/null \
  || { cat "$T/out"; fail "the recorded form must hold the answers as read"; }
! grep -rqF "Canary-Name-K2" "$T/vault" || fail "the typed name landed on disk unencrypted"
[ ! -d "$T/vault/drafts" ] || [ -z "$(find "$T/vault/drafts" -type f)" ] \
  || fail "a recorded form leaves no draft"

# The final question: no asks once more; no to that keeps the answers, yes discards them.
before=$(snapshot "$T/vault")
{
  cat <<'STEPS'
expect Incident date:
send 3 Nov 2025
expect approximate
send
expect Time of day
send 23:40
expect Exact place
send
expect District
send lighthouse point
expect Setting
send
expect Types of violence
send rape
expect = Rape
expect More, or Enter when done:
send
expect Perpetrators
send client
expect = Client
expect More, or Enter when done:
send
expect Event reference
send
expect Person reference
send P-78
expect Population
send female
expect Names
send Canary-History-H1
expect Aliases
keys \x10\r
expect Phone numbers
send
expect E-mail addresses
send
expect ID numbers
send
expect Address
send
expect The account
send .
expect Language of the account
send en
STEPS
  rest_after_language
  cat <<'STEPS'
expect Names      Canary-History-H1, aliases Canary-History-H1
expect Record this incident now?
send no
expect Discard all these answers?
send no
expect Kept; nothing was discarded.
expect Record this incident now?
send n
expect Discard all these answers?
send yes
expect the form was abandoned; nothing was recorded
STEPS
} >"$T/decline.steps"
# Ctrl-P recalls the answer before (line editing's history), which lives in memory only.
mkdir "$T/home"
HOME=$T/home record_on_pty decline
[ "$pty_status" -eq 130 ] || { cat "$T/decline.out"; fail "an abandoned form exits 130 (got $pty_status)"; }
[ -z "$(find "$T/home" -mindepth 1)" ] || { find "$T/home"; fail "the history must not be written to disk"; }
[ "$(snapshot "$T/vault")" = "$before" ] || fail "an abandoned form must leave the vault unchanged"

# Without a places list, a district is any code of the form's shape, typed.
make_passphrase "$T/recovery2.pass"
custody init --vault "$T/plain" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" \
  --recovery-out "$T/recovery2.age" --recovery-passphrase-file "$T/recovery2.pass" \
  --work-factor 10 >"$T/init2.out" 2>&1 || { cat "$T/init2.out"; fail "init without places"; }
vault=$T/plain
{
  cat <<'STEPS'
expect Incident date:
send 2025-03
expect approximate
send y
expect Time of day
send
expect Exact place
send
expect District:
send Old Town
expect lower-case letters, digits and '_'
expect District:
send Old_Town
expect = old_town
expect Setting
send
expect Types of violence
send 5
expect Liberty:
send 3
expect More, or Enter when done:
send
expect Perpetrators
send 9
expect More, or Enter when done:
send
expect Event reference
send
expect Person reference
send P-79
expect Population
send 5
expect Names
send
expect Aliases
send
expect Phone numbers
send
expect E-mail addresses
send
expect ID numbers
send
expect Address
send
expect The account
send .
expect Language of the account
send EN_gb
expect = English (en-GB)
STEPS
  rest_after_language
  cat <<'STEPS'
expect 2025-03 (approximate)
expect Record this incident now?
send y
expect recorded 1 record
STEPS
} >"$T/no-places.steps"
record_on_pty no-places
[ "$pty_status" -eq 0 ] || { cat "$T/no-places.out"; fail "a form without places is recorded (status $pty_status)"; }
id=$(grep -oE '^[0-9a-f]{32}( [0-9A-Z-]{13})?$' "$T/no-places.out" | tail -1 | cut -c1-32)
expect_status 0 custody --vault "$T/plain" --identity "$T/creator.age" \
  --passphrase-file "$T/creator.pass" show "$id" --json
jq -e '.compartments.facts.incident.district == "old_town"
       and .compartments.facts.incident.violence_types == ["violence.liberty.raid"]
       and .compartments.facts.incident.perpetrators == ["perpetrator.unknown"]
       and .compartments.facts.person.population == "not_stated"
       and .compartments.identity.incident.date == "2025-03"
       and .compartments.identity.incident.date_approximate == true
       and .compartments.narrative.narrative.language == "en-GB"' "$T/out" >/dev/null \
  || { cat "$T/out"; fail "the recorded form must hold the answers as read"; }

# without a terminal and without --form: usage error, never a hang
expect_status 2 as_creator record
expect_contains "$T/err" "--form"
echo ok
