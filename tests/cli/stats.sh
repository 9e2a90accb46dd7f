# custody stats: a data member's release is counted as stated, every small cell is suppressed
# behind one token, the published figures agree with an independent count of the forms, two runs
# are byte-identical, and every refusal writes nothing.
. "$(dirname "$0")/lib.sh"

make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
admit data analyst
admit intake joy

# 600 forms cycled from examples/incidents: persons repeat (420 of them), dates over 2025.
/usr/bin/python3 - "$CUSTODY_SOURCE/examples/incidents" "$T/forms.jsonl" <<'PY'
import glob, json, os, sys
import yaml
examples = [yaml.safe_load(open(p)) for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.yaml")))]
with open(sys.argv[2], "w") as out:
    for i in range(600):
        form = json.loads(json.dumps(examples[i % len(examples)]))
        form["person"]["person_ref"] = f"P-{i % 420:05d}"
        month = 1 + (i * 7) % 12
        if len(form["incident"]["date"]) == 10:
            form["incident"]["date"] = f"2025-{month:02d}-{1 + i % 28:02d}"
            form.get("response", {}).pop("first_contact_at", None)
        elif len(form["incident"]["date"]) == 7:
            form["incident"]["date"] = f"2025-{month:02d}"
        else:
            form["incident"]["date"] = "2025"
        out.write(json.dumps(form, ensure_ascii=False) + "\n")
PY
expect_status 0 as_member joy record --form "$T/forms.jsonl"

as_data() { as_member analyst "$@"; }

# The intake member cannot sign a checkpoint: the release says none covers it, until one does.
expect_status 0 as_data stats --period 2025 --rows region
expect_contains "$T/out" "the latest signed checkpoint (6) does not cover it"
expect_status 0 as_creator checkpoint

# The standard release, as the data member: the statement, the counting and the source are stated.
expect_status 0 as_data stats --period 2025 --label "Kessaly Support"
cp "$T/out" "$T/release.txt"
expect_contains "$T/out" "Documented reports received by Kessaly Support, not prevalence"
expect_contains "$T/out" "totals count distinct reports, not the sum of the cells"
expect_contains "$T/out" "x = suppressed to protect the people counted."
expect_contains "$T/out" "covered by signed checkpoint"
expect_contains "$T/out" "Reports by region"
# Nothing of the identity or narrative compartments reaches any output (names, phones, words).
for canary in "Imani" "Chebet" "+000 700" "soko la samaki" "fish market"; do
  expect_not_contains "$T/release.txt" "$canary"
done

# JSON: valid against its schema, one token, no count of 1 to 4 anywhere (a published count of
# records below T would have fewer than T persons behind it), and the region table agrees with an
# independent count of the forms.
expect_status 0 as_data stats --period 2025 --json
/usr/bin/python3 - "$CUSTODY_SOURCE" "$T/out" "$T/forms.jsonl" <<'PY' || fail "stats --json"
import json, sys
import jsonschema, yaml
source, out, forms = sys.argv[1:]
schema = json.load(open(f"{source}/schemas/output/stats.json"))
release = json.load(open(out))
jsonschema.Draft202012Validator(schema).validate(release)
assert release["threshold"] == 5
for table in release["tables"]:
    for line in table["cells"]:
        for cell in line:
            assert cell == "x" or cell == 0 or cell >= 5, (table["id"], cell)
places = yaml.safe_load(open(f"{source}/examples/places.yaml"))
region_of = {d["code"]: d["region"] for d in places["districts"]}
expected, counted, left_out = {}, 0, 0
year_only = 0
for line in open(forms):
    form = json.loads(line)
    date = form["incident"]["date"]
    if not date.startswith("2025"):
        continue  # outside the period
    if "anonymised_statistics" not in form.get("consent", {}).get("scopes", []):
        left_out += 1
        continue
    if len(date) == 4:
        year_only += 1  # the trend is by quarter: a year alone cannot be placed
        continue
    counted += 1
    region = region_of[form["incident"]["district"]]
    expected[region] = expected.get(region, 0) + 1
assert release["left_out"] == {"without_consent": left_out, "year_only": year_only}, (release["left_out"], left_out, year_only)
assert year_only > 0, "the fixture must have year-only dates"
regions = next(t for t in release["tables"] if t["id"] == "by_region")
shown = 0
for row, line in zip(regions["rows"], regions["cells"]):
    if row["code"] == "total":
        assert line[0] in ("x", counted), (line, counted)
    elif line[0] != "x":
        assert line[0] == expected[row["code"]], (row, line, expected)
        shown += 1
assert shown >= 2, "too few regions shown to test anything"
PY

# Byte-identical on a second run, in every format.
expect_status 0 as_data stats --period 2025 --json
cmp -s "$T/out" <(as_data stats --period 2025 --json 2>/dev/null) || fail "stats --json differs between runs"
expect_status 0 as_data stats --period 2025 --csv
cp "$T/out" "$T/first.csv"
expect_status 0 as_data stats --period 2025 --csv
cmp -s "$T/out" "$T/first.csv" || fail "stats --csv differs between runs"
expect_contains "$T/first.csv" "table,row_dimension,row,column_dimension,column,reports"

# -o writes the file once; a second run refuses to overwrite it, --force replaces it.
expect_status 0 as_data stats --period 2025 --rows region --csv -o "$T/q.csv"
[ -s "$T/q.csv" ] || fail "stats -o wrote nothing"
before=$(sha256sum "$T/q.csv")
expect_status 3 as_data stats --period 2025 --rows district --csv -o "$T/q.csv"
expect_contains "$T/err" "already exists"
[ "$(sha256sum "$T/q.csv")" = "$before" ] || fail "a refused stats changed the output file"
expect_status 0 as_data stats --period 2025 --rows district --csv -o "$T/q.csv" --force

# Bad input: exit 3 (or 2 for usage), a message naming what is wrong, and the vault untouched.
snapshot "$T/vault" >"$T/before"
expect_status 3 as_data stats --rows regoin
expect_contains "$T/err" "did you mean region?"
expect_status 3 as_data stats --rows region --filter violence_type=violence.sexuall
expect_contains "$T/err" "did you mean violence.sexual?"
expect_status 3 as_data stats --period 2025-Q5
expect_status 3 as_data stats --period 2999
expect_contains "$T/err" "in the future"
expect_status 3 as_data stats --from 2025-Q3 --to 2025-Q1
expect_contains "$T/err" "is empty"
expect_status 3 as_data stats --threshold 3
expect_contains "$T/err" "never lower it"
expect_status 2 as_data stats --csv --json
expect_status 2 as_data stats --filter violence_type
expect_status 5 as_member joy stats
snapshot "$T/vault" >"$T/after"
cmp -s "$T/before" "$T/after" || fail "a refused stats changed the vault"

# A raised threshold suppresses more; a filter narrows the release.
expect_status 0 as_data stats --period 2025 --rows region --threshold 60 --json
jq -e '.threshold == 60' "$T/out" >/dev/null || fail "--threshold 60 not applied"
expect_status 0 as_data stats --period 2025 --rows district --filter perpetrator=perpetrator.state --json
jq -e '.tables[0].id == "district"' "$T/out" >/dev/null || fail "--rows district"

# A recipe: the release written down once. An option on the command line wins over it; an
# unknown key is refused naming its line.
expect_status 0 as_data stats --recipe "$CUSTODY_SOURCE/examples/recipes/state_violence.yaml" --json
jq -e '.tables | length == 2 and .[0].id == "violence_type_by_population" and .[1].id == "region"' \
  "$T/out" >/dev/null || fail "the recipe's tables"
jq -e '.period.from == "2025-01" and .level == 1' "$T/out" >/dev/null || fail "the recipe's period and level"
jq -e '.statement | test("Port Kessaly")' "$T/out" >/dev/null || fail "the recipe's label"
expect_status 0 as_data stats --recipe "$CUSTODY_SOURCE/examples/recipes/state_violence.yaml" --period 2025-Q3 --json
jq -e '.period.from == "2025-07"' "$T/out" >/dev/null || fail "--period must win over the recipe"
printf 'kind: stats\nlabel: x\nperiods: 2025\n' >"$T/bad.yaml"
expect_status 3 as_data stats --recipe "$T/bad.yaml"
expect_contains "$T/err" 'line 3: unknown key "periods"; did you mean period?'

# Releases are recorded, and a later one cannot be subtracted from an earlier one: January and
# February by district, then January alone, then February alone. For every district shown in two
# of them, what they differ by (one month's count) is never 1 to 4 reports.
entries_before=$(as_data log --json | wc -l)
expect_status 0 as_data stats --rows district --from 2025-01 --to 2025-02 --json
cp "$T/out" "$T/jan-feb.json"
expect_status 0 as_data stats --rows district --period 2025-01 --json
cp "$T/out" "$T/jan.json"
expect_status 0 as_data stats --rows district --period 2025-02 --json
cp "$T/out" "$T/feb.json"
expect_contains "$T/feb.json" "tables of earlier releases"
# Running one again records nothing new: the same release is recorded once.
expect_status 0 as_data stats --rows district --period 2025-02 --json
entries_after=$(as_data log --json | wc -l)
[ $((entries_after - entries_before)) -eq 6 ] \
  || fail "expected 3 release entries and their seals, got $((entries_after - entries_before)) entries"
as_data log --json | jq -s -e 'any(.[]; .kind == "release")' >/dev/null || fail "no release entry in the log"
/usr/bin/python3 - "$T/jan-feb.json" "$T/jan.json" "$T/feb.json" <<'PY' || fail "a difference of two releases gives a small count"
import json, sys
def shown(path):
    table = json.load(open(path))["tables"][0]
    return {row["code"]: line[0] for row, line in zip(table["rows"], table["cells"]) if line[0] != "x"}
both, jan, feb = (shown(p) for p in sys.argv[1:])
checked = 0
for district, value in both.items():
    for part in (jan, feb):
        if district in part:
            difference = value - part[district]
            assert not 1 <= difference <= 4, (district, value, part[district])
            checked += 1
assert checked > 0, "no district shown in two releases: the test proves nothing"
PY

# The small-cell floor is raised by a signed admin entry, by a legal member only, never lowered;
# every release after it uses it, and verify replays it.
expect_status 5 as_data policy --small-cell-floor 7
expect_contains "$T/err" "signing key"
expect_status 3 as_creator policy --small-cell-floor 4
expect_contains "$T/err" "can only be raised"
expect_status 0 as_creator policy --small-cell-floor 7 --json
jq -e '.small_cell_floor == 7 and (.seq | type == "number")' "$T/out" >/dev/null || fail "policy --json"
expect_status 0 as_data policy
expect_contains "$T/out" "small_cell_floor: 7"
expect_status 0 as_data stats --period 2025 --rows region --json
jq -e '.threshold == 7' "$T/out" >/dev/null || fail "stats must use the raised floor"
expect_status 3 as_data stats --period 2025 --rows region --threshold 6
expect_contains "$T/err" "floor of 7"
expect_status 0 as_creator verify

# A release that cannot be protected writes nothing and exits 1: the 32 example reports, where a
# total of fewer than 5 persons spread over two categories shows it holds at least 2.
custody init --vault "$T/small" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" \
  --places "$CUSTODY_SOURCE/examples/places.yaml" --recovery-out "$T/small-recovery.age" \
  --recovery-passphrase-file "$T/recovery.pass" --work-factor 10 >/dev/null 2>&1 || fail "init small"
as_small() { custody --vault "$T/small" --identity "$T/creator.age" --passphrase-file "$T/creator.pass" "$@"; }
expect_status 0 as_small record --form "$CUSTODY_SOURCE/examples/incidents"
expect_status 1 as_small stats -o "$T/unsafe.csv" --csv
expect_contains "$T/err" "nothing was written"
[ ! -e "$T/unsafe.csv" ] || fail "an unsafe release wrote its file"
echo ok
