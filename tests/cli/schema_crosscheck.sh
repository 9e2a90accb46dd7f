# custody's JSON Schema subset gives the verdicts of an independent validator (Debian's
# python3-jsonschema, Draft 2020-12) on a corpus exercising every keyword of the subset, refs
# across files, $defs and #, and code point semantics. Left out where python3-jsonschema
# departs from the specification: Python's re is not ECMA-262 (`$` also matches before a final
# line break, \w and \d match non-ASCII letters and digits), and Python 3.11's
# date.fromisoformat also takes basic and week dates (20250314, 2025-W11-1) that RFC 3339's
# full-date does not.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/schemas/vocab"
cat >"$T/schemas/keywords.json" <<'JSON'
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://custody.invalid/t/keywords.json",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "s": {"type": "string"},
    "i": {"type": "integer"},
    "b": {"type": "boolean"},
    "n": {"type": "null"},
    "o": {"type": "object", "required": ["a"], "properties": {"a": {"const": 1}},
          "additionalProperties": {"type": "string"}},
    "a": {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 2},
    "multi": {"type": ["string", "null"]},
    "e": {"enum": ["x.y", "x.z", 1, null]},
    "c": {"const": {"k": [1, "2"]}},
    "p_search": {"type": "string", "pattern": "b+"},
    "p_anchored": {"type": "string", "pattern": "^[a-z]{2,3}(-[A-Z]{2})?$"},
    "p_unicode": {"type": "string", "pattern": "^.{2}$"},
    "p_class": {"type": "string", "pattern": "^[\\w.]+$"},
    "p_digit": {"type": "string", "pattern": "^\\d+$"},
    "len": {"type": "string", "maxLength": 3},
    "date": {"type": "string", "format": "date"},
    "ref_file": {"$ref": "vocab/v.json"},
    "ref_def": {"$ref": "#/$defs/d"},
    "ref_frag": {"$ref": "vocab/v.json#/$defs/inner"},
    "ref_root": {"$ref": "#"},
    "ref_sib": {"$ref": "vocab/v.json", "maxLength": 4},
    "f": false,
    "t": true
  },
  "$defs": {"d": {"type": "integer", "enum": [1, 2]}}
}
JSON
cat >"$T/schemas/vocab/v.json" <<'JSON'
{
  "$id": "https://custody.invalid/t/vocab/v.json",
  "type": "string",
  "enum": ["aa", "bbbbb", "c"],
  "x-terms": {"aa": {"label": "A"}},
  "$defs": {"inner": {"$ref": "../leaf.json"}}
}
JSON
cat >"$T/schemas/leaf.json" <<'JSON'
{"type": "integer"}
JSON

cat >"$T/instances.jsonl" <<'JSONL'
{}
"not an object"
{"unknown": 1}
{"s": "x"}
{"s": 1}
{"i": -5}
{"i": "5"}
{"i": true}
{"b": false}
{"b": 0}
{"n": null}
{"n": 0}
{"o": {"a": 1}}
{"o": {"a": 1, "z": "t"}}
{"o": {"a": 1, "z": 2}}
{"o": {}}
{"o": {"a": 2}}
{"a": [1]}
{"a": [1, 2]}
{"a": []}
{"a": [1, 2, 3]}
{"a": ["1"]}
{"multi": "x"}
{"multi": null}
{"multi": 1}
{"e": "x.y"}
{"e": 1}
{"e": null}
{"e": "x.w"}
{"e": 2}
{"e": true}
{"c": {"k": [1, "2"]}}
{"c": {"k": [1, 2]}}
{"p_search": "abbc"}
{"p_search": "ac"}
{"p_search": 5}
{"p_anchored": "en"}
{"p_anchored": "en-GB"}
{"p_anchored": "xen"}
{"p_anchored": "en-gb"}
{"p_anchored": "engl"}
{"p_unicode": "é😀"}
{"p_unicode": "ab"}
{"p_unicode": "abc"}
{"p_unicode": "é"}
{"p_class": "a_b.c9"}
{"p_class": "a b"}
{"p_digit": "0123"}
{"p_digit": "12a"}
{"len": "abc"}
{"len": "ééé"}
{"len": "😀😀😀"}
{"len": "abcd"}
{"len": "éééé"}
{"date": "2025-03-14"}
{"date": "2024-02-29"}
{"date": "2000-02-29"}
{"date": "1900-02-29"}
{"date": "2023-02-29"}
{"date": "2025-04-31"}
{"date": "2025-13-01"}
{"date": "2025-00-10"}
{"date": "2025-3-14"}
{"date": "14/03/2025"}
{"date": 5}
{"ref_file": "aa"}
{"ref_file": "zz"}
{"ref_def": 2}
{"ref_def": 3}
{"ref_def": "1"}
{"ref_frag": 7}
{"ref_frag": "7"}
{"ref_root": {"s": "x"}}
{"ref_root": {"ref_root": {"i": "x"}}}
{"ref_sib": "aa"}
{"ref_sib": "bbbbb"}
{"ref_sib": "q"}
{"f": 1}
{"t": [1]}
JSONL

expect_status 0 "$CUSTODY_TOOLS/custody_schematool" "$T/schemas" keywords.json "$T/instances.jsonl"
cut -d' ' -f1 "$T/out" >"$T/ours"

/usr/bin/python3 - "$T/schemas" keywords.json "$T/instances.jsonl" >"$T/theirs" <<'PY'
import json, pathlib, sys
import jsonschema
directory, root, instances = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
base = "https://custody.invalid/t/"
store = {}
for path in directory.rglob("*.json"):
    document = json.loads(path.read_text())
    jsonschema.Draft202012Validator.check_schema(document)
    store[base + path.relative_to(directory).as_posix()] = document
schema = store[base + root]
resolver = jsonschema.RefResolver(base_uri=base + root, referrer=schema, store=store)
validator = jsonschema.Draft202012Validator(
    schema, resolver=resolver, format_checker=jsonschema.draft202012_format_checker)
for line in open(instances, encoding="utf-8"):
    print("ok" if validator.is_valid(json.loads(line)) else "invalid")
PY

[ "$(wc -l <"$T/ours")" -eq "$(wc -l <"$T/instances.jsonl")" ] || fail "custody_schematool skipped lines"
if ! cmp -s "$T/ours" "$T/theirs"; then
  paste "$T/ours" "$T/theirs" "$T/instances.jsonl" | awk -F'\t' '$1 != $2' >&2
  fail "custody and python3-jsonschema disagree (custody, python, instance above)"
fi
# Both sides must have seen both verdicts, or the corpus proves nothing.
grep -qx ok "$T/ours" && grep -qx invalid "$T/ours" || fail "the corpus needs valid and invalid cases"
