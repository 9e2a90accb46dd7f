# The incident schema, its vocabularies, the places list and the example incidents agree with each
# other and with docs/records.md, checked with Debian's python3-jsonschema (an independent validator)
# and python3-yaml. Needs no custody binary; every failure is listed before the script exits 1.
. "$(dirname "$0")/lib.sh"

[ -x /usr/bin/python3 ] || fail "/usr/bin/python3 is missing (Debian package python3)"
/usr/bin/python3 -c 'import jsonschema, yaml' 2>"$T/import.err" \
  || { cat "$T/import.err" >&2; fail "python3-jsonschema and python3-yaml are needed (scripts/setup)"; }

/usr/bin/python3 - "$CUSTODY_SOURCE" <<'PY' || fail "schemas, vocabularies or examples are inconsistent (see above)"
import copy
import datetime
import glob
import json
import os
import re
import sys
import urllib.parse

import jsonschema
import yaml

src = sys.argv[1]
schemas = os.path.join(src, "schemas")
problems = []


def problem(msg):
    problems.append(msg)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# --- The files docs/records.md names -----------------------------------------------------------
BASE = "https://custody.invalid/schemas/"
VOCABS = ["violence_type", "perpetrator", "population", "setting", "response_action", "referral",
          "outcome", "consent_scope"]
CODE_PREFIX = {"violence_type": "violence.", "perpetrator": "perpetrator.", "setting": "setting.",
               "response_action": "response.", "referral": "referral.", "outcome": "outcome."}
EXACT_CODES = {"population": {"female", "male", "transgender", "non_binary", "not_stated"},
               "consent_scope": {"document_only", "legal_action", "anonymised_statistics",
                                 "safety_alert", "police_anonymous", "publish"}}
COMPARTMENTS = {"identity", "narrative", "facts", "aggressor"}
# docs/records.md §2, leaf by leaf ("[]" is an array's items).
EXPECTED_LEAVES = {
    "form_version": "facts",
    "incident.date": "identity", "incident.date_approximate": "identity",
    "incident.time": "identity", "incident.location": "identity", "incident.event_ref": "identity",
    "incident.district": "facts", "incident.setting": "facts",
    "incident.violence_types[]": "facts", "incident.perpetrators[]": "facts",
    "person.person_ref": "facts", "person.population": "facts",
    "person.names[]": "identity", "person.aliases[]": "identity", "person.phones[]": "identity",
    "person.emails[]": "identity", "person.address": "identity", "person.id_numbers[]": "identity",
    "narrative.text": "narrative", "narrative.language": "narrative",
    "aggressor.description": "aggressor", "aggressor.vehicle.plate": "aggressor",
    "aggressor.vehicle.make": "aggressor", "aggressor.vehicle.colour": "aggressor",
    "aggressor.phones[]": "aggressor", "aggressor.handles[]": "aggressor",
    "aggressor.modus_operandi": "aggressor",
    "response.first_contact_at": "identity", "response.actions[]": "facts",
    "response.referrals[]": "facts", "response.outcome": "facts", "response.notes": "narrative",
    "consent.scopes[]": "facts",
}

incident_path = os.path.join(schemas, "incident.schema.json")
incident = load_json(incident_path)
vocab = {}
for path in sorted(glob.glob(os.path.join(schemas, "vocab", "*.json"))):
    vocab[os.path.basename(path)[:-len(".json")]] = load_json(path)
if sorted(vocab) != sorted(VOCABS):
    problem(f"schemas/vocab holds {sorted(vocab)}, docs/records.md lists {sorted(VOCABS)}")

# --- Every schema file is a valid 2020-12 schema ------------------------------------------------
for path in sorted(glob.glob(os.path.join(schemas, "**", "*.json"), recursive=True)):
    rel = os.path.relpath(path, src)
    try:
        doc = load_json(path)
        jsonschema.Draft202012Validator.check_schema(doc)
    except (ValueError, jsonschema.exceptions.SchemaError) as e:
        problem(f"{rel}: not a valid 2020-12 schema: {str(e).splitlines()[0]}")
        continue
    if doc.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
        problem(f"{rel}: $schema is not the 2020-12 metaschema")

