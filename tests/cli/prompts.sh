# Passphrases and what comes before them: a wrong passphrase typed at the terminal is asked again
# (three times in all), one from a file is not; a short one draws a warning at key new; the vault
# path, the identity file and the member's role are checked before the passphrase is asked; a member
# card given for an identity, or an identity for a card, is told so in words. Terminal dialogues run
# on a pty (tests/cli/pty_dialogue.py types each answer once its prompt has appeared).
. "$(dirname "$0")/lib.sh"

dialogue() { /usr/bin/python3 "$(dirname "$0")/pty_dialogue.py" "$@"; }
count() { grep -c -- "$2" "$1" || true; } # FILE TEXT: lines holding TEXT

make_vault
admit intake field
admit data analyst
pass=$(head -n1 "$T/analyst.pass")
as_analyst_on_tty() { "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/analyst.age" "$@"; }

# --- three tries on a terminal ---
got=0
dialogue Passphrase wrong-one Passphrase wrong-two Passphrase "$pass" \
  -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/analyst.age" list >"$T/pty" 2>&1 || got=$?
[ "$got" -eq 0 ] || { cat "$T/pty"; fail "the right passphrase at the third try must open ($got)"; }
[ "$(count "$T/pty" "Passphrase for")" -eq 3 ] || { cat "$T/pty"; fail "the passphrase must be asked 3 times"; }
expect_contains "$T/pty" "wrong passphrase for $T/analyst.age; try again (2 tries left)"
expect_contains "$T/pty" "try again (1 try left)"
! grep -q "wrong-one\|$pass" "$T/pty" || fail "a typed passphrase was echoed"

got=0
dialogue Passphrase bad-1 Passphrase bad-2 Passphrase bad-3 \
  -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/analyst.age" list >"$T/pty" 2>&1 || got=$?
[ "$got" -eq 5 ] || { cat "$T/pty"; fail "three wrong passphrases must exit 5 ($got)"; }
expect_contains "$T/pty" "custody: error: wrong passphrase for identity \"$T/analyst.age\", 3 times"
[ "$(count "$T/pty" "Passphrase for")" -eq 3 ] || { cat "$T/pty"; fail "three tries, not more"; }

# a passphrase file is read once: no retry, no prompt
echo "not-it" >"$T/wrong.pass"
chmod 600 "$T/wrong.pass"
expect_status 5 custody --vault "$T/vault" --identity "$T/analyst.age" --passphrase-file "$T/wrong.pass" list
expect_contains "$T/err" "wrong passphrase for identity"
expect_not_contains "$T/err" "try again"
expect_contains "$T/err" "check --passphrase-file"

# --- a short passphrase draws a warning at key new; a long one does not ---
printf 'hunter2\n' >"$T/short.pass"
chmod 600 "$T/short.pass"
expect_status 0 custody key new --out "$T/short.age" --passphrase-file "$T/short.pass" --work-factor 10
expect_contains "$T/err" "custody: warning: the passphrase is short (7 characters)"
[ -f "$T/short.age" ] || fail "a short passphrase is warned about, not refused"
printf '\xc3\xa9t\xc3\xa9 \xc3\xa0 la mer, cinq mots\n' >"$T/long.pass"   # 22 characters, 25 bytes
chmod 600 "$T/long.pass"
expect_status 0 custody key new --out "$T/long.age" --passphrase-file "$T/long.pass" --work-factor 10
expect_not_contains "$T/err" "short"
got=0
dialogue "Passphrase for the new" abc "Repeat" abc \
  -- "$CUSTODY_BIN" key new --out "$T/tty.age" --work-factor 10 >"$T/pty" 2>&1 || got=$?
[ "$got" -eq 0 ] || { cat "$T/pty"; fail "key new on a terminal ($got)"; }
expect_contains "$T/pty" "the passphrase is short (3 characters)"

