// The dimensions statistics count by: names, period lengths, how a record's
// facts are read as values of each, filters and code checks.
#include <custody/records/records.hpp>
#include <custody/stats/dimension.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace custody;
using stats::Coding;
using stats::Dimension;
using Values = std::vector<std::string>;

namespace {

records::Places
places()
{
  auto parsed = records::Places::parse(R"(
regions:
  - {code: waterfront, name: Waterfront}
  - {code: old_town, name: Old Town}
districts:
  - {code: harbour, name: Harbour, region: waterfront}
  - {code: dockside, name: Dockside, region: waterfront}
  - {code: station, name: Railway Station, region: old_town}
)");
  REQUIRE(parsed);
  return *parsed;
}

index::FactsRow
sample_row()
{
  index::FactsRow row;
  row.created_seq = 3;
  row.month = "2026-08";
  row.date_precision = "day";
  row.district = "station";
  row.population = "transgender";
  row.setting = "setting.street";
  row.violence_types = {"violence.sexual.rape",
                        "violence.physical.beating",
                        "violence.sexual.assault"};
  row.perpetrators = {"perpetrator.state.police",
                      "perpetrator.public.stranger"};
  row.person_ref = "P-1";
  row.delay_hours = 9;
  row.actions = {"response.document", "response.assess_urgency"};
  row.referrals = {"referral.legal_aid"};
  row.outcome = "outcome.ongoing";
  row.consent = {"anonymised_statistics"};
  return row;
}

} // namespace

TEST_SUITE_BEGIN("stats");

TEST_CASE("every dimension parses back from its name")
{
  CHECK(stats::all_dimensions().size() == 11);
  for (auto dimension : stats::all_dimensions()) {
    auto parsed = stats::parse_dimension(stats::dimension_name(dimension));
    REQUIRE(parsed);
    CHECK(*parsed == dimension);
    CHECK_FALSE(stats::dimension_title(dimension).empty());
  }
  CHECK(stats::parse_dimension("region").value() == Dimension::region);
  CHECK(stats::multi_valued(Dimension::violence_type));
  CHECK(stats::multi_valued(Dimension::perpetrator));
  CHECK(stats::multi_valued(Dimension::response_action));
  CHECK(stats::multi_valued(Dimension::referral));
  CHECK_FALSE(stats::multi_valued(Dimension::population));
  CHECK_FALSE(stats::multi_valued(Dimension::period));
}

TEST_CASE("a misspelt dimension is refused with a did-you-mean")
{
  auto parsed = stats::parse_dimension("regoin");
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().code == Errc::invalid_input);
  CHECK(parsed.error().message.find("\"regoin\"") != std::string::npos);
  CHECK(parsed.error().message.find("did you mean region?")
        != std::string::npos);
  // The hint lists the dimensions.
  CHECK(parsed.error().hint.find("violence_type") != std::string::npos);

  auto nothing_close = stats::parse_dimension("zzzzzzzzzzzz");
  REQUIRE_FALSE(nothing_close);
  CHECK(nothing_close.error().code == Errc::invalid_input);
  CHECK(nothing_close.error().message.find("did you mean")
        == std::string::npos);
  CHECK_FALSE(stats::parse_dimension(""));
  CHECK_FALSE(stats::parse_dimension("Region"));
}

TEST_CASE("period lengths: month, quarter, year and nothing else")
{
  CHECK(stats::parse_grain("month").value() == stats::Grain::month);
  CHECK(stats::parse_grain("quarter").value() == stats::Grain::quarter);
  CHECK(stats::parse_grain("year").value() == stats::Grain::year);
  for (auto grain :
       {stats::Grain::month, stats::Grain::quarter, stats::Grain::year}) {
    CHECK(stats::parse_grain(stats::grain_name(grain)).value() == grain);
  }
  for (const char* text : {"", "week", "Month", "quarters", "years"}) {
    auto parsed = stats::parse_grain(text);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == Errc::invalid_input);
  }
}

