# Interactive intake never loses what was typed: Ctrl-C (or Ctrl-D, or the terminal closing) keeps
# the answers so far in a draft encrypted to the member's own key, never in plaintext;
# `record --resume` continues it where she stopped and deletes it once recorded; a draft expires
# (`--draft-ttl`, 24 h) and is deleted by her next `record`; a form that could not be written is kept
# as a draft; `verify` is content with drafts/ (invariant 22 covers it).
. "$(dirname "$0")/lib.sh"

make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
record_on_pty() { # NAME [OPTIONS...]
  local name=$1
  shift
  on_pty "$name" "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" \
    --passphrase-file "$T/creator.pass" record "$@"
}
drafts_of_creator() { { find "$T/vault/drafts" -type f -name '*.age' 2>/dev/null || true; } | sort; }

# The first questions, up to the district.
first_answers() {
  cat <<'STEPS'
expect Incident date:
send 2025-03-14
expect approximate
send
expect Time of day
send 23:40
expect Exact place
send Canary-Place-Draft-P3
expect District
STEPS
}

# From the district to the end, as briefly as the form allows.
to_the_end() {
  cat <<'STEPS'
send harbour
expect Setting
send
expect Types of violence
send beating
expect More, or Enter when done:
send
expect Perpetrators
send police
expect More, or Enter when done:
send
expect Event reference
send
expect Person reference
send P-90
expect Population
send 1
expect Names
send Canary-Name-Draft-N4
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
send sw
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
send 3
expect More, or Enter when done:
send
expect Record this incident now?
send yes
expect recorded 1 record
STEPS
}