# --- Only the keyword subset custody's own validator implements ---------------------------------
KEYWORDS = {"type", "properties", "required", "additionalProperties", "enum", "const", "pattern",
            "items", "minItems", "maxItems", "maxLength", "$ref", "$defs", "format",
            "$schema", "$id", "title", "description", "x-compartment", "x-terms", "deprecated"}


def check_subset(node, where, in_vocab):
    if not isinstance(node, dict):
        problem(f"{where}: a schema must be an object")
        return
    for key, value in node.items():
        if key not in KEYWORDS:
            problem(f"{where}: keyword {key!r} is outside custody's subset")
        elif key in ("properties", "$defs"):
            for name, sub in value.items():
                check_subset(sub, f"{where}/{key}/{name}", in_vocab)
        elif key == "items":
            check_subset(value, f"{where}/items", in_vocab)
        elif key == "additionalProperties" and value is not False:
            problem(f"{where}: additionalProperties may only be false")
        elif key == "format" and value != "date":
            problem(f"{where}: only format: date is in the subset")
        elif key == "x-compartment" and value not in COMPARTMENTS:
            problem(f"{where}: unknown compartment {value!r}")
        elif key == "x-compartment" and in_vocab:
            problem(f"{where}: a vocabulary must not carry x-compartment (its user does)")
        elif key == "x-terms" and not in_vocab:
            problem(f"{where}: x-terms belongs in schemas/vocab/ only")
        elif key == "$ref" and not re.fullmatch(r"vocab/[a-z_]+\.json|#/\$defs/[a-z_]+", value):
            problem(f"{where}: $ref {value!r} is neither vocab/<list>.json nor #/$defs/<name>")
        elif key == "pattern":
            try:
                re.compile(value)
            except re.error as e:
                problem(f"{where}: pattern does not compile: {e}")
    if node.get("type") == "object" and node.get("additionalProperties") is not False:
        problem(f"{where}: an object must have additionalProperties: false")
    for name in node.get("required", []):
        if name not in node.get("properties", {}):
            problem(f"{where}: required {name!r} is not among its properties")


check_subset(incident, "incident.schema.json", False)
for name, doc in vocab.items():
    check_subset(doc, f"vocab/{name}.json", True)

# --- Resolving the relative vocab refs from the local files only (no network) -------------------
if incident.get("$id") != BASE + "incident.schema.json":
    problem(f"incident.schema.json: $id must be {BASE}incident.schema.json")
docs = {BASE + "incident.schema.json": incident}
for name, doc in vocab.items():
    if doc.get("$id") != f"{BASE}vocab/{name}.json":
        problem(f"vocab/{name}.json: $id must be {BASE}vocab/{name}.json")
    docs[f"{BASE}vocab/{name}.json"] = doc

try:  # jsonschema >= 4.18 resolves through `referencing`; Debian 12 ships 4.10 with RefResolver
    import referencing
    import referencing.jsonschema

    registry = referencing.Registry().with_resources(
        (uri, referencing.Resource.from_contents(doc, default_specification=referencing.jsonschema.DRAFT202012))
        for uri, doc in docs.items())
    validator = jsonschema.Draft202012Validator(incident, registry=registry)
except ImportError:
    def no_network(uri):
        raise jsonschema.exceptions.RefResolutionError(f"{uri} is not a local schema file")

    resolver = jsonschema.RefResolver.from_schema(
        incident, store=docs, handlers={"http": no_network, "https": no_network, "file": no_network})
    validator = jsonschema.Draft202012Validator(incident, resolver=resolver)


def errors_of(form):
    try:
        return sorted(validator.iter_errors(form), key=lambda e: [str(p) for p in e.absolute_path])
    except jsonschema.exceptions.RefResolutionError as e:
        problem(f"a $ref did not resolve locally: {e}")
        return []


def field(error):
    return ".".join(str(p) for p in error.absolute_path) or "(form)"


# --- Every leaf resolves to exactly one compartment, the one docs/records.md gives --------------
def resolve(ref, uri):
    if ref.startswith("#/"):
        node = docs[uri]
        for part in ref[2:].split("/"):
            node = node[part]
        return node, uri
    target = urllib.parse.urljoin(uri, ref)
    if target not in docs:
        raise KeyError(f"$ref {ref!r} from {uri} names no schema file")
    return docs[target], target


