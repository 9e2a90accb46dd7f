// Form files: YAML by the schema's types, places in problems, limits, JSON
// Lines and directory batches, all or nothing.
#include "form_schemas.hpp"
#include "temp_dir.hpp"

#include <custody/base/utf8.hpp>
#include <custody/records/form.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace custody;
using form::Format;
using schema::Json;

namespace {

// A valid YAML form; `{}` placeholders are not used, tests edit lines.
const std::string k_yaml = R"(form_version: 1
incident:
  date: 2025-03-14
  date_approximate: false
  time: 08:30
  district: harbour
  violence_types: [violence.physical.beating]
person:
  person_ref: P-0231
  population: transgender
  names: [no, on, "0042", 0042]
narrative:
  text: |
    What happened.
  language: sw
)";

form::Batch
check_yaml(const std::string& text, const std::string& name = "f.yaml")
{
  return form::check_text(text, name, Format::yaml, test::form_schemas());
}

std::string
listing(const form::Batch& batch)
{
  std::string out;
  for (const auto& problem : batch.problems) {
    out += form::to_string(problem) + "\n";
  }
  return out;
}

bool
contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

// `text` with the first occurrence of `from` replaced by `to`.
std::string
replace(std::string text, const std::string& from, const std::string& to)
{
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

void
write(const std::filesystem::path& path, const std::string& text)
{
  std::ofstream(path, std::ios::binary) << text;
}

std::string
one_line(const char* json)
{
  return Json::parse(json).dump();
}

} // namespace

TEST_SUITE_BEGIN("form");

TEST_CASE("YAML scalars become what the schema says, as written")
{
  const auto batch = check_yaml(k_yaml);
  REQUIRE_MESSAGE(batch.ok(), listing(batch));
  REQUIRE(batch.forms.size() == 1);
  const Json& form = batch.forms[0].value;
  CHECK(form["form_version"] == 1);
  CHECK(form["incident"]["date"] == "2025-03-14");
  CHECK(form["incident"]["date_approximate"] == false);
  CHECK(form["incident"]["time"] == "08:30");
  CHECK(form["person"]["names"]
        == Json::parse(R"(["no", "on", "0042", "0042"])"));
  CHECK(form["narrative"]["text"] == "What happened.\n");
  CHECK(batch.forms[0].origin.file == "f.yaml");
  CHECK(batch.forms[0].origin.line == 1);
}

TEST_CASE("YAML booleans are true or false, integers whole numbers")
{
  SUBCASE("yes for a boolean is refused with a hint")
  {
    const auto batch = check_yaml(
      replace(k_yaml, "date_approximate: false", "date_approximate: yes"));
    CHECK(batch.problem_count == 1);
    CHECK(contains(listing(batch),
                   "f.yaml:4:21: /incident/date_approximate: must be true or "
                   "false (YAML 1.1 words such as yes, no, on and off are not "
                   "booleans here)"));
    CHECK(batch.forms.empty());
  }
  SUBCASE("True is not YAML 1.2's lowercase true")
  {
    CHECK_FALSE(
      check_yaml(
        replace(k_yaml, "date_approximate: false", "date_approximate: True"))
        .ok());
  }
  SUBCASE("a quoted boolean is text")
  {
    const auto batch = check_yaml(replace(
      k_yaml, "date_approximate: false", "date_approximate: \"false\""));
    CHECK(contains(listing(batch),
                   "must be true or false, written without quotes"));
  }
  SUBCASE("integers")
  {
    CHECK(contains(listing(check_yaml(
                     replace(k_yaml, "form_version: 1", "form_version: 1.0"))),
                   "f.yaml:1:15: /form_version: must be a whole number"));
    CHECK(contains(listing(check_yaml(
                     replace(k_yaml, "form_version: 1", "form_version: 01"))),
                   "without leading zeros"));
    CHECK(contains(listing(check_yaml(
                     replace(k_yaml, "form_version: 1", "form_version: 0x1"))),
                   "must be a whole number"));
    CHECK(contains(
      listing(check_yaml(replace(
        k_yaml, "form_version: 1", "form_version: 99999999999999999999"))),
      "too large"));
    CHECK(contains(listing(check_yaml(
                     replace(k_yaml, "form_version: 1", "form_version: 2"))),
                   "/form_version: must be 1"));
    CHECK(
      check_yaml(replace(k_yaml, "  district:", "  witnesses: +3\n  district:"))
        .ok());
  }
  SUBCASE("an empty value where text is wanted")
  {
    const auto batch = check_yaml(replace(k_yaml, "time: 08:30", "time:"));
    CHECK(batch.problem_count == 1);
    CHECK(contains(listing(batch), "f.yaml:5:3: /incident/time: has no value"));
  }
  SUBCASE("null where null is allowed")
  {
    const auto batch =
      check_yaml(replace(k_yaml, "  district:", "  event_ref: ~\n  district:"));
    REQUIRE_MESSAGE(batch.ok(), listing(batch));
    CHECK(batch.forms[0].value["incident"]["event_ref"].is_null());
  }
}

