# custody export --recipe bulletin.yaml (issue 16): an Ugly Mugs safety alert from the consenting
# reports of a period, in regions and months, worded "reported"; nothing of the people who reported
# (names, phones, references, narratives, districts, days, places, record ids) in any channel; the
# k-area rule (one report alone in its region gives no item); two spellings of a plate and `+44 7…`
# and `07…` of one phone link three reports as one aggressor, in a band; reports younger than the
# delay wait; SMS parts within GSM-7's lengths; bulletin.html a valid standalone document with every
# recorded text escaped (a description holding markup); written only after a second member
# approved exactly the four channels; a retraction names the withdrawn item by its number alone.
. "$(dirname "$0")/lib.sh"

recipe="$CUSTODY_SOURCE/examples/recipes/bulletin.yaml"
base="$CUSTODY_SOURCE/examples/incidents/03-rape-by-client-dockside.yaml"
make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
admit advocacy adv second
admit data dat

# Four reports of June 2024: three in Waterfront (one aggressor, linked by plate and phone), one
# alone in Old Town.
form() { # N PERSON NAME PLATE AGGRESSOR-PHONE DISTRICT
  sed -e "s/P-0145/$2/" -e "s/Zawadi Achieng/$3/" -e "s/+000 722 000 145/+000 722 000 2$1/" \
    -e "s/plate: \"XX 000 B\"/plate: \"$4\"/" -e "s/+000 722 000 031/$5/" \
    -e "s/district: dockside/district: $6/" "$base" >"$T/form$1.yaml"
  # (the first report's modus operandi gives a number in its free text: the approver sees it marked)
  [ "$1" != 01 ] || sed -i 's/takes money and phone\./takes money and phone. Texts from +254 711 000 777./' "$T/form$1.yaml"
  # (and its description holds markup, which the HTML channel must escape)
  [ "$1" != 01 ] || sed -i 's/with a torn$/with a torn <script>alert(1)<\/script> \& "lined"/' "$T/form$1.yaml"
  as_creator record --form "$T/form$1.yaml" >/dev/null 2>&1 || fail "record form $1"
}
form 01 P-2001 "Amina Otieno" "XX 000 B" "+000 722 000 031" dockside
form 02 P-2002 "Neema Wanjiru" "xx-000b" "+44 7700 900123" dockside
form 03 P-2003 "Halima Said" "KBA 123C" "07700 900123" lighthouse
form 04 P-2004 "Rehema Ali" "KCC 999Z" "+000 700 000 999" central_market
# (each member's first reading saves her shards: done before the snapshots)
first=$(as_creator list --json 2>/dev/null | jq -r '.records[0].id')
for who in adv second; do as_member "$who" show "$first" >/dev/null 2>&1 || fail "show as $who"; done
as_member dat list >/dev/null 2>&1 || fail "list as data"
sed -e 's/from: 2025-01/from: 2024-01/' -e 's/to: 2025-06/to: 2024-12/' -e 's/phone_region: KE/phone_region: GB/' \
  "$recipe" >"$T/bulletin.yaml"
export CUSTODY_TEST_CLOCK_AHEAD_HOURS=48

# Refusals: nothing written, nothing appended.
before=$(snapshot "$T/vault")
CUSTODY_TEST_CLOCK_AHEAD_HOURS=0 expect_status 3 as_member adv export --recipe "$T/bulletin.yaml" --dry-run
expect_contains "$T/err" "too recent"
expect_status 5 as_member dat export --recipe "$T/bulletin.yaml" --dry-run
expect_status 2 as_member adv export --recipe "$T/bulletin.yaml" --dry-run "$(ls "$T" | head -1)"
sed 's/from: 2024-01/from: 2024-13/' "$T/bulletin.yaml" >"$T/bad.yaml"
expect_status 3 as_member adv export --recipe "$T/bad.yaml" --dry-run
expect_contains "$T/err" "line"
sed 's/delay_hours: 24/delay_hours: 2/' "$T/bulletin.yaml" >"$T/bad.yaml"
expect_status 3 as_member adv export --recipe "$T/bad.yaml" --dry-run
expect_status 1 as_member adv export --recipe "$T/bulletin.yaml" -o "$T/alert"
[ "$(snapshot "$T/vault")" = "$before" ] || { diff <(echo "$before") <(snapshot "$T/vault") >&2; fail "a refused bulletin changed the vault"; }
[ ! -e "$T/alert" ] || fail "a refused bulletin was written"

