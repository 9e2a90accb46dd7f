# verify names every kind of damage: a flipped byte in a ledger line, HEAD, an object or a key
# file; a swapped vault.yaml or custody.pub; an entry appended by hand without a seal.
. "$(dirname "$0")/lib.sh"

make_vault
make_identity data
as_creator key add --role data "$T/data.age.card" >/dev/null 2>&1 || fail "key add"
cp -a "$T/vault" "$T/pristine"
restore() { rm -rf "$T/vault"; cp -a "$T/pristine" "$T/vault"; }

flip_byte() { # FILE OFFSET: replaces the byte with another printable one of the same class
  local c
  c=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null)
  local r=a; [ "$c" = a ] && r=b; [ "$c" = 0 ] && r=1; [ "$c" = '{' ] && r='['
  printf '%s' "$r" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

segment="$T/vault/ledger/000000.jsonl"
lines=$(wc -l <"$segment")
# one byte in each line, at a hex digit of its prev or commit
for n in $(seq 1 "$lines"); do
  restore
  offset=$(head -n $((n - 1)) "$segment" | wc -c)
  line=$(sed -n "${n}p" "$segment")
  within=$(($(printf '%s' "$line" | grep -bo '"commit":"' | head -1 | cut -d: -f1) + 12))
  flip_byte "$segment" $((offset + within))
  expect_status 1 as_creator verify
  expect_contains "$T/err" "FAILED"
  expect_contains "$T/err" "ledger/000000.jsonl"
done

# any byte, anywhere in the segment: 40 random offsets, each flipped by XOR 0x01 (which can turn
# a newline into another byte, or a digit into another digit)
size=$(stat -c %s "$segment")
for offset in $(shuf -i 0-$((size - 1)) -n 40); do
  restore
  perl -e 'open(my $f, "+<", $ARGV[0]) or die; seek($f, $ARGV[1], 0); read($f, my $c, 1);
           seek($f, $ARGV[1], 0); print $f chr(ord($c) ^ 1); close($f)' "$segment" "$offset"
  status=0
  as_creator verify >"$T/out" 2>"$T/err" || status=$?
  [ "$status" -eq 1 ] || { cat "$T/err"; fail "a flipped byte at offset $offset: exit $status, expected 1"; }
  grep -qE "ledger/(000000.jsonl|HEAD)" "$T/err" || { cat "$T/err"; fail "offset $offset: the problem must be named"; }
done

# the year of the last entry's time, one digit up (a flip the random offsets found): the ledger no
# longer matches HEAD, which verify names, rather than taking it for a rollback
restore
last_start=$(($(wc -c <"$segment") - $(tail -n 1 "$segment" | wc -c)))
within=$(tail -n 1 "$segment" | grep -bo '"t":"20' | head -1 | cut -d: -f1)
flip_byte "$segment" $((last_start + within + 8))
expect_status 1 as_creator verify
grep -qE "ledger/(000000.jsonl|HEAD)" "$T/err" || { cat "$T/err"; fail "the last entry's year: the problem must be named"; }

# an epoch digit: an epoch the signed state does not know is damage (exit 1), not a missing key
# (exit 5); the random flips above found this one now and then
for n in 1 2; do
  restore
  sed -i "${n}s/\"epoch\":0/\"epoch\":1/" "$segment"
  expect_status 1 as_creator verify
  expect_contains "$T/err" "epoch"
done

# HEAD
restore
flip_byte "$T/vault/ledger/HEAD" 5
expect_status 1 as_creator verify
expect_contains "$T/err" "HEAD"

# an object
restore
obj=$(find "$T/vault/objects" -type f | head -1)
size=$(stat -c %s "$obj")
flip_byte "$obj" $((size / 2))
expect_status 1 as_creator verify
expect_contains "$T/err" "object"

# a key file
restore
keyfile=$(find "$T/vault/keys/facts" -type f | head -1)
printf 'x' >>"$keyfile"
expect_status 1 as_creator verify
expect_contains "$T/err" "key file"

