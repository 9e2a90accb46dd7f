# custody init, key add, log and verify on a fresh vault.
. "$(dirname "$0")/lib.sh"

make_identity creator
make_passphrase "$T/recovery.pass"

# usage errors leave nothing behind
expect_status 2 custody init --identity "$T/creator.age" --passphrase-file "$T/creator.pass" --recovery-out "$T/r.age"
expect_contains "$T/err" "no vault given"
expect_status 2 custody init --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass"
expect_contains "$T/err" "recovery"
[ ! -e "$T/vault" ] || fail "a failed init must leave no vault"

# a wrong passphrase: exit 5, no vault, no recovery identity
echo wrong >"$T/wrong.pass"; chmod 600 "$T/wrong.pass"
expect_status 5 custody init --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/wrong.pass" \
  --recovery-out "$T/recovery.age" --recovery-passphrase-file "$T/recovery.pass" --work-factor 10
[ ! -e "$T/vault" ] && [ ! -e "$T/recovery.age" ] || fail "a failed init must write nothing"
[ -z "$(ls -A "$T" | grep -v -e '\.pass$' -e '^creator' -e '^out$' -e '^err$')" ] || { ls -la "$T"; fail "stray files"; }

expect_status 0 custody init --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" \
  --org "Test Org Canary-Zk41" --name "Creator Canary-Pw83" \
  --recovery-out "$T/recovery.age" --recovery-passphrase-file "$T/recovery.pass" --work-factor 10
expect_contains "$T/out" "created vault"
signing_key=$(sed -n 's/^  \(RW[A-Za-z0-9+/=]*\)$/\1/p' "$T/out")
[ -n "$signing_key" ] || fail "init must print the signing key to lodge"
[ "$(tail -n1 "$T/vault/custody.pub")" = "$signing_key" ] || fail "custody.pub must hold the printed key"
for f in vault.yaml custody.pub ledger/000000.jsonl ledger/HEAD lock; do
  [ -f "$T/vault/$f" ] || fail "init must create $f"
done
[ -f "$T/recovery.age" ] && [ -f "$T/recovery.age.card" ] || fail "init must write the recovery identity"
[ "$(wc -l <"$T/vault/ledger/000000.jsonl")" -eq 2 ] || fail "init writes the init entry and a seal"
grep -q "$signing_key" "$T/known_vaults" || fail "init must pin the vault for its creator"
[ ! -e "$T/vault.init-"* ] 2>/dev/null || fail "no temp directory may remain"
# nothing identifying in clear: the names are only in encrypted payloads
! grep -rq -e "Canary-Zk41" -e "Canary-Pw83" "$T/vault" || fail "a name landed on disk unencrypted"
[ "$(stat -c %a "$T/vault")" = 700 ] || fail "the vault directory must be private"

# a bare --recovery-out and vault name in the current directory; init checks the work factor
(cd "$T" && "$CUSTODY_BIN" init --vault bare-vault --identity creator.age --passphrase-file creator.pass \
  --recovery-out bare-recovery.age --recovery-passphrase-file recovery.pass --work-factor 10 >out 2>err) \
  || { cat "$T/err"; fail "init with bare names"; }
[ -f "$T/bare-recovery.age.card" ] && [ -f "$T/bare-vault/ledger/HEAD" ] || fail "init with bare names"
expect_status 2 custody init --vault "$T/v9" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" \
  --recovery-out "$T/r9.age" --recovery-passphrase-file "$T/recovery.pass" --work-factor 9
[ ! -e "$T/v9" ] && [ ! -e "$T/r9.age" ] || fail "a refused init must write nothing"

# init refuses a non-empty directory
expect_status 3 custody init --vault "$T/vault" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" \
  --recovery-out "$T/r2.age" --recovery-passphrase-file "$T/recovery.pass" --work-factor 10
expect_contains "$T/err" "not an empty directory"

