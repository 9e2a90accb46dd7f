// Counting: which records a release counts, and the tables it makes of them.
// The expected cells below are worked out by hand from the rows listed.
#include <custody/stats/table.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <set>
#include <string>
#include <vector>

using namespace custody;
using stats::Coding;
using stats::Dimension;

namespace {

index::FactsRow
facts(std::uint64_t seq,
      std::string person,
      std::vector<std::string> violence,
      std::string population,
      std::string month = "2026-08",
      std::optional<std::int64_t> delay = std::nullopt,
      bool consent = true)
{
  index::FactsRow row;
  row.created_seq = seq;
  row.month = std::move(month);
  row.date_precision = row.month.size() == 7 ? "day" : "year";
  row.district = "harbour";
  row.population = std::move(population);
  row.violence_types = std::move(violence);
  row.perpetrators = {"perpetrator.state.police"};
  row.person_ref = std::move(person);
  row.delay_hours = delay;
  row.consent =
    consent ? std::vector<std::string>{"legal_action", "anonymised_statistics"}
            : std::vector<std::string>{"legal_action"};
  return row;
}

std::vector<std::uint64_t>
seqs(const stats::Counted& counted)
{
  std::vector<std::uint64_t> out;
  for (const auto* row : counted.rows) {
    out.push_back(row->created_seq);
  }
  return out;
}

std::size_t
index_of(const std::vector<std::string>& values, const std::string& value)
{
  const auto found = std::find(values.begin(), values.end(), value);
  REQUIRE(found != values.end());
  return static_cast<std::size_t>(found - values.begin());
}

const stats::Cell&
cell(const stats::Table& table,
     const std::string& row,
     const std::string& column)
{
  return table.at(index_of(table.rows, row), index_of(table.columns, column));
}

const std::string beating = "violence.physical.beating";
const std::string rape = "violence.sexual.rape";
const std::string extortion = "violence.economic.extortion";
const std::string none = std::string(stats::k_not_recorded);
const std::string total = std::string(stats::k_total);

// Records that share combinations once the period is left out.
std::vector<index::FactsRow>
shared_rows()
{
  return {
    facts(1, "P-1", {beating, rape}, "female", "2026-08", 10),
    facts(2, "P-1", {beating}, "female", "2026-08", 30),
    facts(3, "P-2", {rape}, "male", "2026-09", 7),
    facts(4, "P-3", {rape, beating}, "female", "2026-02"),
    facts(5, "P-4", {}, "transgender", "2026-08"),
    facts(6, "", {extortion}, "female", "2026-08"),
    facts(7, "", {extortion}, "female", "2026-01"),
  };
}

} // namespace

TEST_SUITE_BEGIN("stats");

