# The note of attach belongs to the file just before it (a.jpg --note X b.jpg --note Y); one before
# the first file is kept with every file without its own; two after one file are a usage error.
. "$(dirname "$0")/lib.sh"

make_vault
expect_status 0 as_creator record --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml"
id=$(cut -d" " -f1 "$T/out")
for name in left right back report; do printf '%s of the injuries\n' "$name" >"$T/$name.txt"; done

notes_of() { # the "name: note" of every attachment of the record, in order
  expect_status 0 as_creator show "$id"
  awk '/^  attachment [0-9]+:/ { name = $3 } /^    note / { sub(/^    note /, ""); print name ": " $0 }' "$T/out"
}

expect_status 0 as_creator attach "$id" "$T/left.txt" --note "left arm" "$T/right.txt" --note "right arm" \
  "$T/back.txt" --no-checkpoint
notes_of >"$T/notes"
printf '%s\n' "left.txt: left arm" "right.txt: right arm" >"$T/want"
diff "$T/want" "$T/notes" || fail "each note must go with the file before it (and back.txt has none)"
expect_status 0 as_creator show "$id" --json
jq -e '[.attachments[] | .note // null] == ["left arm", "right arm", null]' "$T/out" >/dev/null \
  || { cat "$T/out"; fail "show --json must give each attachment its own note"; }

# a note before the first file: every file without its own
expect_status 0 as_creator attach "$id" --note "from her phone" "$T/report.txt" "$T/back.txt" --note "the back" \
  --no-checkpoint
notes_of | tail -n 2 >"$T/notes"
printf '%s\n' "report.txt: from her phone" "back.txt: the back" >"$T/want"
diff "$T/want" "$T/notes" || fail "a note before the files goes with each file without its own"

# two notes for one file: usage error, nothing attached
before=$(snapshot "$T/vault")
expect_status 2 as_creator attach "$id" "$T/left.txt" --note one --note two
expect_contains "$T/err" "two notes for"
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a refused attach changed the vault"
echo ok