# What would go out.
expect_status 0 as_member adv export --recipe "$T/bulletin.yaml" --dry-run
cp "$T/out" "$T/shown"
expect_contains "$T/err" "3 items; 1 report withheld"
[ "$(grep -c '^[0-9]\. Waterfront, 2024-06$' "$T/shown")" -eq 3 ] || { cat "$T/shown" >&2; fail "three Waterfront items of June 2024"; }
expect_not_contains "$T/shown" "Old Town"
[ "$(grep -c '^   Reported 2-4 times\.$' "$T/shown")" -eq 3 ] || fail "the linked reports are not banded in the text"
[ "$(grep -c '^- Reported 2-4 times\.$' "$T/shown")" -eq 3 ] || fail "the linked reports are not banded in the Markdown"
expect_contains "$T/shown" "Vehicle reported: dark green older saloon car, plate XX 000 B"
for canary in Zawadi Amina Neema Halima Rehema P-20 "+000 722 000 2" Dockside dockside Lighthouse \
  "2024-06-09" "road behind" Mteja "7700" "+44" KCC; do
  expect_not_contains "$T/shown" "$canary"
done
for id in $(as_creator list --json 2>/dev/null | jq -r '.records[].id'); do
  expect_not_contains "$T/shown" "$id"
done

# SMS parts within GSM-7's lengths, and the plate never split.
awk '/^=== bulletin-sms.txt/ { on = 1; next } on' "$T/shown" >"$T/sms"
python3 - "$T/sms" <<'PY' || fail "an SMS part is too long or splits a plate"
import re, sys
parts = re.split(r'^\[\d+/\d+\]\n', open(sys.argv[1], encoding='utf-8').read(), flags=re.M)[1:]
parts = [p[:-2] if p.endswith('\n\n') else p for p in parts]
assert parts, 'no parts'
limit = 160 if len(parts) == 1 else 153
for p in parts:
    assert len(p) <= limit, (len(p), p)
    assert not p.endswith('XX 000') and not p.startswith(' B'), p
PY

# Proposed by one advocacy member, approved by another (never by herself, never by data).
expect_status 0 as_member adv export --recipe "$T/bulletin.yaml" --propose --json
proposal=$(jq .seq "$T/out")
expect_status 5 as_member adv approve "$proposal" --yes
expect_status 5 as_member dat approve "$proposal" --yes
expect_status 0 as_member second approve "$proposal" --yes
expect_contains "$T/out" "[[PHONE: +254 711 000 777]]"
expect_contains "$T/err" "passage"
expect_status 0 as_member adv export --recipe "$T/bulletin.yaml" --json -o "$T/alert"
jq -e '.items == 3 and .proposal == '"$proposal" "$T/out" >/dev/null || fail "export --json"
for file in bulletin.txt bulletin.md bulletin.html bulletin-sms.txt; do
  [ -s "$T/alert/$file" ] || fail "$file is missing"
done
awk '/^=== bulletin.txt ===$/ { on = 1; next } /^=== bulletin.md ===$/ { on = 0 } on' "$T/shown" | sed '$d' >"$T/shown.txt"
cmp -s "$T/alert/bulletin.txt" "$T/shown.txt" || { diff "$T/alert/bulletin.txt" "$T/shown.txt" >&2; fail "bulletin.txt is not what was approved"; }
grep -q '^## 1\. Waterfront, 2024-06$' "$T/alert/bulletin.md" || fail "bulletin.md"
# bulletin.html: the approved channel byte for byte, valid HTML to libxml2, standalone, the
# items in it and every recorded text escaped.
awk '/^=== bulletin.html ===$/ { on = 1; next } /^=== bulletin-sms.txt/ { on = 0 } on' "$T/shown" | sed '$d' >"$T/shown.html"
cmp -s "$T/alert/bulletin.html" "$T/shown.html" || { diff "$T/alert/bulletin.html" "$T/shown.html" >&2; fail "bulletin.html is not what was approved"; }
html_valid() { # FILE
  xmllint --html --noout "$1" 2>"$T/xmllint" || fail "xmllint refused $1"
  [ ! -s "$T/xmllint" ] || { cat "$T/xmllint" >&2; fail "$1 is not valid HTML to libxml2"; }
  head -2 "$1" | tr -d '\n' | grep -qx '<!DOCTYPE html><html lang="en">' || fail "$1: no doctype or lang"
  grep -q '^<meta charset="utf-8">$' "$1" || fail "$1: no charset"
  grep -q '^<title>[^<]' "$1" || fail "$1: no title"
  for absent in '<script' 'src=' 'href=' '<link' '<img' 'url(' '@import'; do
    expect_not_contains "$1" "$absent"
  done
}
html_valid "$T/alert/bulletin.html"
[ "$(grep -c '^<h2>[0-9]\. Waterfront, 2024-06</h2>$' "$T/alert/bulletin.html")" -eq 3 ] || fail "three Waterfront items in the HTML"
expect_contains "$T/alert/bulletin.html" "with a torn &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;lined&quot;"
expect_contains "$T/alert/bulletin.html" "<li><strong>Vehicle reported:</strong> dark green older saloon car, plate XX 000 B</li>"
[ "$(grep -c '^<li>Reported 2-4 times\.</li>$' "$T/alert/bulletin.html")" -eq 3 ] || fail "the linked reports are not banded in the HTML"
for canary in Zawadi Amina Neema Halima Rehema P-20 "+000 722 000 2" Dockside dockside Lighthouse \
  "2024-06-09" "road behind" Mteja "7700" "+44" KCC; do
  expect_not_contains "$T/alert/bulletin.html" "$canary"
