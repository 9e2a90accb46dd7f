# man/custody-vault.5 restates the numbered invariants of docs/formats.md section 11 (Invariants): same numbers,
# same sentences once markdown and roff markup and whitespace are normalised away.
. "$(dirname "$0")/lib.sh"

doc=$CUSTODY_SOURCE/docs/formats.md
page=$CUSTODY_SOURCE/man/custody-vault.5
[ -f "$doc" ] || fail "$doc is missing"
[ -f "$page" ] || fail "$page is missing"
command -v groff >/dev/null \
  || fail "groff is not installed (Debian package groff-base; add it to scripts/setup)"

# One item per line, "N. text", whitespace collapsed.
squeeze() {
  sed -e 's/[[:space:]]\{1,\}/ /g' -e 's/^ //' -e 's/ $//'
}

# docs/formats.md: the numbered list under "## 10." up to the next heading; an item runs on over
# indented continuation lines. Markup removed: `code`, **bold**, *emphasis*, [links](...).
awk '
  /^## [0-9]+\. Invariants/ { inside = 1; next }
  inside && /^#/ { inside = 0 }
  !inside { next }
  /^[0-9]+\.[ \t]/ { if (item != "") print item; item = $0; next }
  /^[ \t]+[^ \t]/ && item != "" { item = item " " $0; next }
  /^[ \t]*$/ { if (item != "") print item; item = ""; next }
  END { if (item != "") print item }' "$doc" |
  sed -e 's/`//g' -e 's/\*\*//g' -e 's/\*\([^*]*\)\*/\1/g' -e 's/\[\([^]]*\)\]([^)]*)/\1/g' |
  squeeze >"$T/doc.txt"

# custody-vault.5: rendered as plain text on one very long line per paragraph (so no roff escape,
# font change or line break survives), then the numbered items of the INVARIANTS section.
LC_ALL=C groff -man -Tascii -P-cbou -rLL=3000n -rHY=0 "$page" 2>"$T/groff.err" >"$T/page.rendered" \
  || { cat "$T/groff.err" >&2; fail "groff could not render $page"; }
awk '
  /^INVARIANTS[ \t]*$/ { inside = 1; next }
  inside && /^[A-Z]/ { inside = 0 }
  !inside { next }
  /^[ \t]+[0-9]+\.[ \t]/ { if (item != "") print item; item = $0; next }
  /^[ \t]+[^ \t]/ && item != "" { item = item " " $0; next }
  /^[ \t]*$/ { if (item != "") print item; item = ""; next }
  END { if (item != "") print item }' "$T/page.rendered" |
  squeeze >"$T/page.txt"

[ -s "$T/doc.txt" ] || fail "found no numbered invariants in section 11 (Invariants) of docs/formats.md"
[ -s "$T/page.txt" ] || fail "found no numbered invariants in the INVARIANTS section of man/custody-vault.5"

# The numbers run 1, 2, 3, ... in the document.
awk -F. '$1 != NR { print "docs/formats.md section 11 (Invariants): item " NR " is numbered " $1; bad = 1 } END { exit bad }' \
  "$T/doc.txt" >&2 || fail "docs/formats.md section 11 (Invariants) is not numbered 1, 2, 3, ..."

if ! diff -u --label "docs/formats.md section 11 (Invariants)" --label "man/custody-vault.5 INVARIANTS" \
  "$T/doc.txt" "$T/page.txt" >"$T/diff"; then
  cat "$T/diff" >&2
  fail "the invariants of man/custody-vault.5 differ from docs/formats.md section 11 (Invariants) (diff above)"
fi
echo "formats doc: $(wc -l <"$T/doc.txt") invariants agree between docs/formats.md and custody-vault.5"
