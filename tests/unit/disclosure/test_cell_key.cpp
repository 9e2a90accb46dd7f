// The cell-key method: the p-table's promises (bounded, unbiased, no small
// counts, zeros kept) checked row by row from its quantised thresholds, the
// person key against Python's hmac, and a release's cells against their true
// counts: the same persons are perturbed alike in every table and release.
#include <custody/disclosure/cell_key.hpp>
#include <custody/stats/table.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace custody;
using disclosure::PTable;
using disclosure::PTableParameters;

namespace {

constexpr double k_span = 4294967296.0;

struct Moments
{
  double mean = 0;
  double variance = 0;
};

// The mean and variance of the published count for true count `n`, read
// from the table through perturb() alone: each key range's target, weighted
// by the range's width.
Moments
moments(const PTable& table, std::uint64_t n)
{
  const auto row = table.to_json()["rows"];
  const auto& entry = row[std::min<std::size_t>(n, row.size() - 1)];
  Moments m;
  std::uint64_t from = 0;
  std::vector<std::pair<double, double>> mass; // (published, probability)
  for (std::size_t i = 0; i < entry["thresholds"].size(); ++i) {
    const std::uint64_t to = entry["thresholds"][i].get<std::uint64_t>();
    if (to > from) {
      const auto published =
        static_cast<double>(table.perturb(n, static_cast<std::uint32_t>(from)));
      mass.emplace_back(published, static_cast<double>(to - from) / k_span);
    }
    from = to;
  }
  for (const auto& [value, p] : mass) {
    m.mean += value * p;
  }
  for (const auto& [value, p] : mass) {
    m.variance += (value - m.mean) * (value - m.mean) * p;
  }
  return m;
}

index::FactsRow
facts(std::uint64_t seq,
      std::string person,
      std::string violence,
      std::string population,
      std::string month)
{
  index::FactsRow row;
  row.created_seq = seq;
  row.month = std::move(month);
  row.date_precision = "day";
  row.district = "harbour";
  row.population = std::move(population);
  row.violence_types = {std::move(violence)};
  row.perpetrators = {"perpetrator.state.police"};
  row.person_ref = std::move(person);
  row.consent = {"anonymised_statistics"};
  return row;
}

stats::Counted
all_of(const std::vector<index::FactsRow>& rows)
{
  stats::Counted counted;
  for (const auto& row : rows) {
    counted.rows.push_back(&row);
  }
  return counted;
}

const std::vector<std::uint8_t> k_secret(32, 'k');

} // namespace

TEST_SUITE_BEGIN("cell_key");

TEST_CASE("every p-table row is bounded, unbiased, keeps zeros and publishes "
          "no small count")
{
  for (std::uint32_t d = 1; d <= 4; ++d) {
    for (std::uint32_t js = 0; js <= 3; ++js) {
      for (double v : {0.5, 1.0, 2.0}) {
        CAPTURE(d);
        CAPTURE(js);
        CAPTURE(v);
        auto table = PTable::build(PTableParameters{d, v, js});
        // All the mass at +-d gives d^2, the most there is; a count from 1
        // to js must reach both 0 and above js.
        if (v >= d * d || js > d) {
          CHECK_FALSE(table);
          continue;
        }
        REQUIRE(table);
        CHECK(table->perturb(0, 0) == 0);
        CHECK(table->perturb(0, 0xffffffffU) == 0);
        for (std::uint64_t n = 1; n <= 40; ++n) {
          CAPTURE(n);
          for (std::uint64_t key = 0; key < (1ULL << 32); key += 0x1000193) {
            const auto published =
              table->perturb(n, static_cast<std::uint32_t>(key));
            CHECK(published + d >= n);
            CHECK(published <= n + d);
            CHECK((published == 0 || published > js));
          }
          const Moments m = moments(*table, n);
          // Quantising to 32 bits moves the mean by at most n + d over 2^32.
          CHECK(std::abs(m.mean - static_cast<double>(n)) < 1e-6);
          if (n > js + d) { // every target within d is publishable
            CHECK(std::abs(m.variance - v) < 1e-3);
          }
        }
      }
    }
  }
}