expect_status 0 as_creator verify
expect_contains "$T/out" "ok: 2 entries"
expect_status 0 as_creator verify --json
jq -e '.type == "verify" and .ok == true and .entries == 2 and .admin_checked == true' "$T/out" >/dev/null || fail "verify --json"
# the recovery identity is a legal member
expect_status 0 custody --vault "$T/vault" --identity "$T/recovery.age" --passphrase-file "$T/recovery.pass" verify
# without an identity only the envelope is checked, and it says so
expect_status 0 custody --vault "$T/vault" verify
expect_contains "$T/err" "no identity given"
expect_not_contains "$T/out" "0 members"

# key add: data, advocacy, intake members; the card may be a file or its text
for who in data advocacy intake; do make_identity "$who"; done
expect_status 0 as_creator key add --role data --name "Devika Canary-Q7x9" "$T/data.age.card"
expect_contains "$T/out" "admitted"
expect_status 0 as_creator key add --role advocacy "$(cat "$T/advocacy.age.card")"
expect_status 0 as_creator key add --role intake --json "$T/intake.age.card"
jq -e '.type == "member_added" and .role == "intake" and .seq == 6' "$T/out" >/dev/null || fail "key add --json"
! grep -rq "Canary-Q7x9" "$T/vault" || fail "a member name landed on disk unencrypted"

# admitted twice, an unknown role, a bad card
expect_status 3 as_creator key add --role data "$T/data.age.card"
expect_contains "$T/err" "already a member"
expect_status 2 as_creator key add --role boss "$T/data.age.card"
make_identity other
sed 's/ [A-Za-z0-9+/=]*$/ AAAA/' "$T/other.age.card" >"$T/bad.card"
before=$(snapshot "$T/vault")
expect_status 3 as_creator key add --role data "$T/bad.card"
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a refused key add must leave the vault unchanged"

# members see the vault; a data member cannot admit anyone (no signing key): exit 5, nothing written
expect_status 0 as_member data verify
expect_status 0 as_member intake verify
before=$(snapshot "$T/vault")
expect_status 5 as_member data key add --role data "$T/other.age.card"
expect_contains "$T/err" "signing key"
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a refused key add must leave the vault unchanged"
# a non-member is refused
expect_status 5 as_member other verify

# the key files follow the roles: data holds facts and admin only
data_id=$(jq -r .key_id < <(custody key show "$T/data.age" --passphrase-file "$T/data.pass" --json))
[ -f "$T/vault/keys/facts/0/$data_id.age" ] && [ -f "$T/vault/keys/admin/0/$data_id.age" ] || fail "data keys"
[ ! -e "$T/vault/keys/identity/0/$data_id.age" ] && [ ! -e "$T/vault/keys/signing/0/$data_id.age" ] || fail "data must not hold identity or signing keys"

# standard tools open a member's compartment key: age -d the identity, then the key file
age_decrypt_identity "$T/data.age" "$T/data.pass" "$T/data.txt"
age -d -i "$T/data.txt" "$T/vault/keys/facts/0/$data_id.age" >"$T/facts.txt"
grep -q "$(sed -n 's/^  facts: {epoch: 0, recipient: \(age1[a-z0-9]*\)}$/\1/p' "$T/vault/vault.yaml")" "$T/facts.txt" \
  || age-keygen -y "$T/facts.txt" | grep -q age1 || fail "the facts key must be age-keygen text"

# log
expect_status 0 as_creator log
[ "$(wc -l <"$T/out")" -eq 8 ] || fail "log must show 8 entries"
expect_contains "$T/out" "member_add"
expect_status 0 custody --vault "$T/vault" log --json
[ "$(jq -s 'length' "$T/out")" -eq 8 ] || fail "log --json prints one JSON line per entry"
jq -e -s '.[0].type == "entry" and .[0].kind == "admin" and .[1].kind == "seal"' "$T/out" >/dev/null || fail "log --json fields"
echo ok
