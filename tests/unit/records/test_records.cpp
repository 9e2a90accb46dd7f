// Records: derived coarse fields, batch writing, and the index shards over
// them.
#include "new_vault.hpp"
#include "sample_records.hpp"

#include <custody/records/index.hpp>
#include <custody/records/readers.hpp>
#include <custody/records/records.hpp>
#include <custody/records/view.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace custody;
using custody::test::NewVault;
using custody::test::sample_form;
using custody::test::sample_parts;

namespace {

records::Places
places()
{
  return *records::Places::parse(R"(
regions: [{code: south, name: South Shore}]
districts: [{code: harbour, name: Harbour, region: south}, {code: old_town, name: Old Town, region: south}]
)");
}

} // namespace

TEST_SUITE_BEGIN("records");

TEST_CASE("derive adds the month, the delay in hours, a week and a named area")
{
  const auto form = sample_form("2025-03-14");
  auto parts = sample_parts(form);
  const auto where = places();
  REQUIRE(records::derive(form, parts, &where));
  CHECK(parts[2]["incident"]["month"] == "2025-03");
  CHECK(parts[2]["incident"]["date_precision"] == "day");
  // 23:40 on the 14th to 08:10 on the 15th, both at +03:00
  CHECK(parts[2]["response"]["delay_hours"] == 8);
  CHECK(parts[3]["aggressor"]["when"] == "2025-W11");
  CHECK(parts[3]["aggressor"]["area"] == "South Shore");
  CHECK_FALSE(parts[2].dump().find("Harbour") != std::string::npos);
}

TEST_CASE(
  "a month-precision date gives no delay and a month-level aggressor time")
{
  const auto form = sample_form("2024-11");
  auto parts = sample_parts(form);
  REQUIRE(records::derive(form, parts, nullptr));
  CHECK(parts[2]["incident"]["month"] == "2024-11");
  CHECK(parts[2]["incident"]["date_precision"] == "month");
  CHECK_FALSE(parts[2].contains("response"));
  CHECK(parts[3]["aggressor"]["when"] == "2024-11");
  CHECK_FALSE(parts[3]["aggressor"].contains("area"));
}

TEST_CASE("ISO weeks at year boundaries")
{
  for (const auto& [date, week] : {std::pair{"2024-12-30", "2025-W01"},
                                   std::pair{"2021-01-03", "2020-W53"},
                                   std::pair{"2025-01-01", "2025-W01"}}) {
    const auto form = sample_form(date);
    auto parts = sample_parts(form);
    REQUIRE(records::derive(form, parts, nullptr));
    CHECK(parts[3]["aggressor"]["when"] == week);
  }
}

TEST_CASE("an unknown district is refused when the vault has a places list")
{
  const auto form = sample_form("2025-03-14", "nowhere");
  auto parts = sample_parts(form);
  const auto where = places();
  auto derived = records::derive(form, parts, &where);
  REQUIRE_FALSE(derived);
  CHECK(derived.error().message.find("/incident/district")
        != std::string::npos);
  CHECK(derived.error().message.find("nowhere") == std::string::npos);
}

TEST_CASE("strip_derived and merge_parts give back the form")
{
  const auto form = sample_form("2025-03-14");
  auto parts = sample_parts(form);
  const auto where = places();
  REQUIRE(records::derive(form, parts, &where));
  const auto merged = records::merge_parts(records::strip_derived(parts));
  // sample_parts leaves out date_approximate and the empty response.actions
  auto expected = form;
  expected["response"].erase("actions");
  expected["incident"].erase("date_approximate");
  CHECK(merged == expected);
}

TEST_CASE("make_merge_patch gives the RFC 7396 patch from one view to another")
{
  const auto from =
    json::Json::parse(R"({"a":{"b":1,"c":[1,2]},"d":"x","e":true})");
  const auto to =
    json::Json::parse(R"({"a":{"b":2,"c":[1,2]},"e":true,"f":null})");
  const auto patch = records::make_merge_patch(from, to);
  CHECK(patch == json::Json::parse(R"({"a":{"b":2},"d":null,"f":null})"));
  auto applied = from;
  applied.merge_patch(patch);
  CHECK(applied == json::Json::parse(R"({"a":{"b":2,"c":[1,2]},"e":true})"));
  CHECK(records::make_merge_patch(from, from).empty());
}

TEST_CASE("parts_of gives every example what splitting and deriving a copy "
          "gives")
{
  // parts_of moves a form's values into its parts and derives the coarse
  // fields from a copy of only what derive() reads: a field derive() came to
  // read without that copy would show here.
  auto schemas = schema::SchemaSet::from_embedded("incident.schema.json");
  REQUIRE(schemas);
  std::ifstream in(std::filesystem::path(CUSTODY_EXAMPLES_DIR) / "places.yaml");
  const std::string places_text{std::istreambuf_iterator<char>(in), {}};
  auto example_places = records::Places::parse(places_text);
  REQUIRE(example_places);
  auto forms = form::load_forms(
    std::filesystem::path(CUSTODY_EXAMPLES_DIR) / "incidents", *schemas);
  REQUIRE(forms);
  REQUIRE(forms->size() >= 24);
  for (const auto& form : *forms) {
    CAPTURE(form.origin.file);
    auto split = schemas->split(form.value);
    REQUIRE(split);
    records::Parts expected;
    for (std::size_t p = 0; p < records::k_part_count; ++p) {
      expected[p] =
        split->at(std::string(vault::compartment_name(records::k_parts[p])));
    }
    REQUIRE(records::derive(form.value, expected, &*example_places));
    auto parts =
      records::parts_of(form.value, form.origin, *schemas, &*example_places);
    REQUIRE(parts);
    for (std::size_t p = 0; p < records::k_part_count; ++p) {
      CHECK(json::canonical((*parts)[p]) == json::canonical(expected[p]));
    }
  }
}

TEST_SUITE_END();