TEST_CASE("problems name file, line, column and field")
{
  const auto batch = check_yaml(
    replace(replace(k_yaml, "district: harbour", "district: Harbour"),
            "population: transgender",
            "population: transgendr"));
  CHECK(batch.problem_count == 2);
  const auto text = listing(batch);
  CHECK(contains(text,
                 "f.yaml:6:13: /incident/district: does not have the required "
                 "form (pattern ^[a-z_]+$)\n"));
  CHECK(contains(text,
                 "f.yaml:10:15: /person/population: is not one of the allowed "
                 "codes"));
  CHECK(contains(text, "did you mean transgender?"));
  SUBCASE("a missing field points at its object")
  {
    const auto missing =
      check_yaml(replace(k_yaml, "  person_ref: P-0231\n", ""));
    CHECK(contains(listing(missing),
                   "f.yaml:8:1: /person/person_ref: is required"));
  }
  SUBCASE("unknown fields")
  {
    const auto unknown =
      check_yaml(replace(k_yaml, "  language: sw", "  langauge: sw"));
    CHECK(contains(listing(unknown),
                   "f.yaml:15:13: /narrative/langauge: is not a field here; "
                   "allowed: language, text; did you mean language?"));
  }
}

TEST_CASE("problems never quote a string value")
{
  const std::string canary = "CANARY-51c0de";
  std::string text =
    replace(k_yaml, "population: transgender", "population: " + canary);
  text = replace(text, "person_ref: P-0231", "person_ref: " + canary);
  text = replace(text, "date: 2025-03-14", "date: " + canary);
  text =
    replace(text, "date_approximate: false", "date_approximate: " + canary);
  text = replace(text, "form_version: 1", "form_version: " + canary);
  const auto batch = check_yaml(text);
  CHECK(batch.problem_count == 5);
  const auto error = form::batch_error(batch);
  CHECK_FALSE(contains(error.message, "CANARY"));
  CHECK_FALSE(contains(error.message, "51c0de"));
  CHECK(error.code == Errc::invalid_input);
}

TEST_CASE("duplicate keys are refused in YAML and JSON")
{
  const auto yaml = check_yaml(
    replace(k_yaml, "  time: 08:30\n", "  time: 08:30\n  time: 09:30\n"));
  CHECK(yaml.problem_count == 1);
  CHECK(
    contains(listing(yaml),
             "f.yaml:6:3: /incident/time: appears twice (first at line 5)"));
  const auto json =
    form::check_text("{\"form_version\": 1,\n \"form_version\": 1}",
                     "f.json",
                     Format::json,
                     test::form_schemas());
  CHECK(json.problem_count == 1);
  CHECK(contains(listing(json),
                 "f.json:2:2: /form_version: appears twice (first at line 1)"));
}

TEST_CASE("YAML tags, merge keys and several documents are refused")
{
  CHECK(contains(listing(check_yaml(replace(
                   k_yaml, "district: harbour", "district: !!str harbour"))),
                 "f.yaml:6:13: /incident/district: has a YAML tag"));
  const auto merge = check_yaml(k_yaml + "aggressor: {<<: {description: d}}\n");
  CHECK(contains(listing(merge), "merge key (<<)"));
  CHECK(contains(listing(check_yaml(k_yaml + "---\n" + k_yaml)),
                 "more than one YAML document"));
  CHECK(contains(listing(check_yaml("")), "f.yaml: holds no form"));
  CHECK(contains(listing(check_yaml("a: [1\n")), "f.yaml:2:1: invalid YAML"));
  SUBCASE("anchors and aliases are expanded")
  {
    const auto batch = check_yaml(
      k_yaml + "aggressor: {description: &d text, vehicle: {plate: *d}}\n");
    REQUIRE_MESSAGE(batch.ok(), listing(batch));
    CHECK(batch.forms[0].value["aggressor"]["vehicle"]["plate"] == "text");
  }
  SUBCASE("alias bombs stop")
  {
    std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 9; ++i) {
      bomb +=
        fmt::format("a{}: &a{} [*a{}, *a{}, *a{}, *a{}, *a{}, *a{}, *a{}, "
                    "*a{}, *a{}, *a{}]\n",
                    i,
                    i,
                    i - 1,
                    i - 1,
                    i - 1,
                    i - 1,
                    i - 1,
                    i - 1,
                    i - 1,
                    i - 1,
                    i - 1,
                    i - 1);
    }
    CHECK(contains(listing(check_yaml(bomb)), "more than 100000 values"));
  }
}

