// The JSON Schema subset: each keyword, refs, load-time refusals, problem
// pointers and wording, compartments and the embedded schema table.
#include "form_schemas.hpp"
#include "temp_dir.hpp"

#include <custody/schema/schema.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

using namespace custody;
using schema::Json;
using schema::SchemaSet;

namespace {

SchemaSet
single(const std::string& text)
{
  auto loaded = SchemaSet::from_files("s.json", {{"s.json", text}});
  REQUIRE_MESSAGE(loaded, (loaded ? "" : loaded.error().message));
  return *loaded;
}

schema::Report
check(const SchemaSet& set, const std::string& instance)
{
  return set.validate(Json::parse(instance));
}

std::string
listing(const schema::Report& report)
{
  std::string out;
  for (const auto& problem : report.problems) {
    out += problem.pointer + ": " + problem.message + "\n";
  }
  return out;
}

// Whether `report` has a problem at `pointer` whose message contains `part`.
bool
has(const schema::Report& report,
    const std::string& pointer,
    const std::string& part)
{
  for (const auto& problem : report.problems) {
    if (problem.pointer == pointer
        && problem.message.find(part) != std::string::npos) {
      return true;
    }
  }
  return false;
}

std::string
load_error(const SchemaSet::Files& files, const std::string& root = "s.json")
{
  auto loaded = SchemaSet::from_files(root, files);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error().code == Errc::invalid_input);
  return loaded.error().message;
}

bool
contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_SUITE_BEGIN("schema");

TEST_CASE("type accepts its JSON type and names the allowed ones otherwise")
{
  SUBCASE("single types")
  {
    const struct
    {
      const char* type;
      const char* good;
      const char* bad;
      const char* words;
    } cases[] = {
      {"string", R"("x")", "1", "must be text, not a whole number"},
      {"integer", "-3", R"("3")", "must be a whole number, not text"},
      {"boolean", "true", "0", "must be true or false"},
      {"object", "{}", "[]", "must be a group of fields, not a list"},
      {"array", "[]", "{}", "must be a list"},
      {"null", "null", "false", "must be null"},
    };
    for (const auto& c : cases) {
      CAPTURE(c.type);
      const auto set = single(fmt::format(R"({{"type": "{}"}})", c.type));
      CHECK(check(set, c.good).ok());
      const auto report = check(set, c.bad);
      CHECK(report.total == 1);
      CHECK(has(report, "", c.words));
    }
  }
  SUBCASE("a list of types")
  {
    const auto set = single(R"({"type": ["string", "null"]})");
    CHECK(check(set, R"("x")").ok());
    CHECK(check(set, "null").ok());
    CHECK(has(check(set, "7"), "", "must be text or null"));
  }
  SUBCASE("floats are no integer")
  {
    const auto set = single(R"({"type": "integer"})");
    CHECK(has(set.validate(Json(1.5)), "", "not a fraction"));
  }
}

TEST_CASE("properties, required and additionalProperties")
{
  const auto set = single(R"({
    "type": "object",
    "required": ["a", "b"],
    "properties": {"a": {"type": "string"}, "b": {"type": "integer"},
                   "colour": {"type": "string"}},
    "additionalProperties": false
  })");
  CHECK(check(set, R"({"a": "x", "b": 1})").ok());
  SUBCASE("missing fields are named by their own pointer")
  {
    const auto report = check(set, R"({"a": "x"})");
    CHECK(report.total == 1);
    CHECK(has(report, "/b", "is required"));
  }
  SUBCASE("unknown fields list the allowed ones and the closest")
  {
    const auto report = check(set, R"({"a": "x", "b": 1, "color": "red"})");
    CHECK(report.total == 1);
    CHECK(has(report, "/color", "allowed: a, b, colour"));
    CHECK(has(report, "/color", "did you mean colour?"));
  }
  SUBCASE("properties are checked")
  {
    CHECK(has(check(set, R"({"a": 1, "b": 1})"), "/a", "must be text"));
  }
  SUBCASE("additionalProperties as a schema")
  {
    const auto map = single(R"({"type": "object",
      "additionalProperties": {"type": "integer"}})");
    CHECK(check(map, R"({"x": 1, "y": 2})").ok());
    CHECK(has(check(map, R"({"x": 1, "y": "2"})"), "/y", "a whole number"));
  }
  SUBCASE("without additionalProperties, other fields pass")
  {
    const auto open = single(R"({"properties": {"a": {"type": "string"}}})");
    CHECK(check(open, R"({"z": [1]})").ok());
  }
}