done
# What the text channels carry as recorded, the HTML carries escaped (python's parser, another
# reader, gives the text back).
python3 - "$T/alert/bulletin.html" <<'PY' || fail "the HTML's text is not the recorded text"
import html.parser, sys
class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True); self.data = []; self.tags = set()
    def handle_starttag(self, tag, attrs): self.tags.add(tag)
    def handle_data(self, data): self.data.append(data)
t = Text(); t.feed(open(sys.argv[1], encoding='utf-8').read())
text = ''.join(t.data)
assert 'with a torn <script>alert(1)</script> & "lined"' in text, text
assert 'script' not in t.tags, t.tags
PY
expect_status 0 as_creator verify --deep --index

# A retraction: item 2 withdrawn by number alone, proposed and approved as a bulletin is.
expect_status 3 as_member adv export --recipe "$T/bulletin.yaml" --retract 4 --dry-run
expect_contains "$T/err" "has 3 items"
expect_status 2 as_member adv export --recipe "$CUSTODY_SOURCE/examples/recipes/court.yaml" --retract 1 --dry-run
expect_status 0 as_member adv export --recipe "$T/bulletin.yaml" --retract 2 --propose --json
retraction=$(jq .seq "$T/out")
expect_status 1 as_member adv export --recipe "$T/bulletin.yaml" --retract 2 -o "$T/retraction"
expect_status 0 as_member second approve "$retraction" --yes
expect_status 0 as_member adv export --recipe "$T/bulletin.yaml" --retract 2 --json -o "$T/retraction"
jq -e '.retracts_item == 2 and .proposal == '"$retraction" "$T/out" >/dev/null || fail "retraction --json"
expect_contains "$T/retraction/bulletin.txt" "Item 2 of our safety alert on reports from 2024-01 to 2024-12 is withdrawn."
html_valid "$T/retraction/bulletin.html"
expect_contains "$T/retraction/bulletin.html" "<p>Item 2 of our safety alert on reports from 2024-01 to 2024-12 is withdrawn. Please disregard it.</p>"
for canary in Waterfront "2024-06" saloon XX Reported; do
  expect_not_contains "$T/retraction/bulletin.txt" "$canary"
  expect_not_contains "$T/retraction/bulletin.html" "$canary"
  expect_not_contains "$T/retraction/bulletin-sms.txt" "$canary"
done

# The policy's least k, raised by a legal member (never by advocacy, never lowered): three
# persons' reports in Waterfront are then too few, and nothing may go out.
expect_status 5 as_member adv policy --bulletin-min-reports 4
expect_status 3 as_creator policy --bulletin-min-reports 3
expect_contains "$T/err" "can only be raised"
expect_status 0 as_creator policy --bulletin-min-reports 4 --json
jq -e '.bulletin_min_reports == 4' "$T/out" >/dev/null || fail "policy --json"
expect_status 3 as_member adv export --recipe "$T/bulletin.yaml" --dry-run
expect_contains "$T/err" "below the policy's 4"
expect_status 0 as_creator verify --deep --index
