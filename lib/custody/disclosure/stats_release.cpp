// Statistics made safe to publish (stats_release.hpp).
#include <custody/disclosure/audit.hpp>
#include <custody/disclosure/disclosure_internal.hpp>
#include <custody/disclosure/stats_release.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <tuple>

namespace custody::disclosure {

namespace {

enum class Protect { none, primary, group };

// A distinct cell of the release: every table position that sums the same
// records is one cell, so it is published or suppressed everywhere alike.
struct ReleaseCell
{
  const stats::Cell* counts = nullptr;
  bool suppressed = false;
  Protect protect = Protect::none;
  bool margin = false; // shown as a total somewhere
  // Group disclosure: the records of the line's total, which the cell must
  // not be shown to come within one of.
  std::uint64_t line_records = 0;
  // Every (table, cell) position showing it.
  std::vector<std::pair<std::size_t, std::size_t>> positions;
};

struct Cells
{
  std::vector<ReleaseCell> cells;
  // (table, position) -> distinct cell
  std::vector<std::vector<std::size_t>> at;
};

Cells
distinct_cells(const stats::Tabulation& tabulation)
{
  Cells out;
  std::map<std::vector<std::uint32_t>, std::size_t> seen;
  for (std::size_t t = 0; t < tabulation.tables.size(); ++t) {
    const auto& table = tabulation.tables[t];
    out.at.emplace_back(table.cells.size());
    for (std::size_t i = 0; i < table.cells.size(); ++i) {
      const auto& cell = table.cells[i];
      const bool total =
        i / table.columns.size() == table.rows.size() - 1
        || i % table.columns.size() == table.columns.size() - 1;
      // An empty cell is its own: zeros are published as they are.
      std::size_t index = out.cells.size();
      if (!cell.combinations.empty()) {
        auto [it, added] = seen.try_emplace(cell.combinations, index);
        index = it->second;
      }
      if (index == out.cells.size()) {
        ReleaseCell added;
        added.counts = &cell;
        out.cells.push_back(std::move(added));
      }
      out.cells[index].margin = out.cells[index].margin || total;
      out.cells[index].positions.emplace_back(t, i);
      out.at[t][i] = index;
    }
  }
  return out;
}

// A line of a table: its cells, its total, and what it is.
struct Line
{
  std::vector<std::size_t> cells;
  std::size_t total = 0;
  // The dimension of its categories, and the one whose value it fixes
  // (nullopt for a table's total row or column: the whole release).
  std::optional<stats::Dimension> categories;
  std::optional<stats::Dimension> fixed;
};

// Each row against its total column, each column against its total row.
std::vector<Line>
lines_of(const stats::Table& table)
{
  std::vector<Line> lines;
  const std::size_t rows = table.rows.size();
  const std::size_t columns = table.columns.size();
  for (std::size_t r = 0; r < rows; ++r) {
    Line line;
    for (std::size_t c = 0; c + 1 < columns; ++c) {
      line.cells.push_back(r * columns + c);
    }
    line.total = r * columns + columns - 1;
    line.categories = table.spec.columns;
    if (r + 1 < rows) {
      line.fixed = table.spec.rows;
    }
    lines.push_back(std::move(line));
  }
  for (std::size_t c = 0; c < columns; ++c) {
    Line line;
    for (std::size_t r = 0; r + 1 < rows; ++r) {
      line.cells.push_back(r * columns + c);
    }
    line.total = (rows - 1) * columns + c;
    line.categories = table.spec.rows;
    if (c + 1 < columns) {
      line.fixed = table.spec.columns;
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

// What was done to people and by whom: learning it of everyone in a group is
// the harm. The other dimensions (population, setting, district, region,
// period, time to first contact) are what places a person in a group.
bool
sensitive(stats::Dimension dimension)
{
  using stats::Dimension;
  return dimension == Dimension::violence_type
         || dimension == Dimension::perpetrator
         || dimension == Dimension::outcome || dimension == Dimension::referral
         || dimension == Dimension::response_action;
}

void
mark_primary(Cells& cells, std::uint64_t threshold)
{
  for (auto& cell : cells.cells) {
    if (cell.counts->persons >= 1 && cell.counts->persons < threshold) {
      cell.suppressed = true;
      cell.protect = Protect::primary;
    }
  }
}

// DISCLOSURE.md S2: "all 6 reports from district D name the police" tells
// something of each of the 6. A line of two or more categories of what was
// done (a sensitive dimension) within a group a reader can place a person in
// (a value of another dimension, or the whole release), whose total is
// published, and where one category holds all the line's persons or all but
// one, gets that category's cell suppressed and protected.
void
mark_group_disclosure(Cells& cells, const stats::Tabulation& tabulation)
{
  for (std::size_t t = 0; t < tabulation.tables.size(); ++t) {
    const auto& table = tabulation.tables[t];
    for (const auto& line : lines_of(table)) {
      if (line.cells.size() < 2 || !line.categories
          || !sensitive(*line.categories)
          || (line.fixed && sensitive(*line.fixed))) {
        continue;
      }
      const auto& margin = cells.cells[cells.at[t][line.total]];
      if (margin.suppressed || margin.counts->persons < 2) {
        continue;
      }
      for (auto position : line.cells) {
        auto& cell = cells.cells[cells.at[t][position]];
        if (cell.counts->persons >= 1
            && cell.counts->persons + 1 >= margin.counts->persons
            && cell.protect == Protect::none) {
          cell.suppressed = true;
          cell.protect = Protect::group;
          cell.line_records = margin.counts->records;
        }
      }
    }
  }
}

// The audit's problem over the non-empty cells (an empty cell sums no
// combination: its 0 says nothing the model does not), and for each of its
// cells the release cell it stands for.
std::pair<AuditProblem, std::vector<std::size_t>>
problem_of(const Cells& cells,
           const stats::Tabulation& tabulation,
           std::uint64_t threshold)
{
  AuditProblem problem;
  std::vector<std::size_t> release_cell;
  problem.variables =
    static_cast<std::uint32_t>(tabulation.combination_records.size());
  problem.threshold = threshold;
  for (std::size_t i = 0; i < cells.cells.size(); ++i) {
    const auto& cell = cells.cells[i];
    if (cell.counts->combinations.empty()) {
      continue;
    }
    AuditCell audit_cell;
    audit_cell.variables = cell.counts->combinations;
    audit_cell.suppressed = cell.suppressed;
    audit_cell.primary = cell.protect == Protect::primary;
    audit_cell.value = cell.counts->records;
    problem.cells.push_back(std::move(audit_cell));
    release_cell.push_back(i);
  }
  return {std::move(problem), std::move(release_cell)};
}

// The published cell to suppress next for a failing one: among the cells
// whose figures pin it (the audit's binding cells, else the cells sharing a
// line with it, else every cell sharing records with it), the smallest
// non-empty one, inner cells before totals, then
// the first in release order. Deterministic, so two runs agree.
std::optional<std::size_t>
next_suppression(const Cells& cells,
                 const stats::Tabulation& tabulation,
                 std::size_t failing,
                 const std::vector<std::size_t>& binding)
{
  std::vector<std::size_t> candidates;
  for (auto index : binding) {
    if (index < cells.cells.size()) {
      candidates.push_back(index);
    }
  }
  if (std::none_of(candidates.begin(), candidates.end(), [&](auto index) {
        return !cells.cells[index].suppressed
               && cells.cells[index].counts->records > 0;
      })) {
    candidates.clear();
    for (const auto& [t, position] : cells.cells[failing].positions) {
      for (const auto& line : lines_of(tabulation.tables[t])) {
        const bool in_line =
          line.total == position
          || std::find(line.cells.begin(), line.cells.end(), position)
               != line.cells.end();
        if (!in_line) {
          continue;
        }
        for (auto other : line.cells) {
          candidates.push_back(cells.at[t][other]);
        }
        candidates.push_back(cells.at[t][line.total]);
      }
    }
  }
  // Last, any published cell that shares records with it, in any table.
  const auto usable = [&](std::size_t index) {
    return !cells.cells[index].suppressed
           && cells.cells[index].counts->records > 0 && index != failing;
  };
  if (std::none_of(candidates.begin(), candidates.end(), usable)) {
    candidates.clear();
    const auto& mine = cells.cells[failing].counts->combinations;
    for (std::size_t index = 0; index < cells.cells.size(); ++index) {
      const auto& theirs = cells.cells[index].counts->combinations;
      std::vector<std::uint32_t> shared;
      std::set_intersection(mine.begin(),
                            mine.end(),
                            theirs.begin(),
                            theirs.end(),
                            std::back_inserter(shared));
      if (!shared.empty()) {
        candidates.push_back(index);
      }
    }
  }
  std::optional<std::size_t> best;
  auto key = [&](std::size_t index) {
    const auto& cell = cells.cells[index];
    return std::make_tuple(cell.margin, cell.counts->records, index);
  };
  for (auto index : candidates) {
    if (!usable(index)) {
      continue;
    }
    if (!best || key(index) < key(*best)) {
      best = index;
    }
  }
  return best;
}

bool
group_cell_passes(const ReleaseCell& cell, const CellInterval& interval)
{
  // The reader must not be able to tell that the category holds all of the
  // line, or all but one.
  return interval.lower + 2 <= static_cast<double>(cell.line_records) + 1e-9;
}

} // namespace

Result<Released<StatsRelease>>
release_stats(const stats::Tabulation& tabulation, const StatsRules& rules)
{
  Cells cells = distinct_cells(tabulation);
  mark_primary(cells, rules.threshold);
  mark_group_disclosure(cells, tabulation);

  AuditSummary summary;
  summary.combinations = tabulation.combination_records.size();
  bool passed = false;
  std::size_t failing_cells = 0;
  while (summary.rounds < rules.max_rounds) {
    ++summary.rounds;
    const auto [problem, release_cell] =
      problem_of(cells, tabulation, rules.threshold);
    CUSTODY_ASSIGN(result, audit(problem));
    summary.lps += result.lps;
    if (result.infeasible) {
      return make_error(Errc::internal,
                        "stats: the release's own figures contradict each "
                        "other (a bug in counting)");
    }
    std::vector<std::pair<std::size_t, std::vector<std::size_t>>> failing;
    summary.exact = true;
    for (const auto& interval : result.intervals) {
      const std::size_t index = release_cell[interval.cell];
      const auto& cell = cells.cells[index];
      const bool fails = (cell.protect == Protect::primary && !interval.passes)
                         || (cell.protect == Protect::group
                             && !group_cell_passes(cell, interval));
      if (cell.protect == Protect::primary && !interval.exact) {
        summary.exact = false;
      }
      if (fails) {
        std::vector<std::size_t> binding;
        for (auto other : interval.binding) {
          binding.push_back(release_cell[other]);
        }
        failing.emplace_back(index, std::move(binding));
      }
    }
    failing_cells = failing.size();
    if (failing.empty()) {
      passed = true;
      // A secondary cell the published figures already determine (the grand
      // total beside regions that are all shown) protects nothing: showing
      // it changes nothing a reader can deduce, so it is shown.
      for (const auto& interval : result.intervals) {
        auto& cell = cells.cells[release_cell[interval.cell]];
        const auto value = static_cast<double>(cell.counts->records);
        if (cell.protect == Protect::none && !interval.unbounded
            && std::abs(interval.upper - interval.lower) < 1e-6
            && std::abs(interval.lower - value) < 1e-6) {
          cell.suppressed = false;
        }
      }
      break;
    }
    bool added = false;
    for (const auto& [cell, binding] : failing) {
      if (auto next = next_suppression(cells, tabulation, cell, binding)) {
        if (!cells.cells[*next].suppressed) {
          cells.cells[*next].suppressed = true;
          added = true;
        }
      }
    }
    if (!added) {
      break; // nothing left that could protect the failing cells
    }
  }
  summary.cells = cells.cells.size();
  summary.suppressed = static_cast<std::size_t>(
    std::count_if(cells.cells.begin(), cells.cells.end(), [](const auto& c) {
      return c.suppressed;
    }));
  if (!passed) {
    return make_error(
      Errc::unsafe,
      fmt::format("stats: the disclosure audit still fails for {} of {} "
                  "suppressed cells after {} rounds; nothing was written",
                  failing_cells,
                  summary.suppressed,
                  summary.rounds),
      Remedy::coarser_release);
  }

  StatsRelease release;
  release.threshold = rules.threshold;
  release.audit = summary;
  for (std::size_t t = 0; t < tabulation.tables.size(); ++t) {
    const auto& table = tabulation.tables[t];
    PublishedTable published{table.spec, table.rows, table.columns, {}};
    for (std::size_t i = 0; i < table.cells.size(); ++i) {
      const auto& cell = cells.cells[cells.at[t][i]];
      published.cells.push_back(
        cell.suppressed ? std::nullopt : std::optional(table.cells[i].records));
    }
    release.tables.push_back(std::move(published));
  }
  for (const auto& measure : tabulation.measures) {
    release.measures.push_back(PublishedMeasure{
      measure.id,
      measure.title,
      measure.persons >= rules.threshold ? std::optional(measure.value)
                                         : std::nullopt});
  }
  return Releaser::release(std::move(release));
}

} // namespace custody::disclosure
