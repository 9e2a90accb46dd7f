// Forms written as YAML for an editor (custody edit) and read back by the form
// loader: in form order, block scalars for text of several lines, and the
// same form again whatever the text holds.
#include <custody/records/form.hpp>
#include <custody/records/form_yaml.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <string>

using namespace custody;

namespace {

const schema::SchemaSet&
incident_schemas()
{
  static const auto schemas = [] {
    auto loaded = schema::SchemaSet::from_embedded("incident.schema.json");
    REQUIRE(loaded);
    return std::move(*loaded);
  }();
  return schemas;
}

json::Json
read_back(const std::string& text)
{
  auto forms = form::load_forms_text(
    text, "(test)", form::Format::yaml, incident_schemas());
  REQUIRE_MESSAGE(forms, text);
  REQUIRE(forms->size() == 1);
  return forms->front().value;
}

json::Json
example()
{
  auto forms =
    form::load_forms(std::filesystem::path(CUSTODY_EXAMPLES_DIR) / "incidents"
                       / "01-police-extortion-harbour.yaml",
                     incident_schemas());
  REQUIRE(forms);
  return forms->front().value;
}

} // namespace

TEST_SUITE_BEGIN("form_yaml");

TEST_CASE("every example comes back the same, in form order, with its "
          "narrative as a block scalar")
{
  for (const auto& file : std::filesystem::directory_iterator(
         std::filesystem::path(CUSTODY_EXAMPLES_DIR) / "incidents")) {
    CAPTURE(file.path());
    auto forms = form::load_forms(file.path(), incident_schemas());
    REQUIRE(forms);
    const auto& form = forms->front().value;
    const auto text = form::to_yaml(form, incident_schemas(), "a comment");
    CHECK(read_back(text) == form);
  }
  const auto text =
    form::to_yaml(example(), incident_schemas(), "line one\nline two");
  CHECK(text.starts_with("# line one\n# line two\nform_version: 1\nincident:\n "
                         " date: \"2025-03-14\"\n"));
  CHECK(text.find("narrative:\n  text: |\n    Usiku") != std::string::npos);
  // consent comes last, as in the form schema; person before narrative.
  CHECK(text.find("\nconsent:\n") > text.find("\nresponse:\n"));
  CHECK(text.find("\nperson:\n") < text.find("\nnarrative:\n"));
}

TEST_CASE("text that block scalars and plain scalars get wrong comes back the "
          "same")
{
  auto form = example();
  for (const char* text : {"no final line break\nsecond",
                           "  indented first line\nsecond\n",
                           "two breaks at the end\n\n",
                           "\nstarts with a break\n",
                           "\n\n",
                           "tab\tinside\n\tand leading\n",
                           "a \"quote\" and a \\ backslash\nx",
                           "a control \x01 character\n",
                           "carriage\r\nreturns\r\n",
                           "line separator \xe2\x80\xa8 here\n",
                           "trailing spaces   \nand more  "}) {
    CAPTURE(text);
    form["narrative"]["text"] = text;
    const auto yaml = form::to_yaml(form, incident_schemas(), "");
    CHECK(read_back(yaml) == form);
  }
  for (const char* name : {"no",
                           "Yes",
                           "null",
                           "~",
                           "0042",
                           "+254 700",
                           "- dash",
                           "key: value",
                           "hash #tag",
                           "[brackets], commas",
                           "ends with colon:",
                           "trailing tab\t",
                           "&anchor",
                           "*alias",
                           "!tag",
                           "'single'",
                           "\"double\"",
                           "Ngozi Adébáyọ̀",
                           "नाम"}) {
    CAPTURE(name);
    form["person"]["names"] = json::Json::array({name, "second"});
    form["incident"]["location"] = name;
    const auto yaml = form::to_yaml(form, incident_schemas(), "");
    CHECK(read_back(yaml) == form);
  }
  // Quoted where YAML would read something else, plain where it reads the
  // text, and never every text quoted because one value needed it.
  form["incident"]["location"] = "no";
  form["person"]["names"] = json::Json::array({"key: value", "Ngozi Adébáyọ̀"});
  const auto yaml = form::to_yaml(form, incident_schemas(), "");
  CHECK(yaml.find("  location: \"no\"\n") != std::string::npos);
  CHECK(yaml.find("  names: [\"key: value\", Ngozi Adébáyọ̀]\n")
        != std::string::npos);
  CHECK(yaml.find("  district: harbour\n") != std::string::npos);
}

TEST_CASE("a block scalar says how its end is chomped")
{
  auto form = example();
  form["narrative"]["text"] = "one\ntwo";
  CHECK(form::to_yaml(form, incident_schemas(), "").find("text: |-\n")
        != std::string::npos);
  form["narrative"]["text"] = "  one\ntwo\n";
  CHECK(form::to_yaml(form, incident_schemas(), "").find("text: |2\n")
        != std::string::npos);
  form["narrative"]["text"] = "one\ntwo\n\n";
  CHECK(form::to_yaml(form, incident_schemas(), "").find("text: |+\n")
        != std::string::npos);
}

TEST_SUITE_END();
