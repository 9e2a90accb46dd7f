// Datasets made safe to publish (disclosure/dataset.hpp): classes judged on
// distinct persons, l-diversity of the violence type, the risk ceiling, the
// join with an earlier dataset, the exact audit against an earlier
// statistics release that a withheld class would otherwise be recovered from,
// and rows left out for want of a narrative counted as lower bounds.
#include <custody/disclosure/dataset.hpp>
#include <custody/disclosure/stats_release.hpp>
#include <custody/stats/history.hpp>

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <string>
#include <vector>

using namespace custody;
using disclosure::DatasetRules;
using stats::Dimension;
using stats::MicroField;
using stats::MicroSpec;

namespace {

records::Places
places()
{
  records::Places out;
  for (const char* code : {"d1", "d2", "d3"}) {
    out.districts[code] = {fmt::format("District {}", code), "r1", "Region 1"};
  }
  return out;
}

// A record of `person` in `district`; populations alternate, and violence
// types alternate in pairs, so that neither tells the other.
index::FactsRow
report(std::uint64_t seq,
       const std::string& person,
       const std::string& district)
{
  index::FactsRow row;
  row.created_seq = seq;
  row.month = "2025-03";
  row.date_precision = "day";
  row.district = district;
  row.population = seq % 2 == 0 ? "cis_woman" : "transgender";
  row.violence_types = {(seq / 2) % 2 == 0 ? "violence.physical.beating"
                                           : "violence.sexual.rape"};
  row.perpetrators = {"perpetrator.state.police"};
  row.person_ref = person;
  row.consent = {"anonymised_statistics", "publish"};
  return row;
}

// `count` reports of distinct persons, from `first` on, in `district`.
void
add(std::vector<index::FactsRow>& rows,
    int first,
    int count,
    const std::string& district)
{
  for (int i = first; i < first + count; ++i) {
    rows.push_back(report(rows.size() + 1, fmt::format("P-{}", i), district));
  }
}

MicroSpec
spec_of(std::vector<Dimension> dimensions)
{
  MicroSpec spec;
  spec.period = records::Period{"2025-01", "2025-12"};
  for (auto dimension : dimensions) {
    MicroField field;
    field.dimension = dimension;
    field.precision = stats::Grain::year;
    spec.fields.push_back(field);
  }
  return spec;
}

// The risk ceiling out of the way, for the checks it would hide.
DatasetRules
rules(bool suppress = false)
{
  DatasetRules out;
  out.max_risk = 1.0;
  out.suppress = suppress;
  return out;
}

Result<std::uint64_t>
unchanged(std::uint64_t)
{
  return 0;
}

} // namespace