TEST_CASE("enum lists the allowed codes and suggests the closest")
{
  const auto set = test::form_schemas();
  auto instance = Json::parse(test::k_valid_form);
  REQUIRE(set.validate(instance).ok());
  SUBCASE("a short list is listed whole, with a suggestion")
  {
    instance["person"]["population"] = "transgendr";
    const auto report = set.validate(instance);
    CHECK(report.total == 1);
    CHECK(has(report,
              "/person/population",
              "is not one of the allowed codes: female, male, transgender, "
              "non_binary, not_stated; did you mean transgender?"));
  }
  SUBCASE("a long list is cut after ten")
  {
    instance["incident"]["violence_types"][1] = "violence.physical.beatng";
    const auto report = set.validate(instance);
    CHECK(has(report,
              "/incident/violence_types/1",
              "violence.verbal.threat, … (12 in all)"));
    CHECK(has(report,
              "/incident/violence_types/1",
              "did you mean violence.physical.beating?"));
  }
  SUBCASE("the last segment of a code is enough for a suggestion")
  {
    instance["incident"]["violence_types"][0] = "Extortion";
    CHECK(has(set.validate(instance),
              "/incident/violence_types/0",
              "did you mean violence.economic.extortion?"));
  }
  SUBCASE("nothing close, no suggestion")
  {
    instance["person"]["population"] = "something else entirely";
    const auto report = set.validate(instance);
    REQUIRE(report.total == 1);
    CHECK_FALSE(contains(report.problems[0].message, "did you mean"));
  }
  SUBCASE("non-string enums")
  {
    const auto numbers = single(R"({"enum": [1, 2, null]})");
    CHECK(check(numbers, "2").ok());
    CHECK(has(check(numbers, "3"), "", "must be one of: 1, 2, null"));
  }
}

TEST_CASE("const")
{
  const auto set = single(R"({"const": 1})");
  CHECK(check(set, "1").ok());
  CHECK(has(check(set, "2"), "", "must be 1"));
  CHECK(has(check(set, R"("1")"), "", "must be 1"));
}

TEST_CASE("pattern searches unless anchored and matches code points")
{
  CHECK(check(single(R"({"pattern": "b"})"), R"("abc")").ok());
  CHECK_FALSE(check(single(R"({"pattern": "^b"})"), R"("abc")").ok());
  CHECK_FALSE(check(single(R"({"pattern": "b$"})"), R"("abc")").ok());
  CHECK(check(single(R"({"pattern": "^a|^x"})"), R"("xyz")").ok());
  // One code point, two bytes.
  CHECK(check(single(R"({"pattern": "^.$"})"), R"("é")").ok());
  CHECK(check(single(R"({"pattern": "^[é]+$"})"), R"("éé")").ok());
  SUBCASE("the message names the pattern")
  {
    const auto report =
      check(single(R"({"pattern": "^P-[0-9]{4}$"})"), R"("P-12")");
    CHECK(has(
      report, "", "does not have the required form (pattern ^P-[0-9]{4}$)"));
  }
  SUBCASE("a long string does not exhaust the stack")
  {
    const auto set = single(R"({"pattern": "^[a-z ]+$"})");
    CHECK(
      set.validate(Json(std::string(schema::k_max_string_bytes, 'a'))).ok());
    CHECK_FALSE(
      set.validate(Json(std::string(schema::k_max_string_bytes - 1, 'a') + "!"))
        .ok());
    const auto search = single(R"({"pattern": "a+b"})");
    CHECK_FALSE(
      search.validate(Json(std::string(schema::k_max_string_bytes, 'a'))).ok());
  }
  SUBCASE("patterns only apply to strings")
  {
    CHECK(check(single(R"({"pattern": "^x$"})"), "5").ok());
  }
}

TEST_CASE("items, minItems and maxItems")
{
  const auto set = single(R"({"type": "array", "items": {"type": "integer"},
    "minItems": 1, "maxItems": 2})");
  CHECK(check(set, "[1]").ok());
  CHECK(check(set, "[1, 2]").ok());
  CHECK(has(check(set, "[]"), "", "must have at least 1 item"));
  CHECK(
    has(check(set, "[1, 2, 3]"), "", "must have at most 2 items (it has 3)"));
  const auto report = check(set, R"([1, "x"])");
  CHECK(has(report, "/1", "must be a whole number"));
}

