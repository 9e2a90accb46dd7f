# custody export --recipe dataset.yaml (issue 16): a data member's dataset of the reports whose
# consent includes publish, as data.csv and a Frictionless datapackage.json; every class of the
# non-sensitive fields holds at least k distinct persons (checked here independently of custody,
# from the forms), two types of violence and a risk under 3 %; no identifier, name, phone or
# narrative in either file; a recipe that asks for an identifier, free text, or a class too small
# is refused and writes nothing; written only once a legal member approved exactly both files; the
# dataset is recorded as a release, and the next statistics release is audited with it.
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
refuse_recipe 3 's/- {field: region}/- {field: narrative}/' "free text"
refuse_recipe 3 's/^sensitive: .*$/sensitive: [perpetrator]/' "list it under sensitive"
refuse_recipe 3 's/^k: 5$/k: 3/' "k must be at least 5"
refuse_recipe 3 's/^max_risk: 0.03$/max_risk: 0.1/' "max_risk"
refuse_recipe 3 's/^on_failure: suppress$/on_failure: maybe/' "line 26"
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
