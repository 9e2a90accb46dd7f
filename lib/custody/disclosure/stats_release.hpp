// Statistics made safe to publish (docs/stats.md section 4): primary
// suppression of cells with 1 to T-1 distinct persons, group disclosure (no
// published line where all persons, or all but one, fall in one category),
// cells that sum the same records kept alike, then secondary suppression until
// the exact audit (audit.hpp) passes over every table of the release. What
// leaves is a Released<StatsRelease>: one token for every suppressed cell,
// nothing telling a primary cell from a secondary one.
#pragma once

#include <custody/base/error.hpp>
#include <custody/disclosure/released.hpp>
#include <custody/stats/table.hpp>

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
  std::size_t cells = 0;        // distinct cells published (a cell that
                                // several tables show counts once)
  std::size_t suppressed = 0;   // of which suppressed
  std::size_t combinations = 0; // the LP's variables
  std::size_t rounds = 0;       // audits run
  std::uint64_t lps = 0;        // linear programs solved
  bool exact = true;            // every protected cell's bounds confirmed
                                // in exact arithmetic
};

struct StatsRelease
{
  std::vector<PublishedTable> tables;
  std::vector<PublishedMeasure> measures;
  std::uint64_t threshold = 0;
  AuditSummary audit;
};

// Protects `tabulation` and audits it. Errc::unsafe when the audit cannot pass
// within the rules' rounds (the message gives counts, never values), so that
// nothing is written.
[[nodiscard]] Result<Released<StatsRelease>>
release_stats(const stats::Tabulation& tabulation, const StatsRules& rules);

} // namespace custody::disclosure