TEST_CASE("select: consent, period, year-only dates and filters")
{
  const std::vector<index::FactsRow> all{
    facts(1, "P-1", {beating}, "female", "2026-08"),
    facts(2, "P-2", {rape}, "female", "2026-08", std::nullopt, false),
    facts(3, "P-3", {rape}, "female", "2026"),
    facts(4, "P-4", {beating}, "female", "2025-03"),
    facts(5, "P-5", {extortion}, "female", "2026", std::nullopt, false),
    facts(6, "P-6", {rape, beating}, "male", "2026-02"),
  };
  Coding coding;
  stats::Selection everything;

  SUBCASE("without a period, whole years count year-only records")
  {
    const auto counted = stats::select(all, everything, coding, false);
    CHECK(seqs(counted) == std::vector<std::uint64_t>{1, 3, 4, 6});
    CHECK(counted.without_consent == 2);
    CHECK(counted.year_only == 0);
  }
  SUBCASE("by month, a year-only record is left out and counted")
  {
    const auto counted = stats::select(all, everything, coding, true);
    CHECK(seqs(counted) == std::vector<std::uint64_t>{1, 4, 6});
    CHECK(counted.without_consent == 2);
    // Record 5 is year-only too, but counted as without consent.
    CHECK(counted.year_only == 1);
  }
  SUBCASE("a whole year")
  {
    stats::Selection selection;
    selection.period = records::parse_period("2026").value();
    const auto counted = stats::select(all, selection, coding, false);
    CHECK(seqs(counted) == std::vector<std::uint64_t>{1, 3, 6});
    CHECK(counted.without_consent == 2);
    CHECK(counted.year_only == 0);
    const auto monthly = stats::select(all, selection, coding, true);
    CHECK(seqs(monthly) == std::vector<std::uint64_t>{1, 6});
    CHECK(monthly.year_only == 1);
  }
  SUBCASE("a quarter: year-only dates of its year are left out and counted")
  {
    stats::Selection selection;
    selection.period = records::parse_period("2026-Q3").value();
    const auto counted = stats::select(all, selection, coding, false);
    CHECK(seqs(counted) == std::vector<std::uint64_t>{1});
    CHECK(counted.without_consent == 2); // 2 (August) and 5 (2026)
    CHECK(counted.year_only == 1);       // 3
  }
  SUBCASE("records outside the period are not counted at all")
  {
    stats::Selection selection;
    selection.period = records::parse_period("2025").value();
    const auto counted = stats::select(all, selection, coding, false);
    CHECK(seqs(counted) == std::vector<std::uint64_t>{4});
    CHECK(counted.without_consent == 0);
    CHECK(counted.year_only == 0);
  }
  SUBCASE("filters must all match; left-out counts ignore them")
  {
    stats::Selection selection;
    selection.filters = {{Dimension::population, "male"}};
    auto counted = stats::select(all, selection, coding, false);
    CHECK(seqs(counted) == std::vector<std::uint64_t>{6});
    CHECK(counted.without_consent == 2);

    selection.filters = {{Dimension::violence_type, "violence.sexual"}};
    counted = stats::select(all, selection, coding, false);
    CHECK(seqs(counted) == std::vector<std::uint64_t>{3, 6});

    selection.filters = {{Dimension::violence_type, "violence.sexual"},
                         {Dimension::population, "female"}};
    counted = stats::select(all, selection, coding, false);
    CHECK(seqs(counted) == std::vector<std::uint64_t>{3});

    selection.filters = {{Dimension::violence_type, "violence.sexual"},
                         {Dimension::period, "2026-Q1"}};
    counted = stats::select(all, selection, coding, false);
    CHECK(seqs(counted) == std::vector<std::uint64_t>{6});
  }
}

