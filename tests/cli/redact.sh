# custody redact --text (issue 17): the policy's phone regions, a record's own and its event's
# identity values out of its narrative and notes, the review on a terminal (remove, keep, add,
# stop), the fail-closed check, the `redaction` entry and who reads the derivative
# (show --redacted): legal always, advocacy only a reviewed one of a record consenting to publish.
. "$(dirname "$0")/lib.sh"

make_vault
admit advocacy adv
admit data dat

# Two records of one event: Imani's (consenting to publish) names Wanjiru, a co-victim.
cat >"$T/imani.yaml" <<'FORM'
form_version: 1
incident:
  date: "2025-03-14"
  date_approximate: false
  location: "Kilindini Road car park"
  district: harbour
  setting: setting.street
  violence_types: [violence.economic.extortion]
  perpetrators: [perpetrator.state.police]
  event_ref: "E-RAID-7"
person:
  person_ref: "P-0231"
  population: transgender
  names: ["Imani Chebet"]
  aliases: ["Mimi"]
  phones: ["+254 712 345 678"]
  emails: ["imani.c@example.org"]
narrative:
  text: "Imani says two officers stopped her at the Kilindini Road car park on 14 March 2025 at 23:40. Wanjiru Otieno saw it. Call Mimi on 0712 345678 or write to imani.c@example.org. She drinks at Club Zanzibar."
  language: en
response:
  notes: "Chebet was seen at the clinic on 2025-03-15; Wanjiru came too."
consent:
  scopes: [legal_action, publish]
FORM
sed -e 's/P-0231/P-0232/' -e 's/"Imani Chebet"/"Wanjiru Otieno"/' -e 's/"Mimi"/"Wanji"/' \
  -e 's/+254 712 345 678/+254 733 111 222/' -e 's/imani.c@example.org/w.otieno@example.org/' \
  -e 's/\[legal_action, publish\]/[legal_action]/' "$T/imani.yaml" >"$T/wanjiru.yaml"
as_creator record --form "$T/imani.yaml" >"$T/one" 2>/dev/null || fail "record imani"
as_creator record --form "$T/wanjiru.yaml" >"$T/two" 2>/dev/null || fail "record wanjiru"
one=$(cut -d" " -f1 "$T/one")
two=$(cut -d" " -f1 "$T/two")

# No phone regions in the policy: refused, naming the remedy; nothing written.
before=$(snapshot "$T/vault")
expect_status 2 as_creator redact "$one" --text --approve
expect_contains "$T/err" "phone regions"
expect_contains "$T/err" "custody policy --phone-regions"
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a refused redaction changed the vault"

# The policy: a region libphonenumber does not know is refused; GB and KE are set by a signed entry.
expect_status 3 as_creator policy --phone-regions UK
expect_contains "$T/err" "UK"
expect_status 3 as_creator policy --phone-regions KE --id-pattern '(unclosed'
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a refused policy change changed the vault"
expect_status 5 as_member adv policy --phone-regions KE
expect_status 0 as_creator policy --phone-regions KE,GB --id-pattern '\bP-\d{4}\b' --json
[ "$(jq -c .policy.redaction.phone_regions "$T/out")" = '["KE","GB"]' ] || fail "the regions are in the policy"
expect_status 3 as_creator policy --phone-regions KE,GB --id-pattern '\bP-\d{4}\b'
expect_status 0 as_member dat policy
expect_contains "$T/out" "phone_regions: KE,GB"

# Who may redact, and what is refused: no terminal without --approve, an unknown record, no --text.
expect_status 2 as_creator redact "$one" --text
expect_contains "$T/err" "--approve"
expect_status 2 as_creator redact "$one" --approve
expect_status 3 as_creator redact 0000000000 --text --approve
expect_status 5 as_member dat redact "$one" --text --approve
expect_status 5 as_member adv redact "$one" --text --approve
expect_status 3 as_member adv show "$one" --redacted
expect_status 5 as_member dat show "$one" --redacted

# --approve: every proposal taken, unreviewed, so not released to advocacy.
expect_status 0 as_creator redact "${one:0:8}" --text --approve --json
cp "$T/out" "$T/approved.json"
[ "$(jq -r .review "$T/approved.json")" = unreviewed ] || fail "--approve is unreviewed"
[ "$(jq -r .released "$T/approved.json")" = false ] || fail "an unreviewed redaction is not released"
[ "$(jq '.counts.NAME >= 4' "$T/approved.json")" = true ] || fail "names counted: $(cat "$T/approved.json")"
[ "$(jq '.counts.PHONE >= 1 and .counts.EMAIL >= 1 and .counts.PLACE >= 1' "$T/approved.json")" = true ] \
  || fail "phone, e-mail and place counted: $(cat "$T/approved.json")"
expect_status 0 as_creator show "$one" --redacted --json
cp "$T/out" "$T/shown.json"
jq -r '.text.narrative, .text.notes' "$T/shown.json" >"$T/redacted.txt"
for value in Imani Chebet Mimi Wanjiru Otieno "712 345" 712345678 imani.c@ Kilindini "14 March" 23:40 2025-03-15; do
  expect_not_contains "$T/redacted.txt" "$value"