# a swapped vault.yaml: verify fails, and writers refuse
restore
sed -i 's/role: data/role: legal/' "$T/vault/vault.yaml"
expect_status 1 as_creator verify
expect_contains "$T/err" "vault.yaml"
make_identity x
expect_status 1 as_creator key add --role data "$T/x.age.card"
expect_contains "$T/err" "vault.yaml"

# a swapped custody.pub (another vault's key)
restore
mkdir "$T/other" && (cd "$T/other" && T="$T/other" make_vault)
cp "$T/other/vault/custody.pub" "$T/vault/custody.pub"
expect_status 1 as_creator verify
expect_contains "$T/err" "custody.pub"
expect_status 1 as_creator key add --role data "$T/x.age.card"

# R8: custody.pub's untrusted comment line changed, the key kept: the init entry commits to the file
restore
sed -i '1s/public/pub1ic/' "$T/vault/custody.pub"
expect_status 1 as_creator verify
expect_contains "$T/err" "custody.pub was changed"

# R10: a changed vault.yaml is a failure that names it; --repair keeps it aside as evidence and
# writes the signed state again
restore
sed -i 's/^format: 1$/format: 2/' "$T/vault/vault.yaml"
expect_status 1 as_creator verify
expect_contains "$T/err" "vault.yaml disagrees"
expect_not_contains "$T/err" "delete"
expect_status 0 as_creator verify --repair
ls "$T/vault"/vault.yaml.rejected-* >/dev/null 2>&1 || fail "verify --repair keeps the changed vault.yaml"
grep -q "^format: 2$" "$T/vault"/vault.yaml.rejected-* || fail "the kept vault.yaml is the changed one"
expect_status 0 as_creator verify

# R10: an unlisted key file is ignored and noted (exit 0); --repair moves it to unlisted/
restore
mkdir -p "$T/vault/keys/admin/99"
cp "$T/vault/keys/admin/0/"*.age "$T/vault/keys/admin/99/"
expect_status 0 as_creator verify
expect_contains "$T/err" "not listed by any signed admin entry"
expect_status 0 as_creator list
expect_status 0 as_creator verify --repair
[ -d "$T/vault/unlisted/keys/admin/99" ] || fail "verify --repair moves an unlisted key file to unlisted/"
[ ! -e "$T/vault/keys/admin/99" ] || [ -z "$(ls "$T/vault/keys/admin/99")" ] || fail "nothing unlisted stays in keys/"

# an entry appended by hand: well formed, chained, naming a real object, but sealed by no one
restore
last=$(tail -n1 "$segment")
prev=$(printf '%s' "$last" | sha256sum | cut -d' ' -f1)
seq=$(($(wc -l <"$segment")))
# a record's shape (4 payloads), made of the last entry's payload, so only the seal is missing
payload=$(printf '%s' "$last" | sed -n 's/.*"payloads":\[\([^]]*\)\].*/\1/p')
payload="[$payload,$payload,$payload,$payload]"
line="{\"kind\":\"put\",\"payloads\":$payload,\"prev\":\"$prev\",\"seq\":$seq,\"t\":\"2026-11-23T20:00:00Z\",\"v\":1}"
printf '%s\n' "$line" >>"$segment"
printf '%s %s\n' "$seq" "$(printf '%s' "$line" | sha256sum | cut -d' ' -f1)" >"$T/vault/ledger/HEAD"
expect_status 0 custody --vault "$T/vault" verify   # the envelope alone is fine...
expect_status 1 as_creator verify                   # ...but no member sealed it
expect_contains "$T/err" "not covered by any seal"
expect_status 1 as_creator key add --role data "$T/x.age.card"
expect_contains "$T/err" "seal"

# a pinned vault whose signing key changed everywhere is refused
restore
expect_status 0 as_creator verify
sed -i "s/ RW.*/ RWQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/" "$T/known_vaults"
expect_status 1 as_creator verify
expect_contains "$T/err" "pinned"
echo ok