TEST_CASE("a file must be UTF-8, at most 1 MiB; a string at most 64 KiB")
{
  SUBCASE("the first bad byte is named by offset")
  {
    const std::string text =
      replace(k_yaml, "What happened.", std::string("Wh\xC3\x28t"));
    const auto offset = text.find('\xC3');
    const auto batch = check_yaml(text);
    CHECK(batch.problem_count == 1);
    CHECK(contains(listing(batch),
                   fmt::format("f.yaml:14:7: is not valid UTF-8 (the first bad "
                               "byte is at offset {})",
                               offset)));
  }
  SUBCASE("overlong forms and surrogates are not UTF-8")
  {
    CHECK_FALSE(check_yaml(replace(k_yaml, "harbour", "\xC0\xAF")).ok());
    CHECK_FALSE(check_yaml(replace(k_yaml, "harbour", "\xED\xA0\x80")).ok());
  }
  SUBCASE("1 MiB")
  {
    std::string big =
      k_yaml + "#" + std::string((1U << 20U) - k_yaml.size(), 'x');
    const auto batch = check_yaml(big);
    CHECK(contains(listing(batch),
                   fmt::format("f.yaml: is {} bytes; a form may be at most 1 "
                               "MiB (1048576 bytes)",
                               big.size())));
    big.pop_back();
    CHECK(big.size() == 1U << 20U);
    CHECK(check_yaml(big).ok());
  }
  SUBCASE("64 KiB")
  {
    // The block scalar keeps its final line break: 65,536 + 1 bytes.
    const std::string text(65536, 'x');
    const auto batch = check_yaml(replace(k_yaml, "What happened.", text));
    CHECK(contains(listing(batch),
                   "/narrative/text: is too long: 65,537 bytes, at most "
                   "65,536 bytes allowed"));
    CHECK(check_yaml(replace(k_yaml, "What happened.", text.substr(1))).ok());
  }
  SUBCASE("deep nesting")
  {
    std::string deep(100, '[');
    deep += std::string(100, ']');
    CHECK(contains(listing(check_yaml("aggressor: " + deep)),
                   "nested more than 64 levels deep"));
    // Deeper than yaml-cpp's own guard.
    CHECK(contains(listing(check_yaml("aggressor: " + std::string(5000, '['))),
                   "nested more than 64 levels deep"));
    const auto json = form::check_text("{\"aggressor\": " + deep + "}",
                                       "f.json",
                                       Format::json,
                                       test::form_schemas());
    CHECK(contains(listing(json), "nested more than 64 levels deep"));
  }
}

TEST_CASE("JSON forms: strict, with places")
{
  const std::string valid = test::k_valid_form;
  const auto ok =
    form::check_text(valid, "f.json", Format::json, test::form_schemas());
  REQUIRE_MESSAGE(ok.ok(), listing(ok));
  const auto wrong = form::check_text(replace(valid, "\"sw\"", "\"SW!\""),
                                      "f.json",
                                      Format::json,
                                      test::form_schemas());
  CHECK(
    contains(listing(wrong), "f.json:11:55: /narrative/language: does not"));
  CHECK(
    contains(listing(form::check_text(
               replace(valid, "\"form_version\": 1", "\"form_version\": 1.0"),
               "f.json",
               Format::json,
               test::form_schemas())),
             "f.json:2:19: /form_version: numbers must be whole"));
  CHECK(
    contains(listing(form::check_text(
               "{\"a\": tru}", "f.json", Format::json, test::form_schemas())),
             "f.json:1:7: /a: invalid JSON: expected a value"));
  CHECK(contains(
    listing(form::check_text(
      "{\"a\": \"x\"} x", "f.json", Format::json, test::form_schemas())),
    "f.json:1:12: invalid JSON: more text after the value"));
}

