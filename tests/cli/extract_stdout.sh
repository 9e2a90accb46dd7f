# extract -o - writes an attachment's exact bytes to standard output (as age -d and gpg -d do),
# checked by sha256sum; it refuses a terminal (status 3) and --json beside it; and a replaced object
# that decrypts but is not the file recorded fails with status 1 once its bytes are out.
. "$(dirname "$0")/lib.sh"

make_vault
expect_status 0 as_creator record --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml"
id=$(cut -d" " -f1 "$T/out")
# a little over 1 MiB with zero bytes and no trailing newline, so that text handling would show
head -c 1100000 /dev/urandom >"$T/threat.ogg"
printf '\0\0tail' >>"$T/threat.ogg"
want=$(sha256sum "$T/threat.ogg" | cut -d' ' -f1)
expect_status 0 as_creator attach "$id" "$T/threat.ogg" --no-checkpoint --json
object=$(jq -r '.attachments[0].object' "$T/out")

# to a pipe: the exact bytes, the summary on standard error
as_creator extract "$id" 1 -o - 2>"$T/err" | sha256sum >"$T/sum"
[ "$(cut -d' ' -f1 "$T/sum")" = "$want" ] || { cat "$T/err"; fail "extract -o - | sha256sum differs"; }
expect_contains "$T/err" "to standard output"
expect_contains "$T/err" "$want"
# to a redirected file
expect_status 0 as_creator extract "$id" 1 -o -
[ "$(sha256sum <"$T/out" | cut -d' ' -f1)" = "$want" ] || fail "extract -o - > FILE differs"
cmp "$T/out" "$T/threat.ogg" || fail "the bytes differ"
# -q: the bytes, and nothing on standard error
expect_status 0 as_creator -q extract "$id" 1 -o -
[ ! -s "$T/err" ] || { cat "$T/err"; fail "-q extract -o - printed on standard error"; }
cmp "$T/out" "$T/threat.ogg" || fail "the bytes differ with -q"
# a file named "-" is not made
[ ! -e ./- ] && [ ! -e "$T/-" ] || fail "a file named - was written"

# a terminal is refused: nothing written to it (util-linux script gives a pty)
script -qec "'$CUSTODY_BIN' --vault '$T/vault' --identity '$T/creator.age' --passphrase-file '$T/creator.pass' extract $id 1 -o -; echo \"status=\$?\"" \
  /dev/null </dev/null >"$T/pty" 2>&1 || true
expect_contains "$T/pty" "status=3"
expect_contains "$T/pty" "standard output, which is a terminal; nothing was written"
[ "$(wc -c <"$T/pty")" -lt 2000 ] || fail "bytes reached the terminal"
# --json wants standard output too
expect_status 2 as_creator extract "$id" 1 -o - --json
expect_contains "$T/err" "both want standard output"

# an object replaced by another file encrypted to the same compartment: it decrypts, its bytes go
# out, and the hash recorded at attach time fails it (status 1)
path="$T/vault/objects/${object:0:2}/${object:2}"
age_decrypt_identity "$T/creator.age" "$T/creator.pass" "$T/creator.plain"
for wrapped in "$T/vault"/keys/identity/0/*.age; do
  if age -d -i "$T/creator.plain" -o "$T/identity-compartment.txt" "$wrapped" 2>/dev/null; then break; fi
done
[ -s "$T/identity-compartment.txt" ] || fail "could not unwrap the identity compartment key"
recipient=$(age-keygen -y "$T/identity-compartment.txt")
head -c 1100006 /dev/urandom | age -r "$recipient" -o "$T/forged"
chmod u+w "$path" 2>/dev/null || true
cp "$T/forged" "$path"
got=0
as_creator extract "$id" 1 -o - >"$T/forged.out" 2>"$T/err" || got=$?
[ "$got" -eq 1 ] || { cat "$T/err"; fail "a replaced object must fail extract -o - with 1 ($got)"; }
[ -s "$T/forged.out" ] || fail "the bytes of a decryptable object go out before its hash is known"
expect_contains "$T/err" "custody: error:"
echo ok