# Ctrl-C, then an empty answer (asked again), then yes: a draft is kept, encrypted.
before=$(snapshot "$T/vault")
{
  first_answers
  cat <<'STEPS'
interrupt
expect Keep a draft of your answers, encrypted to your key, for 24 hours? [y/n]
send
expect Answer y to keep a draft
send y
expect kept in an encrypted draft until
STEPS
} >"$T/keep.steps"
record_on_pty keep
[ "$pty_status" -eq 130 ] || { cat "$T/keep.out"; fail "stopping exits 130 (got $pty_status)"; }
expect_contains "$T/keep.out" "--resume"
[ "$(drafts_of_creator | wc -l)" -eq 1 ] || { drafts_of_creator; fail "one draft must be kept"; }
draft=$(drafts_of_creator)
case "$draft" in
  "$T/vault/drafts/"*/*.age) ;;
  *) fail "the draft is not under drafts/<member-key-id>/: $draft" ;;
esac
[ "$(stat -c %a "$draft")" = 600 ] || fail "a draft is private to its owner (mode 0600)"
! grep -rqF "Canary-Place-Draft" "$T/vault" || fail "the typed answers landed on disk unencrypted"
head -c 21 "$draft" | grep -q "age-encryption.org/v1" || fail "a draft is an age file"
# Encrypted to her own key: Debian's age opens it with her identity, and nothing else changed.
age_decrypt_identity "$T/creator.age" "$T/creator.pass" "$T/creator.key"
age -d -i "$T/creator.key" -o "$T/draft.plain" "$draft" || fail "age -d with her identity must open her draft"
rm -f "$T/creator.key"
head -n 1 "$T/draft.plain" | grep -qx "custody-draft-v1" || fail "the draft's magic line"
grep -qF "Canary-Place-Draft-P3" "$T/draft.plain" || fail "the draft must hold the answers typed"
grep -qF '"at":"/incident/district"' "$T/draft.plain" || fail "the draft must say where she stopped"
rm -f "$T/draft.plain"
after=$(snapshot "$T/vault" | grep -v ' ./drafts/')
[ "$after" = "$before" ] || fail "keeping a draft must change nothing else in the vault"
# verify has nothing to say about drafts.
expect_status 0 as_creator verify
expect_not_contains "$T/out" "drafts"
expect_not_contains "$T/err" "drafts"

# --resume continues at the question she stopped at; recording deletes the draft.
{
  cat <<'STEPS'
expect Resuming your draft
expect 4 of 32 answered
expect District
STEPS
  to_the_end
} >"$T/resume.steps"
record_on_pty resume --resume
[ "$pty_status" -eq 0 ] || { cat "$T/resume.out"; fail "a resumed form is recorded (status $pty_status)"; }
expect_not_contains "$T/resume.out" "Incident date:"
[ -z "$(drafts_of_creator)" ] || fail "a recorded draft must be deleted"
id=$(grep -oE '^[0-9a-f]{32}( [0-9A-Z-]{13})?$' "$T/resume.out" | tail -1 | cut -c1-32)
expect_status 0 as_creator show "$id" --json
jq -e '.compartments.identity.incident.location == "Canary-Place-Draft-P3"
       and .compartments.identity.incident.time == "23:40"
       and .compartments.identity.person.names == ["Canary-Name-Draft-N4"]
       and .compartments.facts.incident.district == "harbour"' "$T/out" >/dev/null \
  || { cat "$T/out"; fail "the record must hold the draft's answers and the new ones"; }

# Nothing to resume: exit 3, saying so.
printf 'expect no draft to resume\n' >"$T/none.steps"
record_on_pty none --resume
[ "$pty_status" -eq 3 ] || { cat "$T/none.out"; fail "--resume without a draft exits 3 (got $pty_status)"; }

# Ctrl-C and no: nothing is kept.
{
  first_answers
  cat <<'STEPS'
interrupt
expect Keep a draft
send n
expect no draft was kept
STEPS
} >"$T/discard.steps"
record_on_pty discard
[ "$pty_status" -eq 130 ] || fail "stopping exits 130"
[ -z "$(drafts_of_creator)" ] || fail "declining a draft keeps none"

# Ctrl-C twice keeps (rather than lose what was typed); Ctrl-D stops as Ctrl-C does.
{
  first_answers
  cat <<'STEPS'
interrupt
expect Keep a draft
interrupt
expect Kept.
STEPS
} >"$T/twice.steps"
record_on_pty twice
[ "$pty_status" -eq 130 ] || fail "stopping exits 130"
[ "$(drafts_of_creator | wc -l)" -eq 1 ] || fail "Ctrl-C at the draft question keeps the draft"
# Resuming and then declining to keep it deletes that draft too.
cat >"$T/drop.steps" <<'STEPS'
expect Resuming your draft
expect District
expect Number, or part of a label:
eof
expect Keep a draft
send no
expect no draft was kept
STEPS
record_on_pty drop --resume
[ "$pty_status" -eq 130 ] || fail "stopping exits 130"
[ -z "$(drafts_of_creator)" ] || fail "a resumed draft she declines to keep is deleted"

# Ctrl-C before anything was typed: nothing to keep, no question.
cat >"$T/early.steps" <<'STEPS'
expect Incident date:
interrupt
expect nothing was recorded
STEPS
record_on_pty early
[ "$pty_status" -eq 130 ] || fail "stopping exits 130"
expect_not_contains "$T/early.out" "Keep a draft"
[ -z "$(drafts_of_creator)" ] || fail "nothing typed, nothing kept"

# The lines of an account typed so far are kept with the draft; --resume shows them.
{
  first_answers
  cat <<'STEPS'
send harbour
expect Setting
send
expect Types of violence
send beating
expect More, or Enter when done:
send
expect Perpetrators
send police
expect More, or Enter when done:
send
expect Event reference
send
expect Person reference
send P-91
expect Population
send 1
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
send She was stopped at night.
send They took her money.
expect They took her money. |
hangup
STEPS
} >"$T/hangup.steps"
record_on_pty hangup
[ "$pty_status" -eq 130 ] || { cat "$T/hangup.out"; fail "a closed terminal stops with 130 (got $pty_status)"; }
[ "$(drafts_of_creator | wc -l)" -eq 1 ] \
  || { cat "$T/hangup.out"; fail "a closed terminal keeps the answers in a draft"; }
cat >"$T/text.steps" <<'STEPS'
expect Resuming your draft
expect The account, in the person's words
expect | She was stopped at night.
expect | They took her money.
expect Enter keeps this text, + adds lines after it
send +
send She went to the clinic the next day.
send .
expect Language of the account
interrupt
expect Keep a draft
send y
expect kept in an encrypted draft
STEPS
record_on_pty text --resume
[ "$pty_status" -eq 130 ] || { cat "$T/text.out"; fail "stopping exits 130"; }
cat >"$T/summary.steps" <<'STEPS'
expect Resuming your draft
expect Language of the account
send en
expect Aggressor: description
send <
expect Language of the account
send
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
send 3
expect More, or Enter when done:
send
expect She was stopped at night. … (3 lines)
expect Record this incident now?
send yes
expect recorded 1 record
STEPS
record_on_pty summary --resume
[ "$pty_status" -eq 0 ] || { cat "$T/summary.out"; fail "the resumed form is recorded"; }
id=$(grep -oE '^[0-9a-f]{32}( [0-9A-Z-]{13})?$' "$T/summary.out" | tail -1 | cut -c1-32)
expect_status 0 as_creator show "$id" --json
jq -e '.compartments.narrative.narrative.text == "She was stopped at night.\nThey took her money.\nShe went to the clinic the next day."' \
  "$T/out" >/dev/null || { cat "$T/out"; fail "the account typed over two sessions must be whole"; }
[ -z "$(drafts_of_creator)" ] || fail "a recorded draft must be deleted"

# A form that could not be written is kept as a draft: objects/ is made unwritable under the
# running command, after it opened the vault.
{
  first_answers
  to_the_end | sed -e '/^expect recorded 1 record$/d' \
    -e "s|^expect Record this incident now?\$|&\nrun mv '$T/vault/objects' '$T/vault/objects.away' \&\& touch '$T/vault/objects'|"
  printf 'expect kept in an encrypted draft\n'
} >"$T/unwritable.steps"
grep -q '^run mv' "$T/unwritable.steps" || fail "the test's own dialogue lacks its run step"
record_on_pty unwritable
rm -f "$T/vault/objects"
mv "$T/vault/objects.away" "$T/vault/objects"
[ "$pty_status" -ne 0 ] && [ "$pty_status" -ne 130 ] \
  || { cat "$T/unwritable.out"; fail "a write that failed is a failure (got $pty_status)"; }
[ "$(drafts_of_creator | wc -l)" -eq 1 ] \
  || { cat "$T/unwritable.out"; fail "answers that could not be written are kept in a draft"; }
expect_status 0 as_creator verify

# Those answers are the form --resume recorded above: resumed, the likely duplicate is refused and
# the answers stay in their draft; --allow-duplicate records them.
cat >"$T/dupe.steps" <<'STEPS'
expect Resuming your draft
expect Record this incident now?
send yes
expect kept in an encrypted draft
expect likely duplicate
STEPS
record_on_pty dupe --resume
[ "$pty_status" -ne 0 ] && [ "$pty_status" -ne 130 ] \
  || { cat "$T/dupe.out"; fail "a refused duplicate is a failure (got $pty_status)"; }
[ "$(drafts_of_creator | wc -l)" -eq 1 ] \
  || { cat "$T/dupe.out"; fail "the answers of a refused duplicate are kept in their draft"; }
sed -e '/likely duplicate/d' -e 's/^expect kept in an encrypted draft$/expect recorded 1 record/' \
  "$T/dupe.steps" >"$T/allowed.steps"
record_on_pty allowed --resume --allow-duplicate
[ "$pty_status" -eq 0 ] || { cat "$T/allowed.out"; fail "--allow-duplicate records the draft (got $pty_status)"; }
[ -z "$(drafts_of_creator)" ] || fail "a draft recorded with --allow-duplicate is deleted"

# Killed at each durable step of keeping a draft (the fault seam): the vault verifies, a temp file
# left behind holds no plaintext and the next writer removes it, and a draft is whole or absent.
rm -f "$(drafts_of_creator)"
{
  first_answers
  cat <<'STEPS'
interrupt
expect Keep a draft
send y
STEPS
} >"$T/killed.steps"
completed=no
for n in $(seq 1 20); do
  rm -rf "$T/vault/drafts"
  CUSTODY_FAULT_AT=$n record_on_pty killed
  [ "$pty_status" -eq 137 ] || [ "$pty_status" -eq 130 ] \
    || { cat "$T/killed.out"; fail "step $n: expected a kill (137) or a kept draft (130), got $pty_status"; }
  ! grep -rqF "Canary-Place-Draft" "$T/vault" || fail "step $n: plaintext on disk"
  expect_status 0 as_creator verify
  found=$(drafts_of_creator | wc -l)
  if [ "$pty_status" -eq 130 ]; then
    [ "$found" -eq 1 ] || fail "step $n: a kept draft is on disk"
    echo "keeping a draft completed with the fault at step $n: it has $((n - 1)) durable steps"
    completed=yes
    break
  fi
  if [ "$found" -ne 0 ]; then
    # Killed after the rename: the draft is whole, and opens as hers.
    expect_status 0 as_creator record --allow-duplicate --form "$CUSTODY_SOURCE/examples/incidents/03-rape-by-client-dockside.yaml"
    expect_not_contains "$T/err" "left alone"
    [ "$(drafts_of_creator | wc -l)" -eq 1 ] || fail "step $n: the whole draft is kept"
  fi
  if [ -n "$(find "$T/vault/drafts" -name '.tmp-*' 2>/dev/null)" ]; then
    grep -q "left by an interrupted command" "$T/err" || fail "step $n: verify notes the temp file"
    expect_status 0 as_creator record --allow-duplicate --form "$CUSTODY_SOURCE/examples/incidents/02-unlawful-arrest-condoms.yaml"
    [ -z "$(find "$T/vault/drafts" -name '.tmp-*')" ] || fail "step $n: the next writer removes it"
  fi
done
[ "$completed" = yes ] || fail "keeping a draft never completed"

# A draft expires: --draft-ttl 2s, and the next `record`, whichever way it is called, deletes it.
rm -f "$(drafts_of_creator)"
{
  first_answers
  cat <<'STEPS'
interrupt
expect for 2 seconds? [y/n]
send y
expect kept in an encrypted draft
STEPS
} >"$T/short.steps"
record_on_pty short --draft-ttl 2s
[ "$(drafts_of_creator | wc -l)" -eq 1 ] || fail "a short-lived draft is kept"
sleep 3
expect_status 0 as_creator record --allow-duplicate --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml"
expect_contains "$T/err" "expired"
[ -z "$(drafts_of_creator)" ] || fail "an expired draft must be deleted by the next record"

# Options: a lifetime custody cannot read, and --resume with a form, are usage errors.
expect_status 2 as_creator record --draft-ttl 8d
expect_contains "$T/err" "--draft-ttl"
expect_status 2 as_creator record --draft-ttl soon
expect_status 2 as_creator record --resume --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml"

# A link in drafts/ is tampering, as anywhere else in the vault (invariant 22).
mkdir -p "$T/vault/drafts/elsewhere"
ln -s /etc/passwd "$T/vault/drafts/elsewhere/0123456789abcdef0123456789abcdef.age"
expect_status 1 as_creator verify
expect_contains "$T/err" "drafts/elsewhere"
echo ok
