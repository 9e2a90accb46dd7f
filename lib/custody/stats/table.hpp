// Counting: which records a release counts, and the tables of counts it makes
// of them (docs/stats.md section 3). A cell counts records (one person's report
// of one incident) and knows how many distinct persons stand behind them, on
// which small cells are judged; a total counts distinct records, not the sum of
// its cells. Nothing here decides what may be published: disclosure/ does.
#pragma once

#include <custody/records/period.hpp>
#include <custody/stats/dimension.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace custody::stats {

// The consent scope without which a record is never counted.
inline constexpr std::string_view k_statistics_consent =
  "anonymised_statistics";

// The records a release counts and, for the whole release only, how many were
// left out and why.
struct Counted
{
  std::vector<const index::FactsRow*> rows;
  std::uint64_t without_consent = 0;
  // Dated to the year alone while the release is by month or quarter.
  std::uint64_t year_only = 0;
};

// Applies consent (records whose scopes include `consent`), the period and
// the filters. `by_month` when the release places records in months or
// quarters (a period narrower than whole years, or a period dimension by
// month or quarter).
Counted select(const std::vector<index::FactsRow>& all,
               const Selection& selection,
               const Coding& coding,
               bool by_month,
               std::string_view consent = k_statistics_consent);

struct TableSpec
{
  std::string id;    // "violence_by_population": file and sheet names
  std::string title; // "Incidents by type of violence and population"
  Dimension rows = Dimension::violence_type;
  std::optional<Dimension> columns;
};

inline constexpr std::string_view k_total = "total";

// The standard release of a crisis-response programme (docs/stats.md 1).
std::vector<TableSpec> standard_tables();

// One count. `combinations` are the full combinations of the release's
// dimension values whose records it sums (the audit's variables, sorted).
struct Cell
{
  std::uint64_t records = 0;
  std::uint64_t persons = 0;
  std::vector<std::uint32_t> combinations;
};

// What an earlier release published in one cell of a table counted again
// today (docs/stats.md 4.7).
struct Figure
{
  bool shown = false;      // the release showed `value`
  bool suppressed = false; // the release showed the token
  std::uint64_t value = 0;
};

// A table an earlier release recorded in the ledger published, counted again
// over today's records: its figures are constraints on what a reader knows,
// never published again and never suppressed.
struct Earlier
{
  std::uint64_t release_seq = 0;
  // The most any of its cells can have moved since: the records created or
  // amended after it was computed (late reports, corrections, consent).
  std::uint64_t slack = 0;
  // Records the release counted but did not publish, beyond withheld
  // classes (a dataset's rows left out for want of a narrative): counted
  // again they are in its rows, so they add to the slack.
  std::uint64_t left_out = 0;
  // The threshold it was protected with: its small cells, and what it and a
  // later release differ by, are protected at that level.
  std::uint64_t threshold = 5;
  // As recorded: its row and column codes and its cells, row-major.
  std::vector<std::string> rows;
  std::vector<std::string> columns;
  std::vector<Figure> recorded;
  // Aligned with the table's cells as counted today (tabulate_jobs() fills
  // it): a value or row the release did not show is neither shown nor
  // suppressed.
  std::vector<Figure> figures;
};

struct Table
{
  TableSpec spec;
  std::optional<Earlier> earlier;
  // The values in order, the last being k_total; a table without columns has
  // the one column k_total.
  std::vector<std::string> rows;
  std::vector<std::string> columns;
  std::vector<Cell> cells; // row-major

  Cell&
  at(std::size_t row, std::size_t column)
  {
    return cells[row * columns.size() + column];
  }
  const Cell&
  at(std::size_t row, std::size_t column) const
  {
    return cells[row * columns.size() + column];
  }
};

// A figure that is not a count (the median hours to first contact), published
// only when `persons` reach the threshold.
struct Measure
{
  std::string id;
  std::string title;
  std::uint64_t records = 0;
  std::uint64_t persons = 0;
  double value = 0;
};

struct Tabulation
{
  std::vector<Table> tables;
  std::vector<Measure> measures;
  // Records in each full combination: what the audit's variables stand for.
  std::vector<std::uint64_t> combination_records;
  // The persons in each, as numbers (sorted, with repeats): how many distinct
  // persons stand behind any set of combinations.
  std::vector<std::vector<std::uint32_t>> combination_persons;
  // Each person number's reference (a record without one stands for a person
  // of its own, "\x01" and its created seq): what the cell-key method keys.
  std::vector<std::string> person_refs;
  std::uint64_t records = 0;
  std::uint64_t persons = 0;
};

// Whether a release places records in months (a period narrower than whole
// years, or a period dimension by month or quarter): a record dated to the
// year alone is then left out.
bool needs_months(const Selection& selection,
                  const std::vector<TableSpec>& specs,
                  Grain grain);

// One table to count: what it shows, the records it counts (select()'s), and
// how it reads them. Tables of one release share rows and coding; an earlier
// release's tables have their own.
struct TableJob
{
  TableSpec spec;
  std::vector<const index::FactsRow*> rows;
  Coding coding;
  std::optional<Earlier> earlier;
  // A table whose rows are not one dimension's values: a dataset's rows as
  // published (stats/microdata.hpp), one key a record. Set, it gives each
  // record's row values in place of spec.rows, and rows are in key order.
  std::function<std::vector<std::string>(const index::FactsRow&)> keys;
};

// Counts every job's table over one set of full combinations: records fall
// in the same combination when every table places them alike, so a cell of
// any table, of this release or an earlier one, is a sum of combinations.
// No measures; records and persons count the union of the jobs' rows.
Tabulation tabulate_jobs(const std::vector<TableJob>& jobs);

// The median hours from incident to first contact over the records that have
// one, and how many records and persons stand behind it.
Measure median_delay(const std::vector<const index::FactsRow*>& rows);

// Counts `counted` into the tables of `specs`, rows and columns being the
// values that occur among the counted records, in code order (periods in time
// order), then the total. Also the median hours from incident to first contact
// over the records that have one.
Tabulation tabulate(const Counted& counted,
                    const std::vector<TableSpec>& specs,
                    const Coding& coding);

} // namespace custody::stats