TEST_CASE("multi-valued codes are sorted, unique and rolled up by level")
{
  auto row = sample_row();
  Coding full;
  CHECK(stats::values_of(row, Dimension::violence_type, full)
        == Values{"violence.physical.beating",
                  "violence.sexual.assault",
                  "violence.sexual.rape"});
  Coding level1;
  level1.level = 1;
  // Two sexual codes become one violence.sexual.
  CHECK(stats::values_of(row, Dimension::violence_type, level1)
        == Values{"violence.physical", "violence.sexual"});
  Coding level0;
  level0.level = 0;
  CHECK(stats::values_of(row, Dimension::violence_type, level0).size() == 3);

  row.violence_types = {"violence.sexual.rape"};
  CHECK(stats::values_of(row, Dimension::violence_type, level1)
        == Values{"violence.sexual"});
  // A code with fewer segments than the level stays as it is.
  row.violence_types = {"violence.other"};
  CHECK(stats::values_of(row, Dimension::violence_type, level1)
        == Values{"violence.other"});

  CHECK(stats::values_of(row, Dimension::perpetrator, full)
        == Values{"perpetrator.public.stranger", "perpetrator.state.police"});
  CHECK(stats::values_of(row, Dimension::perpetrator, level1)
        == Values{"perpetrator.public", "perpetrator.state"});
  CHECK(stats::values_of(row, Dimension::response_action, full)
        == Values{"response.assess_urgency", "response.document"});
  CHECK(stats::values_of(row, Dimension::referral, full)
        == Values{"referral.legal_aid"});
  row.referrals = {"referral.legal_aid", "referral.legal_aid"};
  CHECK(stats::values_of(row, Dimension::referral, full)
        == Values{"referral.legal_aid"});
}

TEST_CASE("single-valued codes: population, setting and outcome")
{
  auto row = sample_row();
  Coding full;
  CHECK(stats::values_of(row, Dimension::population, full)
        == Values{"transgender"});
  CHECK(stats::values_of(row, Dimension::setting, full)
        == Values{"setting.street"});
  CHECK(stats::values_of(row, Dimension::outcome, full)
        == Values{"outcome.ongoing"});
  Coding level0;
  level0.level = 0;
  CHECK(stats::values_of(row, Dimension::setting, level0)
        == Values{"setting.street"});
}

TEST_CASE("a record without a value is counted as not recorded")
{
  auto row = sample_row();
  row.setting = {};
  row.outcome = {};
  row.actions = {};
  row.referrals = {};
  row.violence_types = {};
  row.perpetrators = {};
  row.district = {};
  const Values none{std::string(stats::k_not_recorded)};
  Coding coding;
  for (auto dimension : {Dimension::setting,
                         Dimension::outcome,
                         Dimension::response_action,
                         Dimension::referral,
                         Dimension::violence_type,
                         Dimension::perpetrator,
                         Dimension::district}) {
    CAPTURE(stats::dimension_name(dimension));
    CHECK(stats::values_of(row, dimension, coding) == none);
  }
  Coding level1;
  level1.level = 1;
  CHECK(stats::values_of(row, Dimension::setting, level1) == none);
  CHECK(stats::values_of(row, Dimension::response_action, level1) == none);
  CHECK(stats::label_of(Dimension::setting, "not_recorded", coding)
        == "not recorded");
}

// Failed before the fix: an empty population was read as the value "" (the
// schema requires one, so only a facts row written without it reaches this).
TEST_CASE("a record without a population is counted as not recorded")
{
  auto row = sample_row();
  row.population = {};
  CHECK(stats::values_of(row, Dimension::population, Coding{})
        == Values{std::string(stats::k_not_recorded)});
}

TEST_CASE("districts and their regions from the places list")
{
  const auto where = places();
  Coding coding;
  coding.places = &where;
  auto row = sample_row();
  CHECK(stats::values_of(row, Dimension::district, coding)
        == Values{"station"});
  CHECK(stats::values_of(row, Dimension::region, coding) == Values{"old_town"});
  row.district = "dockside";
  CHECK(stats::values_of(row, Dimension::region, coding)
        == Values{"waterfront"});
  CHECK(stats::label_of(Dimension::district, "dockside", coding) == "Dockside");
  CHECK(stats::label_of(Dimension::region, "waterfront", coding)
        == "Waterfront");
  CHECK(stats::label_of(Dimension::region, "old_town", coding) == "Old Town");

  // A district the list does not know, or no list: no region.
  const Values none{std::string(stats::k_not_recorded)};
  row.district = "nowhere";
  CHECK(stats::values_of(row, Dimension::region, coding) == none);
  row.district = "harbour";
  CHECK(stats::values_of(row, Dimension::region, Coding{}) == none);
  // Without a list, a district is its code.
  CHECK(stats::values_of(row, Dimension::district, Coding{})
        == Values{"harbour"});
  CHECK(stats::label_of(Dimension::district, "harbour", Coding{}) == "harbour");
}