TEST_CASE("tabulate: cells, distinct totals, persons and combinations")
{
  // Hand-made records: person, violence types, population, delay in hours.
  // Records 6 and 7 have no person reference: each stands for a person.
  const std::vector<index::FactsRow> all{
    facts(1, "P-1", {beating, rape}, "female", "2026-08", 10),
    facts(2, "P-1", {beating}, "female", "2026-08", 30),
    facts(3, "P-2", {rape}, "male", "2026-09"),
    facts(4, "P-3", {rape, beating}, "female", "2026-02", 2),
    facts(5, "P-4", {}, "transgender", "2026-08", 50),
    facts(6, "", {extortion}, "female", "2026-08"),
    facts(7, "", {extortion}, "female", "2026-01"),
  };
  Coding coding;
  const auto counted = stats::select(all, {}, coding, false);
  REQUIRE(counted.rows.size() == 7);
  const std::vector<stats::TableSpec> specs{
    {"by_type_population",
     "Type by population",
     Dimension::violence_type,
     Dimension::population},
    {"by_population", "Population", Dimension::population, std::nullopt},
    {"by_type_period",
     "Type by quarter",
     Dimension::violence_type,
     Dimension::period},
  };
  const auto tabulation = stats::tabulate(counted, specs, coding);
  REQUIRE(tabulation.tables.size() == 3);
  CHECK(tabulation.records == 7);
  CHECK(tabulation.persons == 6); // P-1..P-4 and the two without a reference

  const auto& cross = tabulation.tables[0];
  // Codes in the vocabulary's order, not recorded last, then the total.
  CHECK(cross.rows
        == std::vector<std::string>{beating, rape, extortion, none, total});
  CHECK(cross.columns
        == std::vector<std::string>{"female", "male", "transgender", total});
  CHECK(cross.cells.size() == cross.rows.size() * cross.columns.size());

  struct Expected
  {
    std::string row;
    std::string column;
    std::uint64_t records;
    std::uint64_t persons;
  };
  // Worked out by hand from the records above.
  const std::vector<Expected> expected{
    {extortion, "female", 2, 2}, // 6, 7
    {extortion, "male", 0, 0},
    {extortion, "transgender", 0, 0},
    {extortion, total, 2, 2},
    {beating, "female", 3, 2}, // 1, 2 (P-1), 4 (P-3)
    {beating, "male", 0, 0},
    {beating, "transgender", 0, 0},
    {beating, total, 3, 2},
    {rape, "female", 2, 2}, // 1, 4
    {rape, "male", 1, 1},   // 3
    {rape, "transgender", 0, 0},
    {rape, total, 3, 3}, // 1, 3, 4
    {none, "female", 0, 0},
    {none, "male", 0, 0},
    {none, "transgender", 1, 1}, // 5
    {none, total, 1, 1},
    // Totals count distinct records: the female column's cells add up to
    // 7 (records 1 and 4 are in two rows), its total is 5 (1, 2, 4, 6, 7).
    {total, "female", 5, 4},
    {total, "male", 1, 1},
    {total, "transgender", 1, 1},
    {total, total, 7, 6},
  };
  for (const auto& want : expected) {
    CAPTURE(want.row);
    CAPTURE(want.column);
    const auto& got = cell(cross, want.row, want.column);
    CHECK(got.records == want.records);
    CHECK(got.persons == want.persons);
    CHECK(got.combinations.empty() == (want.records == 0));
  }

  const auto& by_population = tabulation.tables[1];
  CHECK(by_population.rows
        == std::vector<std::string>{"female", "male", "transgender", total});
  CHECK(by_population.columns == std::vector<std::string>{total});
  CHECK(cell(by_population, "female", total).records == 5);
  CHECK(cell(by_population, "female", total).persons == 4);
  CHECK(cell(by_population, "male", total).records == 1);
  CHECK(cell(by_population, total, total).records == 7);
  CHECK(cell(by_population, total, total).persons == 6);

  const auto& by_period = tabulation.tables[2];
  // Quarters in time order.
  CHECK(by_period.columns
        == std::vector<std::string>{"2026-Q1", "2026-Q3", total});
  CHECK(cell(by_period, beating, "2026-Q1").records == 1); // 4
  CHECK(cell(by_period, beating, "2026-Q3").records == 2); // 1, 2
  CHECK(cell(by_period, beating, "2026-Q3").persons == 1); // P-1
  CHECK(cell(by_period, rape, "2026-Q1").records == 1);    // 4
  CHECK(cell(by_period, rape, "2026-Q3").records == 2);    // 1, 3
  CHECK(cell(by_period, extortion, "2026-Q1").records == 1);
  CHECK(cell(by_period, extortion, "2026-Q3").records == 1);
  CHECK(cell(by_period, total, "2026-Q1").records == 2); // 4, 7
  CHECK(cell(by_period, total, "2026-Q3").records == 5); // 1, 2, 3, 5, 6
  CHECK(cell(by_period, total, total).records == 7);

  // The same records in two tables are the same combinations.
  CHECK(cell(by_period, beating, total).combinations
        == cell(cross, beating, total).combinations);
  CHECK(cell(by_population, "female", total).combinations
        == cell(cross, total, "female").combinations);

  // The combinations partition the records: every record is in exactly one,
  // and each cell is the sum of its combinations.
  const auto& combination_records = tabulation.combination_records;
  CHECK(std::accumulate(combination_records.begin(),
                        combination_records.end(),
                        std::uint64_t{0})
        == tabulation.records);
  CHECK(std::none_of(combination_records.begin(),
                     combination_records.end(),
                     [](std::uint64_t n) { return n == 0; }));
  // With the quarter a dimension, no two records share all their values
  // (1 and 4 differ in quarter, 6 and 7 likewise): 7 combinations of one
  // record each.
  CHECK(combination_records.size() == 7);
  for (const auto& table : tabulation.tables) {
    for (const auto& c : table.cells) {
      CHECK(std::is_sorted(c.combinations.begin(), c.combinations.end()));
      CHECK(std::adjacent_find(c.combinations.begin(), c.combinations.end())
            == c.combinations.end());
      std::uint64_t sum = 0;
      for (auto j : c.combinations) {
        REQUIRE(j < combination_records.size());
        sum += combination_records[j];
      }
      CHECK(sum == c.records);
    }
  }

  // Median hours to first contact over the records with one: 2, 10, 30, 50.
  REQUIRE(tabulation.measures.size() == 1);
  CHECK(tabulation.measures[0].id == "median_hours_to_first_contact");
  CHECK(tabulation.measures[0].records == 4);
  CHECK(tabulation.measures[0].persons == 3); // P-1, P-3, P-4
  CHECK(tabulation.measures[0].value == doctest::Approx(20.0));
}

