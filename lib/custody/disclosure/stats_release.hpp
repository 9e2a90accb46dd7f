// Statistics made safe to publish (docs/stats.md section 4): primary
// suppression of cells with 1 to T-1 distinct persons, group disclosure (no
// published line where all persons, or all but one, fall in one category),
// cells that sum the same records kept alike, then secondary suppression until
// the exact audit (audit.hpp) passes over every table of the release. What
// leaves is a Released<StatsRelease>: one token for every suppressed cell,
// nothing telling a primary cell from a secondary one.
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/base/error.hpp>
#include <custody/disclosure/released.hpp>
#include <custody/stats/table.hpp>
#include <custody/vault/vault.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace custody::disclosure {

struct StatsRules
{
  std::uint64_t threshold = 5;  // T: the vault's small-cell floor or higher
  std::size_t max_rounds = 100; // rounds of secondary suppression
};

struct PublishedTable
{
  stats::TableSpec spec;
  std::vector<std::string> rows;    // values, the last k_total
  std::vector<std::string> columns; // likewise
  // Row-major; nullopt is a suppressed cell, whatever the reason.
  std::vector<std::optional<std::uint64_t>> cells;
};

struct PublishedMeasure
{
  std::string id;
  std::string title;
  std::optional<double> value; // nullopt: fewer than T persons behind it
};

// What the audit did, in counts only: never which cells were primary.
struct AuditSummary
{
  std::size_t cells = 0;          // distinct cells published (a cell that
                                  // several tables show counts once)
  std::size_t suppressed = 0;     // of which suppressed
  std::size_t combinations = 0;   // the LP's variables
  std::size_t rounds = 0;         // audits run
  std::uint64_t lps = 0;          // linear programs solved
  std::uint64_t iterations = 0;   // simplex iterations in them
  bool exact = true;              // every protected cell's bounds confirmed
                                  // in exact arithmetic
  std::size_t earlier_tables = 0; // tables of earlier releases audited with it
  // Small cells of earlier releases that earlier releases alone give away:
  // not this release's doing, and nothing it can undo (a warning).
  std::size_t already_disclosed = 0;
};

struct StatsRelease
{
  std::vector<PublishedTable> tables;
  std::vector<PublishedMeasure> measures;
  std::uint64_t threshold = 0;
  // "suppression" (the audit's) or "cellkey" (cell_key.hpp: no cell is
  // suppressed, none published as counted, and there is no audit).
  std::string method = "suppression";
  json::Json p_table; // cellkey: the p-table used (PTable::to_json())
  AuditSummary audit;
};

// Protects `tabulation` and audits it, with the tables of earlier releases
// it holds (Table::earlier) as what a reader knows already: their figures
// within their slack, never shown again and never suppressed. Errc::unsafe when
// the audit cannot pass within the rules' rounds (the message gives counts,
// never values), so that nothing is written.
[[nodiscard]] Result<Released<StatsRelease>>
release_stats(const stats::Tabulation& tabulation, const StatsRules& rules);

// The "release" object of the entry that records `release` (docs/formats.md
// 6.5): what was counted (`selection`, stats::selection_json()), from which
// ledger size, every table and measure as published, and the output.
json::Json release_document(const Released<StatsRelease>& release,
                            const json::Json& selection,
                            std::uint64_t tree_size,
                            std::string_view format,
                            const std::optional<std::string>& output_sha256);

// Whether two recorded releases publish the same figures from the same
// selection (their tree sizes and outputs aside): a release run again is
// recorded once.
bool same_release(const json::Json& a, const json::Json& b);

// Appends the release entry: one payload, the document encrypted to the facts
// compartment, sealed by the member. Returns its seq.
[[nodiscard]] Result<std::uint64_t> record_release(vault::Vault& vault,
                                                   const json::Json& release);

} // namespace custody::disclosure