TEST_CASE("periods by month, quarter and year")
{
  auto row = sample_row();
  Coding coding;
  coding.grain = stats::Grain::month;
  CHECK(stats::values_of(row, Dimension::period, coding) == Values{"2026-08"});
  coding.grain = stats::Grain::quarter;
  CHECK(stats::values_of(row, Dimension::period, coding) == Values{"2026-Q3"});
  coding.grain = stats::Grain::year;
  CHECK(stats::values_of(row, Dimension::period, coding) == Values{"2026"});

  // Each month's quarter.
  coding.grain = stats::Grain::quarter;
  const std::vector<std::pair<std::string, std::string>> quarters{
    {"2025-01", "2025-Q1"},
    {"2025-03", "2025-Q1"},
    {"2025-04", "2025-Q2"},
    {"2025-06", "2025-Q2"},
    {"2025-07", "2025-Q3"},
    {"2025-09", "2025-Q3"},
    {"2025-10", "2025-Q4"},
    {"2025-12", "2025-Q4"}};
  for (const auto& [month, quarter] : quarters) {
    row.month = month;
    CHECK(stats::values_of(row, Dimension::period, coding) == Values{quarter});
  }

  // A record dated to the year alone has no month or quarter.
  row.month = "2026";
  row.date_precision = "year";
  coding.grain = stats::Grain::quarter;
  CHECK(stats::values_of(row, Dimension::period, coding).empty());
  coding.grain = stats::Grain::month;
  CHECK(stats::values_of(row, Dimension::period, coding).empty());
  coding.grain = stats::Grain::year;
  CHECK(stats::values_of(row, Dimension::period, coding) == Values{"2026"});
}

TEST_CASE("response time: within 24 h, after 24 h, not known")
{
  auto row = sample_row();
  Coding coding;
  const auto response = [&](std::optional<std::int64_t> hours) {
    row.delay_hours = hours;
    return stats::values_of(row, Dimension::response_time, coding);
  };
  CHECK(response(0) == Values{"within_24h"});
  CHECK(response(24) == Values{"within_24h"});
  CHECK(response(25) == Values{"after_24h"});
  CHECK(response(24 * 30) == Values{"after_24h"});
  CHECK(response(std::nullopt) == Values{"not_known"});
  CHECK(stats::label_of(Dimension::response_time, "within_24h", coding)
        == "within 24 h");
  CHECK(stats::label_of(Dimension::response_time, "after_24h", coding)
        == "after 24 h");
  CHECK(stats::label_of(Dimension::response_time, "not_known", coding)
        == "not known");
}

TEST_CASE("matches: codes, groups of whole segments, periods")
{
  const auto row = sample_row();
  Coding coding;
  CHECK(stats::matches(
    row, Dimension::violence_type, "violence.sexual.rape", coding));
  CHECK(
    stats::matches(row, Dimension::violence_type, "violence.sexual", coding));
  CHECK(stats::matches(row, Dimension::violence_type, "violence", coding));
  // Only whole dotted segments make a group.
  CHECK_FALSE(
    stats::matches(row, Dimension::violence_type, "violence.sex", coding));
  CHECK_FALSE(
    stats::matches(row, Dimension::violence_type, "violence.economic", coding));
  CHECK_FALSE(stats::matches(
    row, Dimension::violence_type, "violence.sexual.rape.x", coding));
  // A rolled-up coding does not narrow what a filter sees.
  Coding level1;
  level1.level = 1;
  CHECK(stats::matches(
    row, Dimension::violence_type, "violence.sexual.assault", level1));
  CHECK(
    stats::matches(row, Dimension::perpetrator, "perpetrator.state", coding));
  CHECK(stats::matches(row, Dimension::population, "transgender", coding));
  CHECK_FALSE(stats::matches(row, Dimension::population, "female", coding));
  CHECK(stats::matches(row, Dimension::response_time, "within_24h", coding));

  CHECK(stats::matches(row, Dimension::period, "2026", coding));
  CHECK(stats::matches(row, Dimension::period, "2026-Q3", coding));
  CHECK(stats::matches(row, Dimension::period, "2026-08", coding));
  CHECK_FALSE(stats::matches(row, Dimension::period, "2026-07", coding));
  CHECK_FALSE(stats::matches(row, Dimension::period, "2026-Q2", coding));
  CHECK_FALSE(stats::matches(row, Dimension::period, "2025", coding));
  CHECK_FALSE(stats::matches(row, Dimension::period, "not a period", coding));
  auto year_only = row;
  year_only.month = "2026";
  CHECK_FALSE(stats::matches(year_only, Dimension::period, "2026", coding));

  auto without = row;
  without.setting = {};
  CHECK(stats::matches(without, Dimension::setting, "not_recorded", coding));
  CHECK_FALSE(
    stats::matches(without, Dimension::setting, "setting.street", coding));

  const auto where = places();
  Coding placed;
  placed.places = &where;
  CHECK(stats::matches(row, Dimension::region, "old_town", placed));
  CHECK_FALSE(stats::matches(row, Dimension::region, "waterfront", placed));
  CHECK(stats::matches(row, Dimension::district, "station", placed));
}