TEST_CASE("tabulate: combinations shared by records with the same values")
{
  // Without the period dimension, records 1 and 4 (beating and rape,
  // female) and records 6 and 7 (extortion, female) fall together.
  const std::vector<index::FactsRow> all = shared_rows();
  Coding coding;
  const auto counted = stats::select(all, {}, coding, false);
  const auto tabulation = stats::tabulate(
    counted,
    {{"t", "t", Dimension::violence_type, Dimension::population}},
    coding);
  auto sizes = tabulation.combination_records;
  std::sort(sizes.begin(), sizes.end());
  CHECK(sizes == std::vector<std::uint64_t>{1, 1, 1, 2, 2});
  const auto& table = tabulation.tables[0];
  // beating/female is {1, 4} and {2}: two combinations.
  const auto& beating_female = cell(table, beating, "female");
  REQUIRE(beating_female.combinations.size() == 2);
  std::multiset<std::uint64_t> parts;
  for (auto j : beating_female.combinations) {
    parts.insert(tabulation.combination_records[j]);
  }
  CHECK(parts == std::multiset<std::uint64_t>{1, 2});
  // Rape/female and beating/female share the {1, 4} combination.
  const auto& rape_female = cell(table, rape, "female");
  REQUIRE(rape_female.combinations.size() == 1);
  CHECK(std::find(beating_female.combinations.begin(),
                  beating_female.combinations.end(),
                  rape_female.combinations[0])
        != beating_female.combinations.end());
  // An odd number of delays: the middle one (7, 10, 30).
  CHECK(tabulation.measures[0].value == doctest::Approx(10.0));
  CHECK(tabulation.measures[0].persons == 2);
}