TEST_CASE("a JSON Lines batch is all or nothing")
{
  const std::string good = one_line(test::k_valid_form);
  auto bad_json = Json::parse(test::k_valid_form);
  bad_json["person"]["population"] = "someone";
  bad_json["incident"]["violence_types"] = Json::array();
  const std::string bad = bad_json.dump();
  SUBCASE("all good")
  {
    const auto batch = form::check_text(good + "\n\n" + good + "\r\n",
                                        "b.jsonl",
                                        Format::jsonl,
                                        test::form_schemas());
    REQUIRE_MESSAGE(batch.ok(), listing(batch));
    REQUIRE(batch.forms.size() == 2);
    CHECK(batch.forms[0].origin.line == 1);
    CHECK(batch.forms[1].origin.line == 3);
  }
  SUBCASE("one bad line fails the batch")
  {
    const auto batch = form::check_text(good + "\n" + bad + "\n" + good + "\n{",
                                        "b.jsonl",
                                        Format::jsonl,
                                        test::form_schemas());
    CHECK(batch.forms.empty());
    CHECK(batch.problem_count == 3);
    const auto text = listing(batch);
    CHECK(contains(text, "b.jsonl:2:"));
    CHECK(contains(text,
                   ": /incident/violence_types: must have at least 1 item\n"));
    CHECK(
      contains(text, ": /person/population: is not one of the allowed codes"));
    CHECK(contains(text, "b.jsonl:4:2: invalid JSON"));
  }
  SUBCASE("detected by content")
  {
    const auto batch = form::check_text(
      good + "\n" + good + "\n", "-", Format::detect, test::form_schemas());
    CHECK(batch.forms.size() == 2);
    CHECK(form::check_text(good, "-", Format::detect, test::form_schemas())
            .forms.size()
          == 1);
    CHECK(
      form::check_text(k_yaml, "-", Format::detect, test::form_schemas()).ok());
  }
  SUBCASE("the error lists at most 20 problems and counts them all")
  {
    std::string many;
    for (int i = 0; i < 15; ++i) {
      many += bad + "\n";
    }
    auto loaded = form::load_forms_text(
      many, "b.jsonl", Format::jsonl, test::form_schemas());
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().code == Errc::invalid_input);
    const auto& message = loaded.error().message;
    CHECK(std::count(message.begin(), message.end(), '\n') == 20);
    CHECK(contains(message, "\n… and 10 more (30 problems in all)"));
    CHECK(message.rfind("b.jsonl:1:", 0) == 0);
    CHECK(contains(message, "b.jsonl:10:"));
    CHECK_FALSE(contains(message, "b.jsonl:11:"));
    CHECK(contains(loaded.error().hint, "all or nothing"));
  }
}

TEST_CASE("a directory batch reads its form files in name order")
{
  test::TempDir dir;
  write(dir.path() / "b.json", test::k_valid_form);
  write(dir.path() / "a.yaml", k_yaml);
  write(dir.path() / "c.yml", k_yaml);
  write(dir.path() / "notes.txt", "not a form");
  write(dir.path() / ".hidden.yaml", "not: a form");
  std::filesystem::create_directory(dir.path() / "sub.json");
  const auto schemas = test::form_schemas();
  SUBCASE("all good")
  {
    auto forms = form::load_forms(dir.path(), schemas);
    REQUIRE_MESSAGE(forms, (forms ? "" : forms.error().message));
    REQUIRE(forms->size() == 3);
    CHECK((*forms)[0].origin.file == (dir.path() / "a.yaml").string());
    CHECK((*forms)[1].origin.file == (dir.path() / "b.json").string());
    CHECK((*forms)[2].origin.file == (dir.path() / "c.yml").string());
  }
  SUBCASE("one bad file fails them all, and every bad file is listed")
  {
    write(dir.path() / "b.json",
          replace(test::k_valid_form, "\"sw\"", "\"??\""));
    write(dir.path() / "c.yml",
          replace(k_yaml, "form_version: 1", "form_version: yes"));
    auto batch = form::check_path(dir.path(), schemas);
    REQUIRE(batch);
    CHECK(batch->forms.empty());
    CHECK(batch->problem_count == 2);
    const auto text = listing(*batch);
    CHECK(contains(text, (dir.path() / "b.json").string() + ":11:55:"));
    CHECK(contains(text,
                   (dir.path() / "c.yml").string() + ":1:15: /form_version:"));
  }
  SUBCASE("a form file over the limit is named without being read")
  {
    const auto big = dir.path() / "d.yaml";
    write(big, "");
    std::filesystem::resize_file(big, (1U << 20U) + 1);
    auto loaded = form::load_forms(dir.path(), schemas);
    REQUIRE_FALSE(loaded);
    CHECK(contains(loaded.error().message,
                   big.string()
                     + ": is 1048577 bytes; a form may be at most 1 MiB"));
  }
  SUBCASE("an empty directory is a problem; a missing path an error")
  {
    test::TempDir empty;
    CHECK(contains(form::load_forms(empty.path(), schemas).error().message,
                   "holds no *.yaml, *.yml or *.json file"));
    auto missing = form::load_forms(dir.path() / "none.yaml", schemas);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == Errc::not_found);
  }
}