TEST_CASE("check_code accepts codes and groups, refuses the rest")
{
  Coding coding;
  CHECK(stats::check_code(
    Dimension::violence_type, "violence.sexual.rape", coding));
  CHECK(stats::check_code(Dimension::violence_type, "violence.sexual", coding));
  CHECK(stats::check_code(Dimension::violence_type, "violence", coding));
  CHECK(stats::check_code(Dimension::violence_type, "not_recorded", coding));
  CHECK(stats::check_code(
    Dimension::perpetrator, "perpetrator.state.police", coding));
  CHECK(stats::check_code(Dimension::population, "female", coding));
  CHECK(stats::check_code(Dimension::setting, "setting.street", coding));
  CHECK(stats::check_code(Dimension::outcome, "outcome.ongoing", coding));
  CHECK(
    stats::check_code(Dimension::response_action, "response.document", coding));
  CHECK(stats::check_code(Dimension::referral, "referral.shelter", coding));
  CHECK(stats::check_code(Dimension::response_time, "after_24h", coding));
  CHECK(stats::check_code(Dimension::period, "2026-Q3", coding));

  auto misspelt =
    stats::check_code(Dimension::violence_type, "violence.sexuall", coding);
  REQUIRE_FALSE(misspelt);
  CHECK(misspelt.error().code == Errc::invalid_input);
  CHECK(misspelt.error().message.find("\"violence.sexuall\"")
        != std::string::npos);
  CHECK(misspelt.error().message.find("did you mean violence.sexual?")
        != std::string::npos);

  // Not a group: a prefix that is not whole segments, a code of another
  // dimension, a made-up code.
  for (const char* code : {"violence.sex",
                           "perpetrator.state.police",
                           "violence.sexual.rape.extra",
                           "violence.invented"}) {
    CAPTURE(code);
    auto refused = stats::check_code(Dimension::violence_type, code, coding);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::invalid_input);
  }
  CHECK_FALSE(stats::check_code(Dimension::population, "woman", coding));
  CHECK_FALSE(stats::check_code(Dimension::response_time, "soon", coding));
  auto period = stats::check_code(Dimension::period, "2026-Q5", coding);
  REQUIRE_FALSE(period);
  CHECK(period.error().code == Errc::invalid_input);

  // Districts and regions need a places list, and one of its codes.
  auto no_list = stats::check_code(Dimension::district, "harbour", coding);
  REQUIRE_FALSE(no_list);
  CHECK(no_list.error().code == Errc::invalid_input);
  CHECK_FALSE(stats::check_code(Dimension::region, "waterfront", coding));
  const auto where = places();
  Coding placed;
  placed.places = &where;
  CHECK(stats::check_code(Dimension::district, "harbour", placed));
  CHECK(stats::check_code(Dimension::region, "waterfront", placed));
  CHECK_FALSE(stats::check_code(Dimension::district, "waterfront", placed));
  CHECK_FALSE(stats::check_code(Dimension::region, "harbour", placed));
  auto close = stats::check_code(Dimension::district, "harbor", placed);
  REQUIRE_FALSE(close);
  CHECK(close.error().message.find("did you mean harbour?")
        != std::string::npos);
}

TEST_SUITE_END();
