// The one parser of list's and stats' filters: codes and groups checked with
// "did you mean", DIMENSION=CODE, and whether a record is selected.
#include <custody/records/dimension.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace custody;
using records::Dimension;

namespace {

records::Places
places()
{
  auto parsed = records::Places::parse(R"(
regions:
  - {code: waterfront, name: Waterfront}
districts:
  - {code: harbour, name: Harbour, region: waterfront}
  - {code: dockside, name: Dockside, region: waterfront}
)");
  REQUIRE(parsed);
  return *parsed;
}

index::FactsRow
row_of(std::string month)
{
  index::FactsRow row;
  row.month = std::move(month);
  row.district = "harbour";
  row.population = "female";
  row.violence_types = {"violence.sexual.rape", "violence.economic.extortion"};
  row.perpetrators = {"perpetrator.state.police"};
  return row;
}

} // namespace

TEST_SUITE_BEGIN("dimension");

TEST_CASE("a group is named with or without the trailing dot")
{
  auto group =
    records::parse_code(Dimension::violence_type, "violence.sexual.", nullptr);
  REQUIRE(group);
  CHECK(*group == "violence.sexual");
  auto plain =
    records::parse_code(Dimension::violence_type, "violence.sexual", nullptr);
  REQUIRE(plain);
  CHECK(*plain == "violence.sexual");
  CHECK_FALSE(
    records::parse_code(Dimension::violence_type, "violence.sex.", nullptr));
  CHECK_FALSE(records::parse_code(Dimension::violence_type, ".", nullptr));
}

TEST_CASE("unknown populations and districts are refused with did you mean")
{
  auto population =
    records::parse_code(Dimension::population, "femal", nullptr);
  REQUIRE_FALSE(population);
  CHECK(population.error().code == Errc::invalid_input);
  CHECK(population.error().message.find("did you mean female?")
        != std::string::npos);

  const auto where = places();
  auto district = records::parse_code(Dimension::district, "harbor", &where);
  REQUIRE_FALSE(district);
  CHECK(district.error().message.find("did you mean harbour?")
        != std::string::npos);
  // The hint lists the places list's codes, which docs cannot.
  CHECK(district.error().hint.find("dockside") != std::string::npos);
  CHECK(records::parse_code(Dimension::district, "harbour", &where));
  CHECK(records::parse_code(Dimension::region, "waterfront", &where));
}

TEST_CASE("DIMENSION=CODE: usage without '=', bad input for the rest")
{
  auto filter =
    records::parse_filter("perpetrator=perpetrator.state.", nullptr);
  REQUIRE(filter);
  CHECK(filter->first == Dimension::perpetrator);
  CHECK(filter->second == "perpetrator.state");
  auto no_equals = records::parse_filter("perpetrator", nullptr);
  REQUIRE_FALSE(no_equals);
  CHECK(no_equals.error().code == Errc::usage);
  auto dimension = records::parse_filter("perpetrators=x", nullptr);
  REQUIRE_FALSE(dimension);
  CHECK(dimension.error().code == Errc::invalid_input);
  CHECK(dimension.error().message.find("did you mean perpetrator?")
        != std::string::npos);
  auto period = records::parse_filter("period=2026-q3", nullptr);
  REQUIRE(period);
  CHECK(period->first == Dimension::period);
}

TEST_CASE("selected: the period's months, whole years for a year alone, and "
          "every filter")
{
  const auto where = places();
  records::Selection selection;
  selection.period = records::Period{"2025-07", "2025-09"};
  CHECK(records::selected(row_of("2025-08"), selection, &where));
  CHECK_FALSE(records::selected(row_of("2025-10"), selection, &where));
  CHECK_FALSE(records::selected(row_of("2025"), selection, &where));
  selection.period = records::Period{"2025-01", "2025-12"};
  CHECK(records::selected(row_of("2025"), selection, &where));

  selection.filters = {{Dimension::violence_type, "violence.sexual"},
                       {Dimension::region, "waterfront"}};
  CHECK(records::selected(row_of("2025-03"), selection, &where));
  selection.filters.emplace_back(Dimension::population, "male");
  CHECK_FALSE(records::selected(row_of("2025-03"), selection, &where));
}

TEST_CASE("labels: the vocabulary's words, the places list's names")
{
  const auto where = places();
  CHECK(records::label_of(Dimension::population, "female", &where) == "Female");
  CHECK(records::label_of(Dimension::district, "harbour", &where) == "Harbour");
  CHECK(records::label_of(Dimension::violence_type, "violence.sexual", &where)
        == "Sexual");
}

TEST_SUITE_END();
