# age interop both ways between custody_agetool (our age module) and Debian's age 1.1.1.
# Covers keys, X25519 files binary and armored at chunk-boundary sizes, and passphrase files.
source "$(dirname "$0")/lib.sh"

tool="$CUSTODY_TOOLS/custody_agetool"
[ -x "$tool" ] || fail "missing $tool"
command -v age >/dev/null || fail "age is not installed (scripts/setup installs it)"
command -v age-keygen >/dev/null || fail "age-keygen is not installed"
command -v script >/dev/null || fail "script (util-linux) is not installed"

# age 1.1.1 opens `-o` only when it writes the first byte, so where age decrypts to a file,
# stdout is redirected instead and an empty plaintext still gives an empty file.

# age 1.1.1 reads passphrases only from a terminal: run it on a pty made by util-linux `script`,
# which copies our stdin (the passphrase lines) to the pty. `-e` returns age's exit status.
age_on_pty() { # INPUT_LINES AGE_ARGS...
  local input=$1
  shift
  printf '%s' "$input" | script -qec "age $(printf '%q ' "$@")" /dev/null >"$T/pty.log" 2>&1
}

# --- keys ------------------------------------------------------------------------------------
"$tool" keygen "$T/ours.key" >"$T/ours.recipient" || fail "custody_agetool keygen"
[ "$(stat -c %a "$T/ours.key")" = 600 ] || fail "identity file is not mode 0600"
head -1 "$T/ours.key" | grep -Eq '^# created: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' \
  || fail "bad created line"
sed -n 2p "$T/ours.key" | grep -q "^# public key: $(cat "$T/ours.recipient")$" \
  || fail "bad public key line"
# Our identity file parses in age-keygen and gives the recipient we printed.
[ "$(age-keygen -y "$T/ours.key")" = "$(cat "$T/ours.recipient")" ] \
  || fail "age-keygen -y disagrees with our recipient"

age-keygen -o "$T/theirs.key" 2>/dev/null || fail "age-keygen"
age-keygen -y "$T/theirs.key" >"$T/theirs.recipient"
# age-keygen's identity file parses in ours and gives the same recipient.
"$tool" recipient "$T/theirs.key" >"$T/theirs.recipient.ours" || fail "recipient of theirs.key"
cmp -s "$T/theirs.recipient" "$T/theirs.recipient.ours" || fail "recipient of age-keygen key differs"

ours_r=$(cat "$T/ours.recipient")
theirs_r=$(cat "$T/theirs.recipient")

# --- X25519, both directions ------------------------------------------------------------------
sizes="0 1 65535 65536 65537 131072 4194304 $((3 * 1024 * 1024 + 17))"
for size in $sizes; do
  head -c "$size" /dev/urandom >"$T/plain"

  for armor in "" "-a"; do
    what="size $size${armor:+ armored}"

    # ours -> age
    "$tool" encrypt $armor -r "$theirs_r" -r "$ours_r" <"$T/plain" >"$T/ours.age" \
      || fail "ours encrypt ($what)"
    if [ -n "$armor" ]; then
      head -1 "$T/ours.age" | grep -qx -- '-----BEGIN AGE ENCRYPTED FILE-----' \
        || fail "not armored ($what)"
    fi
    age -d -i "$T/theirs.key" "$T/ours.age" >"$T/out" || fail "age -d of ours ($what)"
    cmp -s "$T/plain" "$T/out" || fail "age decrypted ours to different bytes ($what)"
    age -d -i "$T/ours.key" "$T/ours.age" >"$T/out" || fail "age -d -i ours.key ($what)"
    cmp -s "$T/plain" "$T/out" || fail "age with our identity file: different bytes ($what)"

    # age -> ours
    age -e $armor -r "$ours_r" -o "$T/theirs.age" "$T/plain" || fail "age -r ($what)"
    "$tool" decrypt -i "$T/ours.key" <"$T/theirs.age" >"$T/out" || fail "ours decrypt ($what)"
    cmp -s "$T/plain" "$T/out" || fail "ours decrypted age -r to different bytes ($what)"
  done
done

# age -R with a recipients file naming several recipients, opened with age-keygen's identity.
printf '# recipients\n%s\n%s\n' "$ours_r" "$theirs_r" >"$T/recipients.txt"
head -c 70000 /dev/urandom >"$T/plain"
age -R "$T/recipients.txt" -o "$T/theirs.age" "$T/plain" || fail "age -R"
"$tool" decrypt -i "$T/theirs.key" <"$T/theirs.age" >"$T/out" || fail "ours decrypt of age -R"
cmp -s "$T/plain" "$T/out" || fail "age -R round trip"
# ... and ours -R, opened by age.
"$tool" encrypt -R "$T/recipients.txt" <"$T/plain" >"$T/ours.age" || fail "ours encrypt -R"
age -d -i "$T/theirs.key" "$T/ours.age" >"$T/out" || fail "age -d of ours -R"
cmp -s "$T/plain" "$T/out" || fail "ours -R round trip"

