# custody key new / key show: identities, cards, passphrase rules.
. "$(dirname "$0")/lib.sh"

make_passphrase "$T/a.pass"
expect_status 0 custody key new --out "$T/a.age" --passphrase-file "$T/a.pass" --work-factor 10
grep -qE '^age1[0-9a-z]{58}$' "$T/out" || fail "key new must print the age1 recipient"
[ -f "$T/a.age" ] && [ -f "$T/a.age.card" ] || fail "key new must write FILE and FILE.card"
head -c 21 "$T/a.age" | grep -q 'age-encryption.org/v1' || fail "the identity must be an age file"
[ "$(stat -c %a "$T/a.age")" = 600 ] || fail "the identity must be mode 0600"
expect_contains "$T/err" "weak"
recipient=$(cat "$T/out")
grep -q "^custody-card-v1 $recipient " "$T/a.age.card" || fail "the card must hold the recipient"

# key show prints the same card
expect_status 0 custody key show "$T/a.age" --passphrase-file "$T/a.pass"
cmp -s "$T/out" "$T/a.age.card" || fail "key show must print FILE.card"
expect_status 0 custody key show "$T/a.age" --passphrase-file "$T/a.pass" --json
jq -e --arg r "$recipient" '.type == "card" and .recipient == $r' "$T/out" >/dev/null || fail "key show --json"

# Debian's age opens the identity with the passphrase, and it is age-keygen text
age_decrypt_identity "$T/a.age" "$T/a.pass" "$T/a.txt"
grep -q '^AGE-SECRET-KEY-1' "$T/a.txt" || fail "age -d must open the identity"
[ "$(age-keygen -y "$T/a.txt")" = "$recipient" ] || fail "age-keygen -y must give the same recipient"
# and a plain age-keygen identity gives the same card
expect_status 0 custody key show "$T/a.txt"
cmp -s "$T/out" "$T/a.age.card" || fail "a plain identity must give the same card"

# a bare file name in the current directory (its directory is ".", not "")
(cd "$T" && "$CUSTODY_BIN" key new --out bare.age --passphrase-file a.pass --work-factor 10 >out 2>err) \
  || { cat "$T/err"; fail "key new with a bare --out"; }
[ -f "$T/bare.age" ] && [ -f "$T/bare.age.card" ] || fail "key new with a bare --out must write both files"

# never overwrite
expect_status 3 custody key new --out "$T/a.age" --passphrase-file "$T/a.pass" --work-factor 10
expect_contains "$T/err" "already exists"

# wrong passphrase: exit 5, secret never echoed
echo "not-the-passphrase" >"$T/wrong.pass"; chmod 600 "$T/wrong.pass"
expect_status 5 custody key show "$T/a.age" --passphrase-file "$T/wrong.pass"
expect_contains "$T/err" "wrong passphrase"
expect_not_contains "$T/err" "not-the-passphrase"

# no terminal and no passphrase file: exit 2 with a hint, never a hang
expect_status 2 timeout 20 setsid "$CUSTODY_BIN" key new --out "$T/b.age" --work-factor 10
expect_contains "$T/err" "--passphrase-file"
[ ! -e "$T/b.age" ] || fail "nothing may be written"

# empty passphrase refused; a passphrase file readable by others draws a warning
: >"$T/empty.pass"; chmod 600 "$T/empty.pass"
expect_status 3 custody key new --out "$T/c.age" --passphrase-file "$T/empty.pass" --work-factor 10
[ ! -e "$T/c.age" ] || fail "nothing may be written"
make_passphrase "$T/open.pass"; chmod 644 "$T/open.pass"
expect_status 0 custody key new --out "$T/d.age" --passphrase-file "$T/open.pass" --work-factor 10
expect_contains "$T/err" "readable by others"

# bad work factors are usage errors
expect_status 2 custody key new --out "$T/e.age" --passphrase-file "$T/a.pass" --work-factor 30

# a tampered card is refused
sed 's/custody-card-v1 age1./custody-card-v1 age1q/' "$T/a.age.card" >"$T/bad.card"
echo ok