TEST_CASE("the default p-table: 1 and 2 become 0 or at least 3, large counts "
          "move by at most 2")
{
  auto table = PTable::build(PTableParameters{});
  REQUIRE(table);
  std::map<std::uint64_t, int> seen;
  for (std::uint64_t key = 0; key < (1ULL << 32); key += 0x100003) {
    ++seen[table->perturb(1, static_cast<std::uint32_t>(key))];
  }
  CHECK(seen.count(0) == 1);
  CHECK(seen.count(1) == 0);
  CHECK(seen.count(2) == 0);
  CHECK(seen.count(3) == 1);
  // True 1 published as 0 or 3 with mean 1: two thirds and one third.
  CHECK(std::abs(seen[0] / static_cast<double>(seen[0] + seen[3]) - 2.0 / 3)
        < 0.01);
  CHECK(table->perturb(1000, 0) == 998);
  CHECK(table->perturb(1000, 0xffffffffU) == 1002);
}

TEST_CASE("the policy's p-table parameters")
{
  auto defaults = disclosure::ptable_parameters(json::Json::object());
  REQUIRE(defaults);
  CHECK(defaults->max_perturbation == 2);
  CHECK(defaults->variance == 1.0);
  CHECK(defaults->small_counts == 2);
  auto given = disclosure::ptable_parameters(
    {{"cell_key",
      {{"max_perturbation", 3}, {"variance", "1.5"}, {"small_counts", 3}}}});
  REQUIRE(given);
  CHECK(given->max_perturbation == 3);
  CHECK(given->variance == 1.5);
  CHECK(given->small_counts == 3);
  for (const json::Json& bad :
       {json::Json{{"cell_key", {{"variance", 1}}}},
        json::Json{{"cell_key", {{"variance", "abc"}}}},
        json::Json{{"cell_key", {{"variance", "-1"}}}},
        json::Json{{"cell_key", {{"max_perturbation", 0}}}},
        json::Json{{"cell_key", {{"max_perturbation", 1}, {"variance", "1"}}}},
        json::Json{
          {"cell_key", {{"max_perturbation", 2}, {"small_counts", 3}}}},
        json::Json{{"cell_key", {{"small_counts", "2"}}}},
        json::Json{{"cell_key", 7}}}) {
    CAPTURE(bad.dump());
    auto parsed = disclosure::ptable_parameters(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == Errc::corrupt);
    CHECK(parsed.error().message.find("cell_key") != std::string::npos);
  }
}

TEST_CASE("a person's key is the first four bytes of HMAC-SHA-256")
{
  // python3 -c "import hmac, hashlib; print(hmac.new(b'k' * 32, b'p-0042',
  //             hashlib.sha256).hexdigest()[:8])"  ->  13decaf9
  CHECK(disclosure::person_key(k_secret, "p-0042") == 0x13decaf9U);
}