leaves = {}
limits = {}  # leaf path -> maxLength, which custody counts in bytes of UTF-8


def walk(node, uri, path, inherited):
    chain = [(node, uri)]
    while "$ref" in chain[-1][0]:
        chain.append(resolve(chain[-1][0]["$ref"], chain[-1][1]))
    here = inherited + [n["x-compartment"] for n, _ in chain if "x-compartment" in n]
    types = {n["type"] for n, _ in chain if "type" in n}
    if "object" in types:
        for n, u in chain:
            for key, sub in n.get("properties", {}).items():
                walk(sub, u, f"{path}.{key}" if path else key, here)
    elif "array" in types:
        for n, u in chain:
            if "items" in n:
                walk(n["items"], u, path + "[]", here)
    else:
        leaves[path] = here
        limits[path] = next((n["maxLength"] for n, _ in chain if "maxLength" in n), None)


try:
    walk(incident, BASE + "incident.schema.json", "", [])
except KeyError as e:
    problem(f"incident.schema.json: {e}")
for path, found in sorted(leaves.items()):
    if len(found) != 1:
        problem(f"schema leaf {path}: resolves to {len(found)} compartments {found}, not exactly one")
    elif path in EXPECTED_LEAVES and found[0] != EXPECTED_LEAVES[path]:
        problem(f"schema leaf {path}: compartment {found[0]}, docs/records.md says {EXPECTED_LEAVES[path]}")
for path in sorted(set(EXPECTED_LEAVES) - set(leaves)):
    problem(f"schema: field {path} of docs/records.md is missing")
for path in sorted(set(leaves) - set(EXPECTED_LEAVES)):
    problem(f"schema: field {path} is not in docs/records.md")

# --- Every vocabulary: codes, terms, labels, sources, crosswalk -------------------------------
TERM_KEYS = {"label", "definition", "source", "huridocs"}
referenced = set(re.findall(r'"vocab/([a-z_]+)\.json"', json.dumps(incident)))
for name, doc in sorted(vocab.items()):
    where = f"vocab/{name}.json"
    if name not in referenced:
        problem(f"{where}: not used by incident.schema.json")
    if doc.get("type") != "string":
        problem(f"{where}: type must be string")
    codes = doc.get("enum", [])
    terms = doc.get("x-terms", {})
    if not codes or len(codes) != len(set(codes)):
        problem(f"{where}: enum must list codes, each once")
    for code in codes:
        if not isinstance(code, str) or not re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*", code):
            problem(f"{where}: code {code!r} is not lowercase and dotted")
        elif name in CODE_PREFIX and not code.startswith(CODE_PREFIX[name]):
            problem(f"{where}: code {code!r} does not start with {CODE_PREFIX[name]!r}")
        if code not in terms:
            problem(f"{where}: code {code!r} has no entry in x-terms")
    for code in terms:
        if code not in codes:
            problem(f"{where}: x-terms entry {code!r} is not in enum")
    if name in EXACT_CODES and set(codes) != EXACT_CODES[name]:
        problem(f"{where}: codes {sorted(codes)} differ from docs/records.md {sorted(EXACT_CODES[name])}")
    labels = {}
    for code, term in terms.items():
        if not isinstance(term, dict):
            problem(f"{where}: {code}: term must be an object")
            continue
        for key in sorted(TERM_KEYS - set(term)):
            problem(f"{where}: {code}: term has no {key}")
        for key in sorted(set(term) - TERM_KEYS - {"deprecated"}):
            problem(f"{where}: {code}: unknown term field {key!r}")
        for key in sorted(TERM_KEYS & set(term)):
            if not isinstance(term[key], str) or not term[key].strip():
                problem(f"{where}: {code}: {key} must be a non-empty string")
        if "deprecated" in term and term["deprecated"] is not True:
            problem(f"{where}: {code}: deprecated, when present, must be true")
        hur = term.get("huridocs")
        if isinstance(hur, str) and hur.strip() and not re.fullmatch(r"MT[0-9]+ [0-9]{12} \S.*|none fits: \S.*", hur):
            problem(f"{where}: {code}: huridocs must be 'MT<n> <12-digit code> <term>' or 'none fits: <why>'")
        label = term.get("label")
        if label in labels:
            problem(f"{where}: {code} and {labels[label]} share the label {label!r}")
        labels[label] = code

