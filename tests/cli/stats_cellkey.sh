# custody stats --method cellkey: nothing suppressed, every count within the p-table's bounds of an
# independent count of the forms and never 1 or 2, the same figures on a second run and in another
# release of the same persons, the release recorded with its p-table, and one method per series.
. "$(dirname "$0")/lib.sh"

make_vault --places "$CUSTODY_SOURCE/examples/places.yaml"
admit data analyst

# 400 forms cycled from examples/incidents (persons repeat), dated over 2025 and 2026.
/usr/bin/python3 - "$CUSTODY_SOURCE/examples/incidents" "$T/forms.jsonl" <<'PY'
import glob, json, os, sys
import yaml
examples = [yaml.safe_load(open(p)) for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.yaml")))]
with open(sys.argv[2], "w") as out:
    for i in range(400):
        form = json.loads(json.dumps(examples[i % len(examples)]))
        form["person"]["person_ref"] = f"P-{i % 300:05d}"
        year = 2025 if i % 2 == 0 else 2026
        month = 1 + (i * 5) % 6
        form["incident"]["date"] = f"{year}-{month:02d}-{1 + i % 28:02d}"
        form.get("response", {}).pop("first_contact_at", None)
        out.write(json.dumps(form, ensure_ascii=False) + "\n")
PY
expect_status 0 as_creator record --form "$T/forms.jsonl"
as_data() { as_member analyst "$@"; }

# The cell-key release of 2025 by population and district, checked against the forms.
expect_status 0 as_data stats --period 2025 --rows population --cols district --method cellkey --json
cp "$T/out" "$T/cellkey.json"
/usr/bin/python3 - "$CUSTODY_SOURCE" "$T/cellkey.json" "$T/forms.jsonl" <<'PY' || fail "stats --method cellkey --json"
import json, sys
import jsonschema
source, out, forms = sys.argv[1:]
release = json.load(open(out))
jsonschema.Draft202012Validator(json.load(open(f"{source}/schemas/output/stats.json"))).validate(release)
assert release["disclosure_method"] == "cellkey", release["disclosure_method"]
assert release["p_table"] == {"max_perturbation": 2, "variance": "1", "small_counts": 2}, release["p_table"]
assert release["audit"] is None
assert "cell-key method" in release["method"]
truth = {}
for line in open(forms):
    form = json.loads(line)
    if not form["incident"]["date"].startswith("2025"):
        continue
    if "anonymised_statistics" not in form.get("consent", {}).get("scopes", []):
        continue
    key = (form["person"]["population"], form["incident"]["district"])
    truth[key] = truth.get(key, 0) + 1
(table,) = release["tables"]
moved = 0
for row, line in zip(table["rows"], table["cells"]):
    for column, cell in zip(table["columns"], line):
        assert cell != "x", "the cell-key method suppresses nothing"
        if row["code"] == "total" or column["code"] == "total":
            continue
        true = truth.get((row["code"], column["code"]), 0)
        assert abs(cell - true) <= 2, (row, column, cell, true)
        assert cell not in (1, 2), (row, column, cell)
        assert true != 0 or cell == 0, "a zero stays zero"
        moved += cell != true
assert moved > 0, "no cell was perturbed"
PY

# The same release again: the same figures (the key is the vault's, not the run's).
expect_status 0 as_data stats --period 2025 --rows population --cols district --method cellkey --json
cmp -s <(jq -S "del(.source)" "$T/out") <(jq -S "del(.source)" "$T/cellkey.json") || fail "a cell-key release differs between runs"

# Recorded with its method and p-table (a legal member reads the facts compartment's releases).
as_data log --json | jq -s -e 'any(.[]; .kind == "release")' >/dev/null || fail "no release entry"

# One method per series: 2025 by suppression is refused (exit 1) and writes nothing; 2026 is free.
before=$(snapshot "$T/vault")
expect_status 1 as_data stats --period 2025-Q2 --rows population --json
expect_contains "$T/err" "one release series uses one"
[ "$(snapshot "$T/vault")" = "$before" ] || fail "a refused release must write nothing"
expect_status 0 as_data stats --period 2026 --rows population --json
expect_status 1 as_data stats --period 2026-Q1 --rows population --method cellkey --json
expect_contains "$T/err" "suppression method"

# A recipe may name the method; an unknown method is a usage error.
printf 'kind: stats\nperiod: 2025-Q1\nmethod: cellkey\ntables:\n  - rows: population\n' >"$T/ck.yaml"
expect_status 0 as_data stats --recipe "$T/ck.yaml" --json
jq -e '.disclosure_method == "cellkey"' "$T/out" >/dev/null || fail "the recipe's method"
printf 'kind: stats\nmethod: noise\n' >"$T/bad.yaml"
expect_status 3 as_data stats --recipe "$T/bad.yaml"
expect_contains "$T/err" "line 2"
expect_status 2 as_data stats --method noise