# --- before the passphrase: the vault path ---
got=0
dialogue -- "$CUSTODY_BIN" --vault "$T/nowhere" --identity "$T/analyst.age" list >"$T/pty" 2>&1 || got=$?
[ "$got" -eq 3 ] || { cat "$T/pty"; fail "a path that is no vault must exit 3 ($got)"; }
expect_contains "$T/pty" "is not a custody vault"
expect_not_contains "$T/pty" "Passphrase"
for command in log verify; do
  got=0
  dialogue -- "$CUSTODY_BIN" --vault "$T/nowhere" --identity "$T/analyst.age" $command >"$T/pty" 2>&1 || got=$?
  [ "$got" -eq 3 ] || { cat "$T/pty"; fail "$command: a path that is no vault must exit 3 ($got)"; }
  expect_not_contains "$T/pty" "Passphrase"
done

# --- before the passphrase: the role ---
got=0
dialogue -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/field.age" list >"$T/pty" 2>&1 || got=$?
[ "$got" -eq 5 ] || { cat "$T/pty"; fail "an intake member's list must be refused with 5 ($got)"; }
expect_contains "$T/pty" "your role (intake) cannot read records"
expect_not_contains "$T/pty" "Passphrase"
for command in "show 00000000" "stats" "extract 00000000 1 -o $T/x" "key add --role data $T/short.age.card"; do
  got=0
  # shellcheck disable=SC2086
  dialogue -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/field.age" $command >"$T/pty" 2>&1 || got=$?
  [ "$got" -eq 5 ] || { cat "$T/pty"; fail "intake $command must be refused with 5 ($got)"; }
  expect_contains "$T/pty" "your role (intake) cannot"
  expect_not_contains "$T/pty" "Passphrase"
done
# a data member may list: asked, and let in
got=0
dialogue Passphrase "$pass" -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/analyst.age" list >"$T/pty" 2>&1 || got=$?
[ "$got" -eq 0 ] || { cat "$T/pty"; fail "a data member's list ($got)"; }
# ... but not admit: refused before the passphrase too
got=0
dialogue -- "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/analyst.age" key add --role data "$T/short.age.card" \
  >"$T/pty" 2>&1 || got=$?
[ "$got" -eq 5 ] || { cat "$T/pty"; fail "a data member's key add must be refused with 5 ($got)"; }
expect_contains "$T/pty" "your role (data) cannot admit members"
# without the card beside the identity, the role is not known early: the passphrase decides
mv "$T/field.age.card" "$T/field.card.kept"
expect_status 5 as_member field list
expect_contains "$T/err" "facts compartment"
mv "$T/field.card.kept" "$T/field.age.card"
# vault.yaml is only a cache: a member it calls intake who is legal by the ledger is refused early
# (and told which file said so), never let in by it; verify then finds the change
cp "$T/vault/vault.yaml" "$T/vault.yaml.kept"
creator_id=$(jq -r .key_id <(custody key show "$T/creator.age" --passphrase-file "$T/creator.pass" --json))
sed -i "s/{key_id: $creator_id, role: legal,/{key_id: $creator_id, role: intake,/" "$T/vault/vault.yaml"
expect_status 5 as_creator list
expect_contains "$T/err" "vault.yaml lists your key $creator_id as intake"
expect_status 1 as_creator verify
cp "$T/vault.yaml.kept" "$T/vault/vault.yaml"
expect_status 0 as_creator list

# --- a card where an identity is expected, an identity where a card is ---
before=$(snapshot "$T/vault")
expect_status 3 custody --vault "$T/vault" --identity "$T/analyst.age.card" --passphrase-file "$T/analyst.pass" list
expect_contains "$T/err" "this is a member card, the public half of an identity, not an identity"
expect_contains "$T/err" "without .card"
expect_status 3 as_creator key add --role data "$T/short.age"
expect_contains "$T/err" "this is an identity, which holds a secret key, not a member card"
age_decrypt_identity "$T/short.age" "$T/short.pass" "$T/short.plain"
expect_status 3 as_creator key add --role data "$T/short.plain"
expect_contains "$T/err" "this is an identity"
! grep -q "AGE-SECRET-KEY" "$T/err" || fail "the secret key was printed"
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a refused command changed the vault"
echo ok