# --- The places list -----------------------------------------------------------------------
places_path = os.path.join(src, "examples", "places.yaml")
with open(places_path, encoding="utf-8") as f:
    places = yaml.safe_load(f)
regions = {r.get("code"): r for r in places.get("regions", [])}
districts = {d.get("code"): d for d in places.get("districts", [])}
if len(regions) != len(places.get("regions", [])) or len(districts) != len(places.get("districts", [])):
    problem("examples/places.yaml: a region or district code is used twice")
if not 3 <= len(regions) <= 4 or not 10 <= len(districts) <= 12:
    problem(f"examples/places.yaml: {len(regions)} regions and {len(districts)} districts (want 3-4, 10-12)")
district_pattern = incident["properties"]["incident"]["properties"]["district"]["pattern"]
for code, d in districts.items():
    if not isinstance(code, str) or not re.search(district_pattern, code):
        problem(f"examples/places.yaml: district code {code!r} does not match {district_pattern}")
    if not isinstance(d.get("name"), str) or not d["name"]:
        problem(f"examples/places.yaml: district {code!r} has no name")
    if d.get("region") not in regions:
        problem(f"examples/places.yaml: district {code!r} names an unknown region {d.get('region')!r}")
for code, r in regions.items():
    if not isinstance(r.get("name"), str) or not r["name"]:
        problem(f"examples/places.yaml: region {code!r} has no name")
    if not any(d.get("region") == code for d in districts.values()):
        problem(f"examples/places.yaml: region {code!r} has no district")

# --- Every example validates, and together they cover what the brief asks ----------------------
examples = {}
for path in sorted(glob.glob(os.path.join(src, "examples", "incidents", "*"))):
    name = os.path.basename(path)
    if not re.fullmatch(r"[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*\.yaml", name):
        problem(f"examples/incidents/{name}: name is not NN-<slug>.yaml")
        continue
    with open(path, encoding="utf-8") as f:
        try:
            form = yaml.safe_load(f)
        except yaml.YAMLError as e:
            problem(f"examples/incidents/{name}: not YAML: {e}")
            continue
    examples[name] = form
    for error in errors_of(form):
        message = f"{error.instance!r} is not a code of its list" if error.validator == "enum" else error.message
        problem(f"examples/incidents/{name}: {field(error)}: {message}")