TEST_CASE("a release by the cell-key method: every cell within the bounds of "
          "its true count, the same persons perturbed alike everywhere")
{
  std::mt19937 random(7);
  const std::vector<std::string> types{"violence.physical.beating",
                                       "violence.sexual.rape",
                                       "violence.economic.extortion"};
  const std::vector<std::string> populations{"cis_woman", "trans_woman", "man"};
  std::vector<index::FactsRow> rows;
  for (std::uint64_t seq = 1; seq <= 300; ++seq) {
    rows.push_back(facts(seq,
                         "p-" + std::to_string(random() % 120),
                         types[random() % types.size()],
                         populations[random() % populations.size()],
                         seq <= 150 ? "2026-02" : "2026-05"));
  }
  const std::vector<stats::TableSpec> specs{{"by_type",
                                             "Types",
                                             stats::Dimension::violence_type,
                                             stats::Dimension::population},
                                            {"by_population",
                                             "Populations",
                                             stats::Dimension::population,
                                             std::nullopt}};
  stats::Coding coding;
  coding.level = 0;
  const stats::Tabulation tabulation =
    stats::tabulate(all_of(rows), specs, coding);
  auto ptable = PTable::build(PTableParameters{});
  REQUIRE(ptable);
  const auto release =
    disclosure::release_cell_key(tabulation, *ptable, k_secret, 5);
  CHECK(release->method == "cellkey");
  REQUIRE(release->tables.size() == 2);
  std::map<std::vector<std::uint32_t>, std::uint64_t> by_records;
  std::size_t moved = 0;
  for (std::size_t t = 0; t < 2; ++t) {
    const auto& counted = tabulation.tables[t];
    const auto& published = release->tables[t];
    REQUIRE(published.cells.size() == counted.cells.size());
    for (std::size_t i = 0; i < counted.cells.size(); ++i) {
      REQUIRE(published.cells[i].has_value());
      const std::uint64_t truth = counted.cells[i].records;
      const std::uint64_t shown = *published.cells[i];
      CHECK(shown + 2 >= truth);
      CHECK(shown <= truth + 2);
      CHECK((shown == 0 || shown > 2));
      CHECK((truth != 0 || shown == 0));
      moved += shown != truth ? 1 : 0;
      // The population totals of the first table and the cells of the
      // second count the same records: published alike.
      const auto [at, fresh] =
        by_records.try_emplace(counted.cells[i].combinations, shown);
      CHECK((fresh || at->second == shown));
    }
  }
  CHECK(moved > 0);

  // The first quarter alone, tabulated again: the persons of a cell in
  // February are the same, and so is its perturbation.
  std::vector<index::FactsRow> first(rows.begin(), rows.begin() + 150);
  const stats::Tabulation alone = stats::tabulate(all_of(first), specs, coding);
  const auto again = disclosure::release_cell_key(alone, *ptable, k_secret, 5);
  const auto twice = disclosure::release_cell_key(alone, *ptable, k_secret, 5);
  CHECK(again->tables[0].cells == twice->tables[0].cells);
  // Another secret, other perturbations.
  const std::vector<std::uint8_t> other(32, 'o');
  const auto elsewhere = disclosure::release_cell_key(alone, *ptable, other, 5);
  CHECK(elsewhere->tables[0].cells != again->tables[0].cells);
}

TEST_CASE("one method per release series")
{
  auto recorded = [](std::uint64_t seq,
                     const char* method,
                     const char* from,
                     const char* to) {
    json::Json release = {
      {"kind", "stats"},
      {"selection", {{"period", {{"from", from}, {"to", to}}}}}};
    if (method != nullptr) {
      release["method"] = method;
    }
    return index::ReleaseRow{seq, release};
  };
  const std::vector<index::ReleaseRow> earlier{
    recorded(10, "suppression", "2026-01", "2026-03"),
    recorded(
      20, nullptr, "2026-04", "2026-06"), // before the field: suppression
    recorded(30, "cellkey", "2026-07", "2026-09")};
  auto period = [](const char* from, const char* to) {
    stats::Selection selection;
    selection.period = records::Period{from, to};
    return selection;
  };
  auto refused = disclosure::check_one_method(
    earlier, period("2026-03", "2026-03"), "cellkey");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::unsafe);
  CHECK(refused.error().message.find("entry 10") != std::string::npos);
  CHECK_FALSE(disclosure::check_one_method(
    earlier, period("2026-05", "2026-05"), "cellkey"));
  CHECK(disclosure::check_one_method(
    earlier, period("2026-08", "2026-08"), "cellkey"));
  CHECK(disclosure::check_one_method(
    earlier, period("2026-01", "2026-06"), "suppression"));
  CHECK_FALSE(disclosure::check_one_method(
    earlier, period("2026-06", "2026-07"), "suppression"));
  // No period: all time, which every release meets.
  CHECK_FALSE(
    disclosure::check_one_method(earlier, stats::Selection{}, "cellkey"));
}

TEST_SUITE_END();