TEST_SUITE("dataset")
{
  TEST_CASE("a class of fewer than k persons is refused, or withheld and "
            "recorded as such")
  {
    const auto known = places();
    std::vector<index::FactsRow> rows;
    add(rows, 1, 7, "d1");
    add(rows, 100, 2, "d2");
    const auto spec = spec_of({Dimension::district});

    auto refused =
      disclosure::release_dataset(rows, spec, &known, rules(), {}, unchanged);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::unsafe);
    CHECK(refused.error().message.find("1 of 2 classes holds fewer than 5 "
                                       "distinct persons")
          != std::string::npos);
    CHECK(refused.error().message.find("d2") == std::string::npos);

    auto withheld = disclosure::release_dataset(
      rows, spec, &known, rules(true), {}, unchanged);
    REQUIRE(withheld);
    CHECK((*withheld)->rows.size() == 7);
    CHECK((*withheld)->check.withheld_records == 2);
    CHECK((*withheld)->check.withheld_classes == 1);
    for (const auto& row : (*withheld)->rows) {
      CHECK(row == std::vector<std::string>{"d1"});
    }
    const auto document =
      disclosure::dataset_release_document(*withheld, 42, "ab");
    CHECK(document["rows"] == json::Json::parse(R"([["d1"],["d2"]])"));
    CHECK(document["cells"] == json::Json::parse(R"([7,"x"])"));
    CHECK(document["total"] == 7);
  }

  TEST_CASE("k counts distinct persons, not reports")
  {
    const auto known = places();
    std::vector<index::FactsRow> rows;
    for (int i = 0; i < 8; ++i) {
      rows.push_back(report(rows.size() + 1, fmt::format("P-{}", i % 4), "d1"));
    }
    auto released = disclosure::release_dataset(
      rows, spec_of({Dimension::district}), &known, rules(), {}, unchanged);
    REQUIRE_FALSE(released);
    CHECK(released.error().message.find("1 of 1 class holds fewer than 5 "
                                        "distinct persons (8 reports)")
          != std::string::npos);
  }

  TEST_CASE("a class of one violence type fails l-diversity")
  {
    const auto known = places();
    std::vector<index::FactsRow> rows;
    add(rows, 1, 8, "d1");
    for (auto& row : rows) {
      row.violence_types = {"violence.physical.beating"};
    }
    auto released = disclosure::release_dataset(
      rows, spec_of({Dimension::district}), &known, rules(), {}, unchanged);
    REQUIRE_FALSE(released);
    CHECK(released.error().message.find("1 of 1 class holds fewer than 2 "
                                        "distinct values")
          != std::string::npos);
    CHECK(released.error().message.find("persons") == std::string::npos);
  }

  TEST_CASE("the risk is the mean of one over the persons in each row's class")
  {
    const auto known = places();
    std::vector<index::FactsRow> rows;
    add(rows, 1, 20, "d1");
    add(rows, 100, 10, "d2");
    const auto spec = spec_of({Dimension::district});
    auto released =
      disclosure::release_dataset(rows, spec, &known, rules(), {}, unchanged);
    REQUIRE(released);
    // (20 * 1/20 + 10 * 1/10) / 30
    CHECK((*released)->check.risk == doctest::Approx(2.0 / 30));
    DatasetRules strict;
    auto refused =
      disclosure::release_dataset(rows, spec, &known, strict, {}, unchanged);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("risk is 6.7 %") != std::string::npos);
  }

  TEST_CASE("joined with an earlier dataset, a class may not split below k")
  {
    const auto known = places();
    // Persons 1-6 in d1 and 7-12 in d2; populations alternate, so each
    // (district, population) pair holds 3 persons.
    std::vector<index::FactsRow> rows;
    add(rows, 1, 6, "d1");
    add(rows, 7, 6, "d2");
    auto by_population = disclosure::release_dataset(
      rows, spec_of({Dimension::population}), &known, rules(), {}, unchanged);
    REQUIRE(by_population);
    const index::ReleaseRow earlier{
      90, disclosure::dataset_release_document(*by_population, 80, "ab")};

    // Alone, by district, every class holds 6 persons; joined with the
    // release by population, 3.
    const auto by_district = spec_of({Dimension::district});
    CHECK(disclosure::release_dataset(
      rows, by_district, &known, rules(), {}, unchanged));
    auto joined = disclosure::release_dataset(
      rows, by_district, &known, rules(), {earlier}, unchanged);
    REQUIRE_FALSE(joined);

    CHECK(joined.error().message.find("2 of 2 classes hold fewer than 5 "
                                      "distinct persons when joined with the "
                                      "1 earlier dataset")
          != std::string::npos);
    // The same dataset again joins to itself: nothing new is told apart.
    CHECK(disclosure::release_dataset(rows,
                                      spec_of({Dimension::population}),
                                      &known,
                                      rules(),
                                      {earlier},
                                      unchanged));
  }

  TEST_CASE("a withheld class an earlier statistics release would give back "
            "is refused")
  {
    const auto known = places();
    std::vector<index::FactsRow> rows;
    add(rows, 1, 7, "d1");
    add(rows, 100, 2, "d2");
    add(rows, 200, 6, "d3");
    // Statistics by district showed d1 and the total, suppressing d2 and d3
    // (d3 as the secondary cell that protects d2).
    const index::ReleaseRow stats{50, json::Json::parse(R"({
      "kind": "stats", "tree_size": 40, "threshold": 5, "method": "suppression",
      "selection": {"period": {"from": "2025-01", "to": "2025-12"},
                    "filters": [], "by": "quarter", "level": 0},
      "tables": [{"id": "by_district", "rows_dimension": "district",
                  "columns_dimension": null,
                  "rows": ["d1", "d2", "d3", "total"], "columns": ["total"],
                  "cells": [[7], ["x"], ["x"], [15]]}],
      "measures": []})")};

    // By district, withholding d2: d1 and d3 shown with the total give d2.
    auto by_district =
      disclosure::release_dataset(rows,
                                  spec_of({Dimension::district}),
                                  &known,
                                  rules(true),
                                  {stats},
                                  unchanged);
    REQUIRE_FALSE(by_district);
    CHECK(by_district.error().code == Errc::unsafe);
    CHECK(by_district.error().message.find("would give back")
          != std::string::npos);
    // Without that release, withholding d2 is safe.
    CHECK(disclosure::release_dataset(rows,
                                      spec_of({Dimension::district}),
                                      &known,
                                      rules(true),
                                      {},
                                      unchanged));
    // By region, one class of 15: nothing of the districts is told.
    auto by_region = disclosure::release_dataset(rows,
                                                 spec_of({Dimension::region}),
                                                 &known,
                                                 rules(true),
                                                 {stats},
                                                 unchanged);
    REQUIRE(by_region);
    CHECK((*by_region)->check.earlier_tables == 1);
    CHECK((*by_region)->check.lps > 0);
  }

  TEST_CASE("records without publish consent, or outside the period, are not "
            "rows")
  {
    const auto known = places();
    std::vector<index::FactsRow> rows;
    add(rows, 1, 8, "d1");
    rows[0].consent = {"anonymised_statistics"};
    rows[1].month = "2024-12";
    auto released = disclosure::release_dataset(
      rows, spec_of({Dimension::district}), &known, rules(), {}, unchanged);
    REQUIRE(released);
    CHECK((*released)->rows.size() == 6);
    CHECK((*released)->check.without_consent == 1);

    for (auto& row : rows) {
      row.consent = {"anonymised_statistics"};
    }
    auto none = disclosure::release_dataset(
      rows, spec_of({Dimension::district}), &known, rules(), {}, unchanged);
    REQUIRE_FALSE(none);
    CHECK(none.error().code == Errc::invalid_input);
  }

  TEST_CASE("a statistics release after a dataset is audited with its rows")
  {
    const auto known = places();
    std::vector<index::FactsRow> rows;
    add(rows, 1, 7, "d1");
    add(rows, 100, 2, "d2");
    add(rows, 200, 6, "d3");
    // The dataset showed d1's 7 rows and d3's 6, withholding d2.
    auto dataset = disclosure::release_dataset(
      rows, spec_of({Dimension::district}), &known, rules(true), {}, unchanged);
    REQUIRE(dataset);
    const index::ReleaseRow recorded{
      60, disclosure::dataset_release_document(*dataset, 50, "ab")};

    // Statistics by district over the same records: d2 is small; with the
    // dataset's rows known, publishing the total would give it back.
    stats::Coding coding;
    coding.places = &known;
    stats::Selection selection;
    selection.period = records::Period{"2025-01", "2025-12"};
    const std::vector<stats::TableSpec> specs{
      {"by_district", "Reports by district", Dimension::district, {}}};
    const auto counted = stats::select(rows, selection, coding, true);
    auto tabulation = stats::tabulate_with_history(
      rows, counted, specs, selection, coding, {recorded}, unchanged);
    REQUIRE(tabulation);
    REQUIRE(tabulation->tables.size() == 2);
    CHECK(tabulation->tables[1].spec.id == stats::k_dataset_table);
    // Without the dataset, the total is published (d2 and d3 suppressed).
    auto alone = disclosure::release_stats(
      *stats::tabulate_with_history(
        rows, counted, specs, selection, coding, {}, unchanged),
      {5, 100});
    REQUIRE(alone);
    CHECK((*alone)->tables.front().cells[3]
          == std::optional<std::uint64_t>(15));
    auto release = disclosure::release_stats(*tabulation, {5, 100});
    if (release) {
      const auto& table = (*release)->tables.front();
      // rows d1, d2, d3, total; one column
      REQUIRE(table.rows.size() == 4);
      CHECK_FALSE(table.cells[1].has_value());
      CHECK_FALSE(table.cells[3].has_value());
    } else {
      CHECK(release.error().code == Errc::unsafe);
    }
  }

  TEST_CASE("rows left out for want of a narrative make published counts lower "
            "bounds, in the dataset's audit and in later ones")
  {
    const auto known = places();
    std::vector<index::FactsRow> rows;
    add(rows, 1, 7, "d1");
    add(rows, 100, 2, "d2");
    add(rows, 200, 6, "d3");
    // Statistics by district showed d1 and the total 15, suppressing d2 (2
    // persons) and d3.
    const index::ReleaseRow stats{50, json::Json::parse(R"({
      "kind": "stats", "tree_size": 40, "threshold": 5, "method": "suppression",
      "selection": {"period": {"from": "2025-01", "to": "2025-12"},
                    "filters": [], "by": "quarter", "level": 0},
      "tables": [{"id": "by_district", "rows_dimension": "district",
                  "columns_dimension": null,
                  "rows": ["d1", "d2", "d3", "total"], "columns": ["total"],
                  "cells": [[7], ["x"], ["x"], [15]]}],
      "measures": []})")};
    // Every record but the first has a released narrative.
    disclosure::DatasetNarratives narratives;
    narratives.missing = disclosure::NarrativeMissing::leave_out;
    for (const auto& row : rows) {
      if (row.created_seq != 1) {
        narratives.released[row.created_seq] = "An account.";
      }
    }
    // By region: 14 rows published of the 15 the statistics total counts;
    // the one left out is in no cell of the dataset, the audit stays
    // feasible and d2 unrecoverable.
    auto by_region = disclosure::release_dataset(rows,
                                                 spec_of({Dimension::region}),
                                                 &known,
                                                 rules(true),
                                                 {stats},
                                                 unchanged,
                                                 &narratives);
    REQUIRE(by_region);
    CHECK((*by_region)->rows.size() == 14);
    CHECK((*by_region)->check.narrative_left_out == 1);
    CHECK((*by_region)->check.earlier_tables == 1);

    // Recorded, a later release counts all 15 rows again: the one left out
    // is slack on the recorded count, with the records changed since.
    const index::ReleaseRow recorded{
      60, disclosure::dataset_release_document(*by_region, 55, "ab")};
    CHECK(recorded.release["narratives"]["left_out"] == 1);
    CHECK(recorded.release["narratives"]["missing"] == "leave_out");
    auto parsed = stats::parse_recorded(recorded, &known);
    REQUIRE(parsed);
    stats::recount(*parsed, rows, 2);
    REQUIRE(parsed->jobs.size() == 1);
    CHECK(parsed->jobs.front().earlier->slack == 3);
    // A release document without narratives: no slack beyond the changes.
    auto plain = disclosure::release_dataset(
      rows, spec_of({Dimension::region}), &known, rules(true), {}, unchanged);
    REQUIRE(plain);
    const index::ReleaseRow plain_row{
      61, disclosure::dataset_release_document(*plain, 55, "ab")};
    CHECK_FALSE(plain_row.release.contains("narratives"));
    auto plain_parsed = stats::parse_recorded(plain_row, &known);
    REQUIRE(plain_parsed);
    stats::recount(*plain_parsed, rows, 2);
    CHECK(plain_parsed->jobs.front().earlier->slack == 2);
    // A malformed narratives object is refused, not read as 0.
    index::ReleaseRow bad = recorded;
    bad.release["narratives"] = {{"missing", "leave_out"}};
    CHECK_FALSE(stats::parse_recorded(bad, &known));
  }
}