# JSON Schema counts maxLength in characters, custody in bytes: check the bytes here too.
def byte_limits(name, node, path):
    if isinstance(node, dict):
        for key, sub in node.items():
            byte_limits(name, sub, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for sub in node:
            byte_limits(name, sub, path + "[]")
    elif isinstance(node, str) and limits.get(path) is not None:
        if len(node.encode("utf-8")) > limits[path]:
            problem(f"examples/incidents/{name}: {path}: {len(node.encode('utf-8'))} bytes, limit {limits[path]}")


for name, form in examples.items():
    byte_limits(name, form, "")
    if len(json.dumps(form, ensure_ascii=False, default=str).encode("utf-8")) > 1024 * 1024:
        problem(f"examples/incidents/{name}: the form is over 1 MiB")

numbers = [n[:2] for n in examples]
if len(set(numbers)) != len(numbers):
    problem("examples/incidents: two examples share a number")


def get(form, *keys):
    for key in keys:
        if not isinstance(form, dict) or key not in form:
            return None
        form = form[key]
    return form


count = {"population": {}, "language": {}, "year": {}, "precision": {}}
persons, events, used = {}, {}, {}
document_only_alone = 0
for name, form in examples.items():
    district = get(form, "incident", "district")
    if district not in districts:
        problem(f"examples/incidents/{name}: district {district!r} is not in examples/places.yaml")
    scopes = get(form, "consent", "scopes") or []
    if "document_only" in scopes and len(scopes) != 1:
        problem(f"examples/incidents/{name}: document_only is exclusive, but scopes are {scopes}")
    if scopes == ["document_only"]:
        document_only_alone += 1
    date = get(form, "incident", "date")
    if isinstance(date, str):
        count["year"][date[:4]] = count["year"].get(date[:4], 0) + 1
        precision = {4: "year", 7: "month", 10: "day"}.get(len(date), "?")
        count["precision"][precision] = count["precision"].get(precision, 0) + 1
        first = get(form, "response", "first_contact_at")
        if precision == "day" and isinstance(first, str):
            try:
                start = datetime.datetime.fromisoformat(date + "T" + (get(form, "incident", "time") or "00:00"))
                contact = datetime.datetime.fromisoformat(first.replace("Z", "+00:00")).replace(tzinfo=None)
                if contact < start:
                    problem(f"examples/incidents/{name}: first_contact_at is before the incident")
            except ValueError as e:
                problem(f"examples/incidents/{name}: {e}")
    for key, value in (("population", get(form, "person", "population")),
                       ("language", get(form, "narrative", "language"))):
        count[key][value] = count[key].get(value, 0) + 1
    persons.setdefault(get(form, "person", "person_ref"), []).append(name)
    event = get(form, "incident", "event_ref")
    if event is not None:
        events.setdefault(event, []).append(name)
    for list_name, keys in (("violence_type", ("incident", "violence_types")),
                            ("perpetrator", ("incident", "perpetrators")),
                            ("response_action", ("response", "actions")),
                            ("referral", ("response", "referrals")),
                            ("consent_scope", ("consent", "scopes"))):
        for code in get(form, *keys) or []:
            used.setdefault(list_name, set()).add(code)
    for list_name, keys in (("setting", ("incident", "setting")), ("outcome", ("response", "outcome")),
                            ("population", ("person", "population"))):
        if get(form, *keys) is not None:
            used.setdefault(list_name, set()).add(get(form, *keys))

if len(examples) < 24:
    problem(f"examples/incidents: {len(examples)} examples, want at least 24")
for population in ("female", "male", "transgender"):
    if population not in count["population"]:
        problem(f"examples/incidents: no example with population {population}")
if len(count["year"]) < 2:
    problem(f"examples/incidents: incident dates span {sorted(count['year'])}, want at least two years")
for precision in ("year", "month", "day"):
    if precision not in count["precision"]:
        problem(f"examples/incidents: no incident date known only to the {precision}")
if "en" not in count["language"]:
    problem("examples/incidents: no narrative in English")
others = [lang for lang in ("es", "ru", "sw", "hi") if count["language"].get(lang, 0) >= 2]
if len(others) < 2:
    problem(f"examples/incidents: want two of es/ru/sw/hi with at least 2 narratives each, have {count['language']}")
if not any(len(names) >= 2 for ref, names in persons.items()):
    problem("examples/incidents: no person_ref with two incidents")
if not any(len(names) >= 2 for names in events.values()):
    problem("examples/incidents: no event_ref shared by several records")
if document_only_alone < 1:
    problem("examples/incidents: no example with document_only consent alone")

# --- The schema rejects bad forms (each mutation of a valid form must fail) ---------------------
good = {
    "form_version": 1,
    "incident": {"date": "2025-03-14", "date_approximate": False, "district": "harbour",
                 "violence_types": ["violence.economic.extortion"],
                 "perpetrators": ["perpetrator.state.police"]},
    "person": {"person_ref": "P-0001", "population": "female"},
    "narrative": {"text": "An account.", "language": "en"},
    "consent": {"scopes": ["anonymised_statistics"]},
}
if errors_of(good):
    problem(f"the minimal valid form is rejected: {[e.message for e in errors_of(good)]}")


def mutated(description, path, value=None, delete=False):
    form = copy.deepcopy(good)
    node = form
    for key in path[:-1]:
        node = node.setdefault(key, {})
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return description, form


bad_forms = [
    mutated("unknown violence type", ["incident", "violence_types"], ["violence.physical.unknown"]),
    mutated("unknown perpetrator", ["incident", "perpetrators"], ["perpetrator.state.police "]),
    mutated("unknown population", ["person", "population"], "woman"),
    mutated("unknown consent scope", ["consent", "scopes"], ["everything"]),
    mutated("unknown setting", ["incident", "setting"], "setting.beach"),
    mutated("unknown outcome", ["response", "outcome"], "outcome.fine"),
    mutated("missing narrative.language", ["narrative", "language"], delete=True),
    mutated("missing incident.district", ["incident", "district"], delete=True),
    mutated("missing incident.date_approximate", ["incident", "date_approximate"], delete=True),
    mutated("missing person.person_ref", ["person", "person_ref"], delete=True),
    mutated("missing consent", ["consent"], delete=True),
    mutated("missing form_version", ["form_version"], delete=True),
    mutated("no violence type", ["incident", "violence_types"], []),
    mutated("no consent scope", ["consent", "scopes"], []),
    mutated("date 30 February", ["incident", "date"], "2025-02-30"),
    mutated("date 31 April", ["incident", "date"], "2025-04-31"),
    mutated("month 13", ["incident", "date"], "2025-13"),
    mutated("day-first date", ["incident", "date"], "14/03/2025"),
    mutated("unpadded date", ["incident", "date"], "2025-3-1"),
    mutated("date with a time", ["incident", "date"], "2025-03-14T23:40"),
    mutated("time 24:00", ["incident", "time"], "24:00"),
    mutated("time without minutes", ["incident", "time"], "23"),
    mutated("first_contact_at without offset", ["response", "first_contact_at"], "2025-03-15T08:10:00"),
    mutated("first_contact_at without seconds", ["response", "first_contact_at"], "2025-03-15T08:10+03:00"),
    mutated("language as a name", ["narrative", "language"], "English"),
    mutated("district with a capital", ["incident", "district"], "Harbour"),
    mutated("person_ref with spaces around it", ["person", "person_ref"], " P-0001"),
    mutated("date_approximate as a string", ["incident", "date_approximate"], "no"),
    mutated("date as a number", ["incident", "date"], 2025),
    mutated("form_version as a string", ["form_version"], "1"),
    mutated("form_version 2", ["form_version"], 2),
    mutated("violence_types as a string", ["incident", "violence_types"], "violence.economic.extortion"),
    mutated("phones as a string", ["person", "phones"], "+000 000 0000"),
    mutated("extra incident property", ["incident", "severity"], "high"),
    mutated("extra top-level property", ["notes"], "x"),
    mutated("extra vehicle property", ["aggressor", "vehicle", "year"], "2010"),
    mutated("extra consent property", ["consent", "until"], "2026-01-01"),
    mutated("short string over 256", ["person", "names"], ["x" * 257]),
    mutated("list over 64 items", ["person", "phones"], ["+000"] * 65),
    mutated("free text over 64 KiB", ["narrative", "text"], "x" * 65537),
]
for description, form in bad_forms:
    if not errors_of(form):
        problem(f"the schema accepts a bad form: {description}")

accepted = [
    mutated("year only", ["incident", "date"], "2024"),
    mutated("month only", ["incident", "date"], "2024-11"),
    mutated("29 February", ["incident", "date"], "2024-02-29"),
    mutated("first_contact_at in UTC", ["response", "first_contact_at"], "2025-03-15T05:10:00Z"),
    mutated("language with region", ["narrative", "language"], "es-419"),
    mutated("short string of 256", ["person", "names"], ["x" * 256]),
    mutated("empty aggressor", ["aggressor"], {}),
]
for description, form in accepted:
    if errors_of(form):
        problem(f"the schema rejects a good form: {description}: {[e.message for e in errors_of(form)]}")

# --- Report ----------------------------------------------------------------------------------
if problems:
    for p in problems:
        print("FAIL:", p, file=sys.stderr)
    print(f"{len(problems)} problem(s)", file=sys.stderr)
    sys.exit(1)
print(f"{len(examples)} examples valid; populations {dict(sorted(count['population'].items()))}; "
      f"languages {dict(sorted(count['language'].items()))}; years {dict(sorted(count['year'].items()))}; "
      f"precision {dict(sorted(count['precision'].items()))}")
for name in VOCABS:
    unused = [c for c in vocab[name]["enum"] if c not in used.get(name, set())]
    if unused:
        print(f"note: {name} codes no example uses: {', '.join(unused)}")
PY
echo ok