TEST_CASE("maxLength counts code points; every string has a byte limit")
{
  const auto set = single(R"({"type": "string", "maxLength": 3})");
  CHECK(check(set, R"("ééé")").ok()); // six bytes, three characters
  CHECK(has(check(set, R"("éééé")"),
            "",
            "is too long: 4 characters, at most 3 allowed"));
  // Too long is reported alone: the pattern is not tried.
  const auto both = single(R"({"maxLength": 3, "pattern": "^[0-9]+$"})");
  CHECK(check(both, R"("abcd")").total == 1);
  CHECK(check(both, R"("abc")").total == 1);
  const auto free_text = single(R"({"type": "string"})");
  CHECK(free_text.validate(Json(std::string(65536, 'x'))).ok());
  const auto report = free_text.validate(Json(std::string(65537, 'x')));
  CHECK(
    has(report, "", "is too long: 65,537 bytes, at most 65,536 bytes allowed"));
  schema::Options options;
  options.max_string_bytes = 10;
  CHECK_FALSE(free_text.validate(Json("12345678901"), options).ok());
}

TEST_CASE("format date wants a calendar date and says which part is wrong")
{
  const auto set = single(R"({"type": "string", "format": "date"})");
  CHECK(check(set, R"("2025-03-14")").ok());
  CHECK(check(set, R"("2024-02-29")").ok());
  CHECK(check(set, R"("2000-02-29")").ok());
  CHECK(has(check(set, R"("1900-02-29")"), "", "the day must be 01 to 28"));
  CHECK(has(check(set, R"("2025-13-01")"), "", "the month must be 01 to 12"));
  CHECK(has(check(set, R"("2025-04-31")"), "", "the day must be 01 to 30"));
  CHECK(has(check(set, R"("2025-3-14")"), "", "YYYY-MM-DD"));
  CHECK(has(check(set, R"("14/03/2025")"), "", "YYYY-MM-DD"));
  CHECK(has(check(set, R"("2025-03-14T00:00")"), "", "YYYY-MM-DD"));
}