# A file for someone else: ours says "no identity matches"; age refuses ours likewise.
age-keygen -o "$T/stranger.key" 2>/dev/null
code=0
"$tool" decrypt -i "$T/stranger.key" <"$T/theirs.age" >"$T/out" 2>"$T/err" || code=$?
[ "$code" -eq 1 ] || fail "decrypt with a stranger's key exited $code"
expect_contains "$T/err" "no identity matches"
if age -d -i "$T/stranger.key" "$T/ours.age" >"$T/out" 2>/dev/null; then
  fail "age decrypted ours with a stranger's key"
fi

# A flipped payload byte in our file is refused by age and by ours.
cp "$T/ours.age" "$T/tampered.age"
offset=$(($(stat -c %s "$T/tampered.age") - 20))
byte=$(od -An -tu1 -j "$offset" -N1 "$T/tampered.age" | tr -d ' ')
printf "\\$(printf %03o $((byte ^ 1)))" \
  | dd of="$T/tampered.age" bs=1 seek="$offset" conv=notrunc status=none
cmp -s "$T/ours.age" "$T/tampered.age" && fail "the byte was not flipped"
if age -d -i "$T/theirs.key" "$T/tampered.age" >"$T/out" 2>/dev/null; then
  fail "age accepted a tampered file"
fi
code=0
"$tool" decrypt -i "$T/theirs.key" <"$T/tampered.age" >"$T/out" 2>"$T/err" || code=$?
[ "$code" -eq 1 ] || fail "ours accepted a tampered file"
expect_contains "$T/err" "age payload:"

# --- passphrases ------------------------------------------------------------------------------
printf 'correct horse battery staple\n' >"$T/pass"
chmod 600 "$T/pass"
for size in 0 200000; do
  head -c "$size" /dev/urandom >"$T/plain"
  for armor in "" "-a"; do
    what="passphrase, size $size${armor:+ armored}"

    # ours -> age (on a pty, passphrase once)
    "$tool" encrypt-passphrase $armor --passphrase-file "$T/pass" --work-factor 10 \
      <"$T/plain" >"$T/ours.age" || fail "ours encrypt-passphrase ($what)"
    [ "$("$tool" work-factor <"$T/ours.age")" = 10 ] || fail "work factor of ours ($what)"
    rm -f "$T/out"
    age_on_pty $'correct horse battery staple\n' -d -o "$T/out" "$T/ours.age" \
      || { cat "$T/pty.log" >&2; fail "age -d of our passphrase file ($what)"; }
    # age opens -o lazily, on the first plaintext byte: no file means empty output.
    [ -e "$T/out" ] || : >"$T/out"
    cmp -s "$T/plain" "$T/out" || fail "age decrypted our passphrase file differently ($what)"

    # age -> ours (on a pty, passphrase twice to confirm)
    rm -f "$T/theirs.age"
    age_on_pty $'correct horse battery staple\ncorrect horse battery staple\n' \
      -p $armor -o "$T/theirs.age" "$T/plain" \
      || { cat "$T/pty.log" >&2; fail "age -p ($what)"; }
    "$tool" decrypt-passphrase --passphrase-file "$T/pass" <"$T/theirs.age" >"$T/out" \
      || fail "ours decrypt of age -p ($what)"
    cmp -s "$T/plain" "$T/out" || fail "ours decrypted age -p differently ($what)"
  done
done
# age -p writes its default work factor, which we can read without decrypting.
[ "$("$tool" work-factor <"$T/theirs.age")" = 18 ] || fail "work factor of age -p output"

# A wrong passphrase: ours fails with "wrong passphrase", and so does age on our file.
printf 'wrong\n' >"$T/wrong"
code=0
"$tool" decrypt-passphrase --passphrase-file "$T/wrong" <"$T/theirs.age" >"$T/out" 2>"$T/err" \
  || code=$?
[ "$code" -eq 1 ] || fail "wrong passphrase exited $code"
expect_contains "$T/err" "wrong passphrase"
if age_on_pty $'wrong\n' -d -o "$T/out2" "$T/ours.age"; then
  fail "age decrypted our file with a wrong passphrase"
fi

echo "age interop: ok"
