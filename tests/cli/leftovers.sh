# R12: a refused extract writes nothing, index included. R13: temp files a crash left (.tmp-*) are
# noted by verify and removed under the lock by the next writer or verify --repair. R14: terminal
# control characters in a file name, a path or free text never reach the terminal raw.
. "$(dirname "$0")/lib.sh"

make_vault
expect_status 0 as_creator record --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml"
id=$(cut -d" " -f1 "$T/out")

# R14: a file name that would clear the screen
name=$'clip\e[2J\a.mp4'
head -c 100 /dev/urandom >"$T/$name"
expect_status 0 as_creator attach "$id" "$T/$name" --no-checkpoint
if grep -q $'\e' "$T/out" "$T/err"; then fail "attach printed an escape character raw"; fi
expect_contains "$T/out" 'clip\x1b[2J\x07.mp4'
expect_status 0 as_creator list
expect_status 0 as_creator show "$id"
if grep -q $'\e' "$T/out" "$T/err"; then fail "show printed an escape character raw"; fi
expect_contains "$T/out" 'clip\x1b[2J\x07.mp4'
expect_status 0 as_creator show "$id" --json
jq -e --arg n "$name" '[.attachments[].name] | index($n) != null' "$T/out" >/dev/null \
  || fail "JSON keeps the exact name"
expect_status 3 as_creator record --form "$T/$name"
if grep -q $'\e' "$T/err"; then fail "an error message printed an escape character raw"; fi
# a byte that is not UTF-8 is escaped too: 0x9b alone is CSI to a terminal not in UTF-8 mode
expect_status 0 custody key new --out "$T/id"$'\x9b''2J.age' --passphrase-file "$T/creator.pass" --work-factor 10
if grep -q $'\x9b' "$T/out" "$T/err"; then fail "key new printed a lone 0x9b raw"; fi
expect_contains "$T/err" 'id\x9b2J.age'
# a file name in another encoding cannot be recorded as JSON: refused (3), not a crash (70)
latin=$'clip\xe9.mp4'
head -c 100 /dev/urandom >"$T/$latin"
expect_status 3 as_creator attach "$id" "$T/$latin" --no-checkpoint
expect_contains "$T/err" "its name is not UTF-8"
# free text another member wrote (a note, a narrative) is escaped when shown, line breaks kept
expect_status 0 as_creator attach "$id" "$T/$name" --note $'from her phone\e]0;pwned\a' --no-checkpoint
sed 's/^  text: |$/  text: "Line one\\e[2J\\nline two"/; /^    Usiku/,/^    lijulikane/d' \
  "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml" >"$T/escape.yaml"
expect_status 0 as_creator record --form "$T/escape.yaml" --no-checkpoint
escaped_id=$(cut -d" " -f1 "$T/out")
expect_status 0 as_creator show "$id"
expect_contains "$T/out" 'note from her phone\x1b]0;pwned\x07'
expect_status 0 as_creator show "$escaped_id"
if grep -q $'\e' "$T/out"; then fail "show printed free text with an escape character raw"; fi
expect_contains "$T/out" 'Line one\x1b[2J'
grep -q '^      line two$' "$T/out" || { cat "$T/out" >&2; fail "a line break in free text stays one"; }

# R12: refused for an existing output, nothing written (the caches it would have brought forward
# included)
expect_status 0 as_creator record --form "$CUSTODY_SOURCE/examples/incidents/02-unlawful-arrest-condoms.yaml" --no-checkpoint
touch "$T/exists"
before=$(snapshot "$T/vault")
expect_status 3 as_creator extract "$id" 1 -o "$T/exists"
expect_contains "$T/err" "already exists; nothing was written"
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a refused extract must leave the vault byte for byte unchanged"
[ ! -s "$T/exists" ] || fail "the existing file must be left alone"

# R13: leftovers in every directory a write makes them in
for dir in . ledger checkpoints keys/admin/0 "index/$(ls "$T/vault/index" | head -1)"; do
  printf 'leftover' >"$T/vault/$dir/.tmp-AbC123"
done
object_dir=$(ls -d "$T/vault/objects/"*/ | head -1)
printf 'leftover' >"$object_dir/.tmp-XyZ789"
expect_status 0 as_creator verify
for dir in ledger checkpoints keys/admin/0; do
  expect_contains "$T/err" "$dir/.tmp-AbC123 was left by an interrupted command; the next writer or"
done
# writers leave objects/ to verify --repair, and the note says so; each leftover is noted once, not
# also as an unnamed object or an unlisted key file
expect_contains "$T/err" ".tmp-XyZ789 was left by an interrupted command; \`custody verify --repair\` removes it"
expect_not_contains "$T/err" "is not named by any entry"
expect_not_contains "$T/err" "is not listed by any signed admin entry"
# the vault's top level and index/ too, and an envelope-only verify notes them alike
expect_contains "$T/err" "custody: .tmp-AbC123 was left by an interrupted command"
expect_contains "$T/err" "index/$(ls "$T/vault/index" | head -1)/.tmp-AbC123 was left"
expect_status 0 custody --vault "$T/vault" verify
expect_contains "$T/err" "ledger/.tmp-AbC123 was left by an interrupted command"
expect_contains "$T/err" ".tmp-XyZ789 was left by an interrupted command"
# a reader removes nothing
[ -f "$T/vault/ledger/.tmp-AbC123" ] || fail "a reader must not remove files"
# the next writer removes those outside objects/, under the lock
expect_status 0 as_creator record --form "$CUSTODY_SOURCE/examples/incidents/03-rape-by-client-dockside.yaml" --no-checkpoint
expect_contains "$T/err" "removed 5 temporary files"
[ -z "$(find "$T/vault" -name '.tmp-*' -not -path '*/objects/*')" ] || fail "the writer must remove the leftovers"
# verify --repair removes the rest
expect_status 0 as_creator verify --repair
[ -z "$(find "$T/vault" -name '.tmp-*')" ] || fail "verify --repair must remove every leftover"
expect_status 0 as_creator verify
expect_not_contains "$T/err" ".tmp-"
echo "ok: control characters escaped, a refused extract wrote nothing, leftovers noted once and removed"