TEST_CASE("$ref reaches other files, $defs and the root")
{
  SUBCASE("the test form uses all three kinds")
  {
    const auto set = test::form_schemas();
    CHECK(set.loaded_files()
          == std::vector<std::string>{"form.schema.json",
                                      "lang.json",
                                      "vocab/common.json",
                                      "vocab/population.json",
                                      "vocab/violence_type.json"});
    auto instance = Json::parse(test::k_valid_form);
    instance["narrative"]["language"] = "not a tag";
    instance["person"]["person_ref"] = 231;
    const auto report = set.validate(instance);
    CHECK(report.total == 2);
    CHECK(has(report, "/narrative/language", "pattern ^[a-z]{2,3}"));
    CHECK(has(report, "/person/person_ref", "must be text"));
  }
  SUBCASE("# is the root of the referring file")
  {
    const auto set = single(R"({"type": "object", "additionalProperties": false,
      "properties": {"child": {"$ref": "#"}, "n": {"type": "integer"}}})");
    CHECK(check(set, R"({"child": {"child": {"n": 1}}})").ok());
    CHECK(has(check(set, R"({"child": {"child": {"n": "1"}}})"),
              "/child/child/n",
              "a whole number"));
  }
  SUBCASE("a fragment is resolved in the file it names")
  {
    const auto set = *SchemaSet::from_files(
      "a/root.json",
      {{"a/root.json", R"({"$ref": "../b/defs.json#/$defs/x"})"},
       {"b/defs.json",
        R"({"$defs": {"x": {"$ref": "#/$defs/y"}, "y": {"type": "null"}}})"}});
    CHECK(check(set, "null").ok());
    CHECK_FALSE(check(set, "1").ok());
  }
  SUBCASE("a directory works as the map does")
  {
    test::TempDir dir;
    for (const auto& [path, text] : test::form_schema_files()) {
      std::filesystem::create_directories((dir.path() / path).parent_path());
      std::ofstream(dir.path() / path) << text;
    }
    auto set = SchemaSet::from_directory(dir.path(), "form.schema.json");
    REQUIRE(set);
    CHECK(set->validate(Json::parse(test::k_valid_form)).ok());
    CHECK(set->loaded_files().size() == 5);
  }
  SUBCASE("$ref with siblings: both apply")
  {
    const auto set = *SchemaSet::from_files(
      "s.json",
      {{"s.json", R"({"$ref": "t.json", "maxLength": 2})"},
       {"t.json", R"({"type": "string"})"}});
    CHECK(check(set, R"("ab")").ok());
    CHECK(check(set, R"("abc")").total == 1);
    CHECK(check(set, "1").total == 1);
  }
}

TEST_CASE("loading refuses what the validator would not check")
{
  SUBCASE("unknown keywords, wherever they are")
  {
    const auto message = load_error(
      {{"s.json",
        R"({"properties": {"n": {"type": "integer", "minimum": 0}}})"}});
    CHECK(contains(message, "schema s.json#/properties/n/minimum"));
    CHECK(contains(message, "unknown keyword \"minimum\""));
    CHECK(contains(load_error({{"s.json", R"({"anyOf": [true]})"}}), "anyOf"));
    CHECK(
      contains(load_error({{"s.json", R"({"$defs": {"x": {"oneOf": []}}})"}}),
               "s.json#/$defs/x/oneOf"));
    // In a referenced file too.
    CHECK(contains(load_error({{"s.json", R"({"$ref": "v.json"})"},
                               {"v.json", R"({"minLength": 1})"}}),
                   "schema v.json#/minLength"));
  }
  SUBCASE("annotations are allowed")
  {
    CHECK(SchemaSet::from_files(
      "s.json",
      {{"s.json",
        R"({"$schema": "x", "$id": "y", "title": "t", "description": "d",
            "$comment": "c", "examples": [1], "default": 1,
            "deprecated": false, "x-compartment": "facts",
            "x-terms": {"a": {"minimum": 1}}})"}}));
  }
  SUBCASE("malformed keyword values")
  {
    CHECK(contains(load_error({{"s.json", R"({"type": "number"})"}}), "type"));
    CHECK(
      contains(load_error({{"s.json", R"({"type": ["string", "string"]})"}}),
               "distinct"));
    CHECK(contains(load_error({{"s.json", R"({"format": "email"})"}}),
                   "only format is \"date\""));
    CHECK(contains(load_error({{"s.json", R"({"pattern": "(a"})"}}),
                   "does not compile"));
    CHECK(contains(load_error({{"s.json", R"({"pattern": "(a)\\1"})"}}),
                   "back-references"));
    CHECK(contains(load_error({{"s.json", R"({"maxLength": -1})"}}),
                   "non-negative"));
    CHECK(contains(load_error({{"s.json", R"({"required": ["a", "a"]})"}}),
                   "distinct"));
    CHECK(contains(load_error({{"s.json", R"({"enum": []})"}}), "non-empty"));
    CHECK(contains(load_error({{"s.json", R"({"items": [true]})"}}),
                   "s.json#/items"));
    CHECK(contains(load_error({{"s.json", R"({"x-compartment": "secret"})"}}),
                   "identity, narrative, facts, aggressor"));
    CHECK(contains(load_error({{"s.json", R"({"a": 1, "a": 2})"}}),
                   "duplicate key"));
  }
  SUBCASE("refs must stay in the set and lead somewhere")
  {
    auto missing = SchemaSet::from_files(
      "s.json", {{"s.json", R"({"$ref": "missing.json"})"}});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == Errc::not_found);
    CHECK(missing.error().message
          == "schema missing.json (named by $ref at s.json#/$ref): no such "
             "schema file");
    CHECK(contains(load_error({{"s.json", R"({"$ref": "#/$defs/none"})"}}),
                   "points at no schema"));
    CHECK(contains(
      load_error({{"s.json", R"({"$ref": "https://example.com/x.json"})"}}),
      "relative"));
    CHECK(contains(load_error({{"s.json", R"({"$ref": "../x.json"})"}}),
                   "outside the schema set"));
    CHECK(contains(load_error({{"s.json", R"({"$ref": "#name"})"}}),
                   "JSON pointers"));
    CHECK(contains(
      load_error({{"s.json", R"({"x-terms": {}, "$ref": "#/x-terms"})"}}),
      "points at no schema"));
    CHECK(contains(load_error({{"s.json",
                                R"({"$defs": {"a": {"$ref": "#/$defs/b"},
                                 "b": {"$ref": "#/$defs/a"}}})"}}),
                   "cycle"));
  }
  SUBCASE("a missing root")
  {
    auto loaded = SchemaSet::from_files("none.json", {});
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().code == Errc::not_found);
  }
}

TEST_CASE("every problem is reported with its pointer, up to a cap")
{
  const auto set = single(R"({"type": "object",
    "additionalProperties": {"type": "integer"}})");
  Json instance = Json::object();
  for (int i = 0; i < 30; ++i) {
    instance[fmt::format("k{:02}", i)] = "x";
  }
  instance["a/b~c"] = "x";
  const auto report = set.validate(instance);
  CHECK(report.total == 31);
  CHECK(report.problems.size() == schema::k_max_problems);
  CHECK(report.problems.front().pointer == "/a~1b~0c");
  schema::Options options;
  options.max_problems = 100;
  CHECK(set.validate(instance, options).problems.size() == 31);
  options.ignore_under = {"/k00", "/k01"};
  CHECK(set.validate(instance, options).total == 29);
}

TEST_CASE("messages never repeat a string value")
{
  const std::string canary = "CANARY-9f3b2a";
  const auto set = test::form_schemas();
  auto instance = Json::parse(test::k_valid_form);
  instance["person"]["population"] = canary;                       // enum
  instance["person"]["person_ref"] = canary;                       // pattern
  instance["incident"]["date"] = canary + "-03-14";                // format
  instance["incident"]["district"] = canary;                       // pattern
  instance["person"]["names"][0] = canary + std::string(300, 'x'); // length
  instance["incident"]["violence_types"][0] = canary; // enum in a list
  instance["narrative"]["language"] = canary;         // pattern via refs
  instance["person"][canary] = canary;                // unknown field
  const auto report = set.validate(instance);
  INFO(listing(report));
  CHECK(report.total == 8);
  for (const auto& problem : report.problems) {
    CAPTURE(problem.message);
    CHECK_FALSE(contains(problem.message, "CANARY"));
    CHECK_FALSE(contains(problem.message, "9f3b2a"));
  }
  CHECK(has(report, "/person/population", "not one of the allowed codes"));
}

TEST_CASE("Node gives the types YAML conversion needs")
{
  const auto set = test::form_schemas();
  const auto root = set.root();
  CHECK(root.types() == schema::type_object);
  CHECK(root.property("form_version").types() == schema::type_integer);
  const auto incident = root.property("incident");
  CHECK(incident.property("date").types() == schema::type_string);
  CHECK(incident.property("date_approximate").types() == schema::type_boolean);
  CHECK(incident.property("event_ref").types()
        == (schema::type_string | schema::type_null));
  CHECK(incident.property("violence_types").items().types()
        == schema::type_string);
  CHECK(root.property("person").property("population").types()
        == schema::type_string);
  CHECK(root.property("narrative").property("language").types()
        == schema::type_string);
  // Unknown fields: nothing describes them, or additionalProperties: false.
  CHECK(incident.property("nope").types() == 0);
  CHECK(single(R"({})").root().property("x").types() == schema::k_any_type);
  CHECK_FALSE(single(R"({})").root().property("x").described());
  CHECK(schema::describe_types(schema::type_string | schema::type_null)
        == "text or null");
}

TEST_CASE("split puts each leaf in its compartment, keeping the nesting")
{
  const auto set = test::form_schemas();
  const auto parts = set.split(Json::parse(test::k_valid_form));
  REQUIRE(parts);
  CHECK(parts->size() == 4);
  CHECK(parts->at("facts") == Json::parse(R"({
    "form_version": 1,
    "incident": {"district": "harbour",
      "violence_types": ["violence.physical.beating",
                         "violence.economic.extortion"]},
    "person": {"person_ref": "P-0231", "population": "transgender"}
  })"));
  CHECK(parts->at("identity") == Json::parse(R"({
    "incident": {"date": "2025-03-14", "date_approximate": false,
                 "time": "23:40"},
    "person": {"names": ["A"]}
  })"));
  CHECK(parts->at("narrative")
        == Json::parse(
          R"({"narrative": {"text": "What happened.", "language": "sw"}})"));
  CHECK(parts->at("aggressor")
        == Json::parse(R"({"aggressor": {"vehicle": {"plate": "KAA 123"}}})"));
  SUBCASE("merging the parts gives the form back")
  {
    Json merged = Json::object();
    for (const auto& [name, part] : *parts) {
      merged.merge_patch(part);
    }
    CHECK(merged == Json::parse(test::k_valid_form));
  }
  SUBCASE("empty compartments are present and empty")
  {
    auto instance = Json::parse(test::k_valid_form);
    instance.erase("aggressor");
    const auto again = set.split(instance);
    REQUIRE(again);
    CHECK(again->at("aggressor") == Json::object());
  }
  SUBCASE("a value without a compartment is refused")
  {
    const auto bare = single(R"({"properties": {"a": {"type": "string"}}})");
    const auto result = bare.split(Json::parse(R"({"a": "x"})"));
    REQUIRE_FALSE(result);
    CHECK(contains(result.error().message,
                   "/a: the schema puts it in no compartment"));
  }
}

TEST_CASE("check_compartments finds leaves with no compartment or several")
{
  CHECK(test::form_schemas().check_compartments().empty());
  SUBCASE("a leaf with none")
  {
    const auto set = *SchemaSet::from_files(
      "s.json", {{"s.json", R"({"type": "object", "additionalProperties": false,
         "properties": {
           "a": {"type": "string", "x-compartment": "facts"},
           "b": {"type": "object", "additionalProperties": false,
                 "properties": {"c": {"type": "string"},
                                "d": {"x-compartment": "identity"}}}}})"}});
    const auto issues = set.check_compartments();
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].pointer == "/b/c");
    CHECK(issues[0].compartments.empty());
  }
  SUBCASE("a node and its $ref target disagree")
  {
    const auto set = *SchemaSet::from_files(
      "s.json",
      {{"s.json", R"({"type": "object", "additionalProperties": false,
         "x-compartment": "facts",
         "properties": {"a": {"$ref": "v.json", "x-compartment": "identity"},
                        "b": {"$ref": "v.json"}}})"},
       {"v.json", R"({"type": "string", "x-compartment": "facts"})"}});
    const auto issues = set.check_compartments();
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].pointer == "/a");
    CHECK(issues[0].compartments
          == std::vector<std::string>{"facts", "identity"});
  }
  SUBCASE("an array's items declare another compartment")
  {
    const auto set = single(R"({"type": "object", "additionalProperties": false,
      "properties": {"list": {"type": "array", "x-compartment": "facts",
        "items": {"type": "string", "x-compartment": "identity"}}}})");
    const auto issues = set.check_compartments();
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].pointer == "/list");
  }
  SUBCASE("an open object's other fields need a compartment")
  {
    const auto set = single(R"({"type": "object",
      "properties": {"a": {"x-compartment": "facts"}}})");
    const auto issues = set.check_compartments();
    REQUIRE(issues.size() == 1);
    CHECK(issues[0].pointer == "/*");
  }
}

TEST_CASE("the embedded table holds every JSON file under schemas/")
{
  const std::filesystem::path dir = CUSTODY_SCHEMAS_DIR;
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      on_disk.insert(entry.path().lexically_relative(dir).generic_string());
    }
  }
  std::set<std::string> embedded;
  for (const auto& entry : schema::embedded_files()) {
    const std::string path(entry.first);
    embedded.insert(path);
    std::ifstream in(dir / path, std::ios::binary);
    const std::string expected{std::istreambuf_iterator<char>(in),
                               std::istreambuf_iterator<char>()};
    CHECK_MESSAGE(entry.second == expected, path);
  }
  CHECK(embedded == on_disk);
  CHECK(embedded.count("output/entry.json") == 1);
  SUBCASE("a schema set loads from the table")
  {
    auto card = SchemaSet::from_embedded("output/card.json");
    REQUIRE_MESSAGE(card, (card ? "" : card.error().message));
    CHECK(card->loaded_files() == std::vector<std::string>{"output/card.json"});
    auto missing = SchemaSet::from_embedded("none.json");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == Errc::not_found);
  }
}

TEST_CASE("closest counts two swapped neighbours as one slip")
{
  const std::vector<std::string> commands = {"init", "list", "log", "show"};
  CHECK(schema::closest("lsit", commands) == "list");
  CHECK(schema::closest("shwo", commands) == "show");
  CHECK(schema::closest("lgo", commands) == "log");
  CHECK(schema::closest("verify", commands) == std::nullopt);
}

TEST_SUITE_END();