TEST_CASE("the first bad UTF-8 byte is found wherever it falls in an ASCII run")
{
  // The check skips ASCII eight bytes at a time: a bad byte at every offset
  // of a run, and good multi-byte characters before it, must still be seen.
  for (std::size_t at = 0; at < 24; ++at) {
    std::string text(24, 'a');
    text[at] = '\xff';
    CHECK(custody::utf8::first_invalid(text) == at);
    const std::string prefixed = "\xc3\xa9" + text; // é
    CHECK(custody::utf8::first_invalid(prefixed) == at + 2);
    std::string truncated(at, 'a');
    truncated += "\xe0\xa4"; // the first two bytes of a Devanagari letter
    CHECK(custody::utf8::first_invalid(truncated) == at);
  }
  CHECK_FALSE(custody::utf8::first_invalid(std::string(1000, 'a') + "\xd0\x96")
                .has_value());
}

TEST_CASE("a JSON form is read into the same value json::parse_strict gives")
{
  // The scanner builds the value itself; every construct a form can hold must
  // come out as the library reads it.
  const auto any = custody::schema::SchemaSet::from_files(
    "any.json", {{"any.json", R"({"type": "object"})"}});
  REQUIRE(any);
  const std::vector<std::string> texts = {
    R"({})",
    R"({"a": [], "b": {}, "c": [[], [{}]], "d": null, "e": true, "f": false})",
    R"({"zero": 0, "neg": -42, "min": -9223372036854775808,)"
    R"( "max": 18446744073709551615, "list": [1, -1, 0]})",
    R"({"esc": "q\" b\\ s\/ \b\f\n\r\t", "u": "\u00e9\u0416\u0939",)"
    R"( "pair": "\ud83d\ude00", "raw": "é Ж ह 😀", "ctl": "\u0001\u001f"})",
    "\xEF\xBB\xBF"
    R"({"bom": 1})",
    " \r\n\t{ \"spaced\" :\n [ 1 ,\t2 ] }\n",
    R"({"b": 1, "a": 2, "B": 3, "é": 4, "": 5})",
  };
  for (const auto& text : texts) {
    CAPTURE(text);
    auto forms = custody::form::load_forms_text(
      text, "t.json", custody::form::Format::json, *any);
    REQUIRE(forms);
    REQUIRE(forms->size() == 1);
    const std::string_view body =
      std::string_view(text).substr(text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0);
    auto expected = custody::json::parse_strict(body);
    REQUIRE(expected);
    CHECK(forms->front().value == *expected);
    // Same kinds of number, not only equal values.
    CHECK(forms->front().value.dump() == expected->dump());
  }
}

TEST_CASE(
  "a repeated name is found and placed the same way when the value is built")
{
  const auto any = custody::schema::SchemaSet::from_files(
    "any.json", {{"any.json", R"({"type": "object"})"}});
  REQUIRE(any);
  auto forms = custody::form::load_forms_text("{\"a\": {\"x\": 1,\n \"x\": 2}}",
                                              "t.json",
                                              custody::form::Format::json,
                                              *any);
  REQUIRE_FALSE(forms);
  CHECK(forms.error().message.find(
          "t.json:2:2: /a/x: appears twice (first at line 1)")
        != std::string::npos);
}

TEST_SUITE_END();