done
expect_contains "$T/redacted.txt" "[NAME]"
expect_contains "$T/redacted.txt" "[PHONE]"
expect_contains "$T/redacted.txt" "[EMAIL]"
expect_contains "$T/redacted.txt" "March 2025"
expect_contains "$T/redacted.txt" "Club Zanzibar"
[ "$(jq -r .review "$T/shown.json")" = unreviewed ] || fail "show says unreviewed"
expect_status 3 as_member adv show "$one" --redacted
expect_contains "$T/err" "released"
# Nothing of the redacted text or of the values lands on disk in the clear.
! grep -rqF "[NAME]" "$T/vault" || fail "redacted text on disk unencrypted"
! grep -rqF "Wanjiru" "$T/vault" || fail "a name on disk unencrypted"
# the entry is a redaction, sealed by the creator
expect_status 0 as_creator log --json
jq -s -e 'any(.[]; .kind == "redaction")' "$T/out" >/dev/null || fail "log shows a redaction entry"

# The review on a terminal: the first proposal is Imani's own name. Put back, the check fails
# and nothing is stored.
before=$(snapshot "$T/vault")
cat >"$T/restore.steps" <<'STEPS'
expect Remove? [Y/n/a/q]
send n
expect Remove? [Y/n/a/q]
send a
expect Another word or phrase
send
STEPS
on_pty restore "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" \
  --passphrase-file "$T/creator.pass" redact "$one" --text
[ "$pty_status" -eq 1 ] || { cat "$T/restore.out" >&2; fail "putting back her own name exits 1, got $pty_status"; }
expect_contains "$T/restore.out" "identity value"
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a failed check changed the vault"

# Stopping with q stores nothing.
printf 'expect Remove? [Y/n/a/q]\nsend q\n' >"$T/stop.steps"
on_pty stop "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" \
  --passphrase-file "$T/creator.pass" redact "$one" --text
[ "$pty_status" -eq 130 ] || fail "q exits 130, got $pty_status"
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a stopped review changed the vault"

# Reviewed: all removed, one phrase of the member's own added; released to advocacy.
cat >"$T/review.steps" <<'STEPS'
expect Remove? [Y/n/a/q]
send y
expect Remove? [Y/n/a/q]
send a
expect Another word or phrase
send Club Zanzibar
expect Another word or phrase
send
expect Store this redaction? [y/N]
send y
STEPS
on_pty review "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" \
  --passphrase-file "$T/creator.pass" redact "$one" --text
[ "$pty_status" -eq 0 ] || { cat "$T/review.out" >&2; fail "the reviewed redaction exits 0, got $pty_status"; }
expect_contains "$T/review.out" "released to advocacy"
expect_status 0 as_member adv show "$one" --redacted --json
cp "$T/out" "$T/adv.json"
[ "$(jq -r .released "$T/adv.json")" = true ] || fail "advocacy reads a released derivative"
jq -r '.text.narrative, .text.notes' "$T/adv.json" >"$T/adv.txt"
expect_not_contains "$T/adv.txt" "Club Zanzibar"
expect_not_contains "$T/adv.txt" "Imani"
[ "$(jq 'has("counts")' "$T/adv.json")" = false ] || fail "advocacy does not read the provenance"
expect_status 0 as_creator show "$one" --redacted --json
[ "$(jq -r .review "$T/out")" = reviewed ] || fail "the latest redaction is the reviewed one"

# Reviewed, but Wanjiru's consent has no publish: kept for legal members only.
printf 'expect Remove? [Y/n/a/q]\nsend a\nexpect Another word\nsend\nexpect Store this\nsend y\n' >"$T/two.steps"
on_pty two "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" \
  --passphrase-file "$T/creator.pass" redact "$two" --text
[ "$pty_status" -eq 0 ] || { cat "$T/two.out" >&2; fail "redact two, got $pty_status"; }
expect_contains "$T/two.out" "consent does not include publish"
expect_status 3 as_member adv show "$two" --redacted
expect_status 0 as_creator show "$two" --redacted
expect_not_contains "$T/out" "Imani"

# An amendment after the redaction makes it stale; taking publish back hides it from advocacy.
expect_status 0 as_creator show "$one" --form
jq '.consent.scopes = ["legal_action"]' "$T/out" >"$T/fix.json"
expect_status 0 as_creator record --amend "$one" --form "$T/fix.json" --reason "consent changed"
expect_status 0 as_creator show "$one" --redacted
expect_contains "$T/out" "amended after this redaction"
expect_status 3 as_member adv show "$one" --redacted

# The vault's term list: legal only, set by a signed entry, kept encrypted, used by every redaction.
printf '# venues\nplace: Club Zanzibar\nInspector Kamau\n' >"$T/terms.txt"
printf 'ok\n\x01\n' >"$T/bad-terms.txt"
expect_status 3 as_creator terms --set "$T/bad-terms.txt"
expect_contains "$T/err" "line 2"
expect_status 5 as_member adv terms
expect_status 5 as_member adv terms --set "$T/terms.txt"
expect_status 0 as_creator terms --set "$T/terms.txt" --json
[ "$(jq -c '[.terms[].kind]' "$T/out")" = '["place","name"]' ] || fail "terms and their kinds: $(cat "$T/out")"
expect_status 3 as_creator terms --set "$T/terms.txt"
! grep -rqF "Kamau" "$T/vault" || fail "a term on disk unencrypted"
expect_status 0 as_creator redact "$two" --text --approve --json
[ "$(jq .counts.PLACE "$T/out")" -ge 2 ] || fail "the term is removed as a place: $(cat "$T/out")"
expect_status 0 as_creator show "$two" --redacted
expect_not_contains "$T/out" "Club Zanzibar"
expect_contains "$T/out" "[PLACE]"

# Everything checks: the entries' shape, the seals, and every shard against the ledger.
expect_status 0 as_creator verify --index --deep
expect_status 0 as_member adv verify --index --deep