TEST_CASE("tabulate_jobs: a table an earlier release re-publishes is counted "
          "once and given its own figures")
{
  const std::vector<index::FactsRow> all = shared_rows();
  Coding coding;
  const auto counted = stats::select(all, {}, coding, false);
  const stats::TableSpec spec{
    "t", "t", Dimension::violence_type, Dimension::population};
  const stats::TableSpec by_district{
    "d", "d", Dimension::district, std::nullopt};
  const auto alone = stats::tabulate_jobs(
    {{spec, counted.rows, coding, std::nullopt, {}},
     {by_district, counted.rows, coding, std::nullopt, {}}});

  stats::Earlier earlier;
  earlier.release_seq = 9;
  earlier.rows = {beating};
  earlier.columns = {"female"};
  earlier.recorded = {stats::Figure{}};
  stats::TableSpec again = spec;
  again.id = "earlier";
  const auto with_earlier =
    stats::tabulate_jobs({{spec, counted.rows, coding, std::nullopt, {}},
                          {by_district, counted.rows, coding, std::nullopt, {}},
                          {again, counted.rows, coding, earlier, {}}});

  // The same combinations, numbered alike: the repeated table adds none.
  CHECK(with_earlier.combination_records == alone.combination_records);
  CHECK(with_earlier.combination_persons == alone.combination_persons);
  REQUIRE(with_earlier.tables.size() == 3);
  const auto& first = with_earlier.tables[0];
  const auto& repeated = with_earlier.tables[2];
  CHECK(repeated.spec.id == "earlier");
  CHECK(repeated.rows == first.rows);
  CHECK(repeated.columns == first.columns);
  REQUIRE(repeated.cells.size() == first.cells.size());
  for (std::size_t i = 0; i < first.cells.size(); ++i) {
    CHECK(repeated.cells[i].records == first.cells[i].records);
    CHECK(repeated.cells[i].persons == first.cells[i].persons);
    CHECK(repeated.cells[i].combinations == first.cells[i].combinations);
  }
  // Its own release's figures, aligned with today's cells; the first
  // table has none.
  CHECK_FALSE(first.earlier.has_value());
  REQUIRE(repeated.earlier.has_value());
  CHECK(repeated.earlier->release_seq == 9);
  CHECK(repeated.earlier->figures.size() == repeated.cells.size());

  // Another coding is another table: its roll-up is counted by itself.
  Coding rolled = coding;
  rolled.level = 1;
  const auto other =
    stats::tabulate_jobs({{spec, counted.rows, coding, std::nullopt, {}},
                          {spec, counted.rows, rolled, std::nullopt, {}}});
  CHECK(other.tables[1].rows != other.tables[0].rows);
}

TEST_CASE("tabulate: a level-1 roll-up counts a record once per group")
{
  const std::vector<index::FactsRow> all{
    facts(1, "P-1", {rape, "violence.sexual.assault"}, "female"),
    facts(2, "P-2", {rape, beating}, "female"),
    facts(3, "P-3", {"violence.sexual.assault"}, "male"),
  };
  Coding coding;
  coding.level = 1;
  const auto counted = stats::select(all, {}, coding, false);
  const auto tabulation = stats::tabulate(
    counted, {{"t", "t", Dimension::violence_type, std::nullopt}}, coding);
  const auto& table = tabulation.tables[0];
  CHECK(
    table.rows
    == std::vector<std::string>{"violence.physical", "violence.sexual", total});
  CHECK(cell(table, "violence.sexual", total).records == 3);
  CHECK(cell(table, "violence.physical", total).records == 1);
  CHECK(cell(table, total, total).records == 3);
  CHECK(tabulation.measures[0].records == 0);
  CHECK(tabulation.measures[0].value == doctest::Approx(0.0));
}

TEST_CASE("tabulate: nothing counted gives empty tables with totals")
{
  Coding coding;
  const auto tabulation = stats::tabulate(
    stats::Counted{},
    {{"t", "t", Dimension::violence_type, Dimension::population}},
    coding);
  REQUIRE(tabulation.tables.size() == 1);
  CHECK(tabulation.tables[0].rows == std::vector<std::string>{total});
  CHECK(tabulation.tables[0].columns == std::vector<std::string>{total});
  REQUIRE(tabulation.tables[0].cells.size() == 1);
  CHECK(tabulation.tables[0].cells[0].records == 0);
  CHECK(tabulation.records == 0);
  CHECK(tabulation.persons == 0);
  CHECK(tabulation.combination_records.empty());
}

TEST_SUITE_END();
