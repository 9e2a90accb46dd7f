# custody export --recipe dataset.yaml (issue 16): a data member's dataset of the reports whose
# consent includes publish, as data.csv and a Frictionless datapackage.json; every class of the
# non-sensitive fields holds at least k distinct persons (checked here independently of custody,
# from the forms), two types of violence and a risk under 3 %; no identifier, name, phone or
# narrative in either file; a recipe that asks for an identifier, free text, or a class too small
# is refused and writes nothing; written only once a legal member approved exactly both files; the
# dataset is recorded as a release, and the next statistics release is audited with it. A recipe
# with the narrative column: refused to a data member (keys, naming the field); made by a legal
# member, each row carries its record's released redacted narrative or not_recorded (never an
# unreviewed, unreleased or stale one), the legal approver reads each whole with what redaction
# would still remove marked, and the unredacted narrative's canary is in neither file.
. "$(dirname "$0")/lib.sh"

recipe="$CUSTODY_SOURCE/examples/recipes/dataset.yaml"
make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
admit data analyst
admit legal counsel
admit intake joy

# 400 forms cycled from examples/incidents: 300 persons, dates over 2025, nine in ten with
# consent to publish.
/usr/bin/python3 - "$CUSTODY_SOURCE/examples/incidents" "$T/forms.jsonl" <<'PY'
import glob, json, os, sys
import yaml
examples = [yaml.safe_load(open(p)) for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.yaml")))]
with open(sys.argv[2], "w") as out:
    for i in range(400):
        form = json.loads(json.dumps(examples[i % len(examples)]))
        form["person"]["person_ref"] = f"P-{i % 300:05d}"
        month = 1 + (i * 5) % 12
        form["incident"]["date"] = f"2025-{month:02d}-{1 + i % 28:02d}"
        form.get("response", {}).pop("first_contact_at", None)
        scopes = [s for s in form["consent"]["scopes"] if s not in ("publish", "document_only")]
        if i % 10:
            scopes.append("publish")
        form["consent"]["scopes"] = scopes or ["anonymised_statistics"]
        out.write(json.dumps(form, ensure_ascii=False) + "\n")
PY
expect_status 0 as_member joy record --form "$T/forms.jsonl"
for who in analyst counsel; do as_member "$who" list >/dev/null 2>&1 || fail "list as $who"; done
as_data() { as_member analyst "$@"; }

# Refusals: an identifier, free text, violence type as a class field, k or the risk ceiling
# beyond their floors, a record named, a role without facts, classes too small, and writing
# before any approval. None writes anything.
before=$(snapshot "$T/vault")
refuse_recipe() { # STATUS SED-EXPRESSION TEXT
  sed "$2" "$recipe" >"$T/bad.yaml"
  expect_status "$1" as_data export --recipe "$T/bad.yaml" --dry-run
  expect_contains "$T/err" "$3"
}
refuse_recipe 3 's/- {field: region}/- {field: person_ref}/' "identifies a person"
refuse_recipe 3 's/- {field: region}/- {field: notes}/' "free text"
# The narrative is released redacted text, read with the aggressor key a data member does not hold.
sed 's/- {field: region}/- {field: region}\n  - narrative/' "$recipe" >"$T/narrative.yaml"
expect_status 5 as_data export --recipe "$T/narrative.yaml" --dry-run
expect_contains "$T/err" "narrative"
refuse_recipe 3 's/^sensitive: .*$/sensitive: [perpetrator]/' "list it under sensitive"
refuse_recipe 3 's/^k: 5$/k: 3/' "k must be at least 5"
refuse_recipe 3 's/^max_risk: 0.03$/max_risk: 0.1/' "max_risk"
refuse_recipe 3 's/^on_failure: suppress$/on_failure: maybe/' "line 28"
refuse_recipe 3 's/- {field: region}/- {field: regoin}/' "region"
expect_status 2 as_data export --recipe "$recipe" --dry-run 0123456789abcdef
expect_status 5 as_member joy export --recipe "$recipe" --dry-run
# Districts by month, refused: classes too small; the message gives counts, never values.
sed -e 's/precision: year/precision: month/' -e 's/{field: region}/{field: district}/' -e 's/^sensitive: .*/sensitive: [violence_type]/' \
  -e 's/on_failure: suppress/on_failure: refuse/' "$recipe" >"$T/fine.yaml"
expect_status 1 as_data export --recipe "$T/fine.yaml" --dry-run
expect_contains "$T/err" "fewer than 5 distinct persons"
for value in harbour dockside 2025-0 violence.; do expect_not_contains "$T/err" "$value"; done
expect_status 1 as_data export --recipe "$recipe" -o "$T/dataset"
expect_contains "$T/err" "no approved proposal"
[ "$(snapshot "$T/vault")" = "$before" ] || { diff <(echo "$before") <(snapshot "$T/vault") >&2; fail "a refused dataset changed the vault"; }
[ ! -e "$T/dataset" ] || fail "a refused dataset was written"

# What would go out, then proposed by the data member and approved by a legal member (never by
# the proposer).
expect_status 0 as_data export --recipe "$recipe" --dry-run
cp "$T/out" "$T/shown"
expect_status 0 as_data export --recipe "$recipe" --propose --json
proposal=$(jq .seq "$T/out")
expect_status 5 as_data approve "$proposal" --yes
expect_status 0 as_member counsel approve "$proposal" --yes
expect_status 0 as_data export --recipe "$recipe" --json -o "$T/dataset"
jq -e '.kind == "dataset" and .proposal == '"$proposal"' and .risk < 0.03' "$T/out" >/dev/null || fail "export --json"
release=$(jq .release "$T/out")
cp "$T/out" "$T/dataset.json"
[ -s "$T/dataset/data.csv" ] && [ -s "$T/dataset/datapackage.json" ] || fail "the dataset's files"
awk '/^=== data.csv ===$/ { on = 1; next } /^=== datapackage.json ===$/ { on = 0 } on' "$T/shown" >"$T/shown.csv"
cmp -s "$T/dataset/data.csv" "$T/shown.csv" || fail "data.csv is not what was shown and approved"

# The descriptor: its hash and size are the CSV's (sha256sum), its fields are the CSV's columns, the
# missing-value token and the honest wording are there.
hash=$(sha256sum "$T/dataset/data.csv" | cut -d' ' -f1)
jq -e --arg h "sha256:$hash" --argjson n "$(stat -c %s "$T/dataset/data.csv")" \
  '.resources[0].hash == $h and .resources[0].bytes == $n and .resources[0].schema.missingValues == ["not_recorded"]' \
  "$T/dataset/datapackage.json" >/dev/null || fail "datapackage.json's hash, size or missing values"
expect_contains "$T/dataset/datapackage.json" "alleged perpetrators: not prevalence"
expect_contains "$T/dataset/datapackage.json" "dates to the incident's year"

# Independently of custody: the rows are the publish-consenting reports of 2025, every class of the
# non-sensitive columns holds at least 5 distinct persons (from the forms) and 2 sets of violence
# types, and nothing identifying is in either file.
/usr/bin/python3 - "$CUSTODY_SOURCE" "$T/dataset" "$T/forms.jsonl" <<'PY' || fail "the dataset's rows"
import csv, collections, json, sys
import yaml
source, out, forms = sys.argv[1:]
package = json.load(open(f"{out}/datapackage.json"))
rows = list(csv.DictReader(open(f"{out}/data.csv", newline="")))
names = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
assert list(rows[0].keys()) == names, (list(rows[0].keys()), names)
places = yaml.safe_load(open(f"{source}/examples/places.yaml"))
region_of = {d["code"]: d["region"] for d in places["districts"]}
def perpetrators(form):
    codes = {".".join(c.split(".")[:2]) for c in form["incident"].get("perpetrators", [])}
    return ";".join(sorted(codes)) or "not_recorded"
persons = collections.defaultdict(set)
expected = 0
for line in open(forms):
    form = json.loads(line)
    if "publish" not in form["consent"]["scopes"]:
        continue
    expected += 1
    key = ("2025", region_of.get(form["incident"].get("district"), "not_recorded"))
    persons[key].add(form["person"]["person_ref"])
violence_columns = [n for n in names if n.startswith("violence_type:")]
assert violence_columns, names
published = collections.Counter()
types = collections.defaultdict(set)
for row in rows:
    key = (row["period"], row["region"])
    published[key] += 1
    types[key].add(tuple(row[c] for c in violence_columns))
for key, count in published.items():
    assert len(persons[key]) >= 5, (key, len(persons[key]))
    assert len(types[key]) >= 2, key
withheld = json.load(open(f"{out}.json"))["withheld"]
assert len(rows) + withheld == expected, (len(rows), withheld, expected)
# How many were withheld is the vault's to know, never the dataset's: it could single a class out.
assert "withheld" not in json.dumps(package["custody"]), package["custody"]
text = open(f"{out}/data.csv").read() + open(f"{out}/datapackage.json").read()
for canary in ["P-0", "Imani", "Chebet", "+000 7", "fish market", "harbour", "dockside"]:
    assert canary not in text, canary
PY

# Recorded as a release of kind dataset, and the next statistics release is audited with it.
[ "$release" -gt "$proposal" ] || fail "the release entry"
expect_status 0 as_data stats --period 2025 --rows region
expect_status 0 as_member counsel verify --deep --index

# Narratives. Three more reports of 2025 consenting to publish, each naming its author in its
# narrative (the canary); a legal member reviews the redaction of the first on a terminal
# (released), takes the second's proposals unreviewed (--approve: not released) and reviews the
# third's, whose record is then amended (stale).
expect_status 0 as_creator policy --phone-regions KE
for n in 1 2 3; do
  /usr/bin/python3 - "$CUSTODY_SOURCE/examples/incidents/03-rape-by-client-dockside.yaml" "$T/story$n.json" "$n" <<'PY'
import json, sys
import yaml
form = yaml.safe_load(open(sys.argv[1]))
n = sys.argv[3]
form["incident"]["date"] = "2025-06-1" + n
form["person"]["person_ref"] = "P-9990" + n
form["person"]["names"] = ["Zuhura Kanari" + n]
form["person"]["phones"] = ["+254 711 000 90" + n]
# (the first narrative opens with the aggressor's number, which its reviewer keeps)
lead = "+254 799 000 111 is the number he called from. " if n == "1" else ""
form["narrative"] = {"text": lead + f"Zuhura Kanari{n} says a client in a green car hurt her near the port on 1{n} June 2025 at 23:40; lanternmoth{n} was the word he used.", "language": "en"}
form["response"].pop("first_contact_at", None)
form["consent"]["scopes"] = ["publish", "safety_alert"]
json.dump(form, open(sys.argv[2], "w"))
PY
  as_creator record --form "$T/story$n.json" >"$T/story$n" 2>/dev/null || fail "record story $n"
done
story1=$(cut -d" " -f1 "$T/story1"); story2=$(cut -d" " -f1 "$T/story2"); story3=$(cut -d" " -f1 "$T/story3")
printf 'expect Remove? [Y/n/a/q]\nsend a\nexpect Another word\nsend\nexpect Store this\nsend y\n' >"$T/review3.steps"
printf 'expect Remove? [Y/n/a/q]\nsend n\n' >"$T/review1.steps"
cat "$T/review3.steps" >>"$T/review1.steps"
on_pty review1 "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" \
  --passphrase-file "$T/creator.pass" redact "$story1" --text
[ "$pty_status" -eq 0 ] || { cat "$T/review1.out" >&2; fail "the reviewed redaction exits 0, got $pty_status"; }
expect_contains "$T/review1.out" "released to advocacy"
expect_status 0 as_creator redact "$story2" --text --approve
on_pty review3 "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" \
  --passphrase-file "$T/creator.pass" redact "$story3" --text
[ "$pty_status" -eq 0 ] || { cat "$T/review3.out" >&2; fail "the third redaction exits 0, got $pty_status"; }
as_creator show "$story3" --form >"$T/story3.form" 2>/dev/null || fail "show --form story 3"
sed -i 's/Man of about forty/Tall man of about forty/' "$T/story3.form"
expect_status 0 as_creator record --amend "$story3" --form "$T/story3.form" --reason "a correction"

# Shown to the legal member who prepares it: one narrative released, the others not_recorded.
expect_status 0 as_creator export --recipe "$T/narrative.yaml" --dry-run
cp "$T/out" "$T/narrative.shown"
expect_contains "$T/err" "narratives: 1 released"
expect_contains "$T/err" "1 whose released narrative was made before the record's latest amendment or redacted again since"
expect_contains "$T/narrative.shown" "lanternmoth1"
for canary in Kanari lanternmoth2 lanternmoth3 "+254 711"; do expect_not_contains "$T/narrative.shown" "$canary"; done
# Proposed by one legal member, kept where only legal and advocacy read it, approved by another who
# reads the narrative whole; a data member cannot even open it.
expect_status 0 as_creator export --recipe "$T/narrative.yaml" --propose --json
narrative_proposal=$(jq .seq "$T/out")
expect_status 5 as_data approve "$narrative_proposal" --yes
expect_status 0 as_member counsel approve "$narrative_proposal" --yes
expect_contains "$T/out" "lanternmoth1"
# What text redaction would still remove is marked for the approver: the number its reviewer kept.
expect_contains "$T/out" "[[PHONE: +254 799 000 111]]"
expect_contains "$T/err" "passage"
expect_status 0 as_creator export --recipe "$T/narrative.yaml" --json -o "$T/narratives"
cmp -s "$T/narratives/data.csv" <(awk '/^=== data.csv ===$/ { on = 1; next } /^=== datapackage.json ===$/ { on = 0 } on' "$T/narrative.shown") \
  || fail "data.csv with narratives is not what was shown and approved"
/usr/bin/python3 - "$T/narratives" <<'PY' || fail "the narrative column"
import csv, json, sys
out = sys.argv[1]
package = json.load(open(f"{out}/datapackage.json"))
rows = list(csv.DictReader(open(f"{out}/data.csv", newline="")))
names = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
assert list(rows[0].keys()) == names and names[2] == "narrative", names
told = [r["narrative"] for r in rows if r["narrative"] != "not_recorded"]
assert len(told) == 1 and "lanternmoth1" in told[0], told
assert package["custody"]["narrative"]["missing"] == "not_recorded", package["custody"]
text = open(f"{out}/data.csv").read() + open(f"{out}/datapackage.json").read()
for canary in ["Kanari", "Zuhura", "lanternmoth2", "lanternmoth3", "P-999", "+254 711"]:
    assert canary not in text, canary
PY
# The release entry the data member's later audits read holds no narrative.
expect_status 0 as_data stats --period 2025 --rows region
expect_status 0 as_member counsel verify --deep --index

# Redacted again and not released (unreviewed): the released narrative no longer stands, and the
# next dataset carries none for that record until the new redaction is reviewed.
expect_status 0 as_creator redact "$story1" --text --approve
expect_status 0 as_creator export --recipe "$T/narrative.yaml" --dry-run
expect_contains "$T/err" "narratives: 0 released"
expect_contains "$T/err" "2 whose released narrative was made before the record's latest amendment or redacted again since"
expect_not_contains "$T/out" "lanternmoth1"
# Leaving out the rows without one, when none has one: refused as input, naming the counts, and
# nothing is proposed or appended.
sed 's/^  - narrative$/  - {field: narrative, missing: leave_out}/' "$T/narrative.yaml" >"$T/leave_out.yaml"
grep -q 'missing: leave_out' "$T/leave_out.yaml" || fail "the leave_out recipe"
entries=$(cat "$T"/vault/ledger/*.jsonl | wc -l)
expect_status 3 as_creator export --recipe "$T/leave_out.yaml" --propose
expect_contains "$T/err" "has a released redacted narrative made since its latest amendment"
expect_contains "$T/err" "2 stale"
[ "$(cat "$T"/vault/ledger/*.jsonl | wc -l)" -eq "$entries" ] || fail "a refused dataset appends nothing"
