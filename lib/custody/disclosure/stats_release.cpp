// Statistics made safe to publish (stats_release.hpp).
#include <custody/base/disjoint_sets.hpp>
#include <custody/disclosure/audit.hpp>
#include <custody/disclosure/disclosure_internal.hpp>
#include <custody/disclosure/stats_release.hpp>
#include <custody/ledger/store.hpp>
#include <custody/stats/microdata.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <optional>
#include <set>
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
  // Group disclosure: the records of the line's total that are not in this
  // category (sorted combinations), which a reader must not be able to show
  // are fewer than 2; and the line's total.
  std::vector<std::uint32_t> outside;
  std::uint64_t line_records = 0;
  // Every (table, cell) position showing it.
  std::vector<std::pair<std::size_t, std::size_t>> positions;
  // A figure an earlier release published: a constraint on the reader,
  // never shown or suppressed by this one.
  const stats::Figure* earlier = nullptr;
  std::uint64_t slack = 0;
  std::uint64_t earlier_threshold = 0;
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
    if (table.earlier) {
      for (std::size_t i = 0; i < table.cells.size(); ++i) {
        ReleaseCell fixed;
        fixed.counts = &table.cells[i];
        fixed.earlier = &table.earlier->figures[i];
        fixed.slack = table.earlier->slack;
        fixed.earlier_threshold = table.earlier->threshold;
        fixed.suppressed = fixed.earlier->suppressed;
        fixed.positions.emplace_back(t, i);
        out.at[t][i] = out.cells.size();
        out.cells.push_back(std::move(fixed));
      }
      continue;
    }
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
    // A small cell an earlier release suppressed stays protected: this
    // release must not give it back.
    if (cell.earlier != nullptr && cell.earlier->suppressed
        && cell.counts->persons >= 1
        && cell.counts->persons < cell.earlier_threshold) {
      cell.protect = Protect::primary;
      continue;
    }
    if (cell.earlier == nullptr && cell.counts->persons >= 1
        && cell.counts->persons < threshold) {
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
    if (table.earlier) {
      continue;
    }
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
          cell.outside.clear();
          std::set_difference(margin.counts->combinations.begin(),
                              margin.counts->combinations.end(),
                              cell.counts->combinations.begin(),
                              cell.counts->combinations.end(),
                              std::back_inserter(cell.outside));
        }
      }
    }
  }
}

// Whether the line's cells split its total's records exactly: each of the
// total's combinations in one cell, and no other. (A line of a multi-valued
// dimension, or one with records that have no value there, does not.)
bool
partitions(const Cells& cells, std::size_t t, const Line& line)
{
  std::vector<std::uint32_t> parts;
  for (auto position : line.cells) {
    const auto& some = cells.cells[cells.at[t][position]].counts->combinations;
    parts.insert(parts.end(), some.begin(), some.end());
  }
  std::sort(parts.begin(), parts.end());
  return parts == cells.cells[cells.at[t][line.total]].counts->combinations;
}

// A line that splits its total exactly and shows all its figures but one
// gives that one back by subtraction, whatever else the release shows: the
// audit would fail it, and then suppress another cell of the line. That is
// done here before any LP, as the classic heuristics do first: in every such
// line with one suppressed cell, the smallest non-empty published one
// (inner before totals) among those that leave the suppressed cell room to
// reach T (it can fall by T - v while staying at least 1, v the suppressed
// cell's records; room for 1 when it is not primary) is suppressed too,
// else the smallest non-empty, until no line has one. In a fixed order,
// so two runs agree. The audit still decides: this only spares it the
// failures it would find one LP at a time, and the rounds after them.
void
pair_lonely_suppressions(Cells& cells,
                         const stats::Tabulation& tabulation,
                         std::uint64_t threshold)
{
  std::vector<std::vector<Line>> lines;
  for (std::size_t t = 0; t < tabulation.tables.size(); ++t) {
    auto& kept = lines.emplace_back();
    if (tabulation.tables[t].earlier) {
      continue;
    }
    for (auto& line : lines_of(tabulation.tables[t])) {
      if (partitions(cells, t, line)) {
        kept.push_back(std::move(line));
      }
    }
  }
  bool added = true;
  while (added) {
    added = false;
    for (std::size_t t = 0; t < lines.size(); ++t) {
      for (const auto& line : lines[t]) {
        std::vector<std::size_t> members;
        for (auto position : line.cells) {
          members.push_back(cells.at[t][position]);
        }
        members.push_back(cells.at[t][line.total]);
        std::sort(members.begin(), members.end());
        members.erase(std::unique(members.begin(), members.end()),
                      members.end());
        std::optional<std::size_t> lonely;
        std::size_t suppressed = 0;
        for (auto index : members) {
          if (cells.cells[index].suppressed) {
            ++suppressed;
            lonely = index;
          }
        }
        if (suppressed != 1) {
          continue;
        }
        const auto& alone = cells.cells[*lonely];
        const std::uint64_t room =
          alone.protect == Protect::primary && alone.counts->records < threshold
            ? threshold - alone.counts->records + 1
            : 2;
        const auto key = [&](std::size_t index) {
          const auto& cell = cells.cells[index];
          return std::make_tuple(cell.margin,
                                 cell.counts->records < room,
                                 cell.counts->records,
                                 index);
        };
        std::optional<std::size_t> best;
        for (auto index : members) {
          const auto& cell = cells.cells[index];
          if (cell.suppressed || cell.counts->records == 0
              || cell.earlier != nullptr) {
            continue;
          }
          if (!best || key(index) < key(*best)) {
            best = index;
          }
        }
        if (best) {
          cells.cells[*best].suppressed = true;
          added = true;
        }
      }
    }
  }
}

constexpr std::size_t k_difference = static_cast<std::size_t>(-1);
// Marks the hidden "outside the category" cell of group cell i: k_outside | i.
constexpr std::size_t k_outside = std::size_t{1} << 62;

std::uint64_t
persons_of(const stats::Tabulation& tabulation,
           const std::vector<std::uint32_t>& combinations)
{
  std::vector<std::uint32_t> persons;
  for (auto c : combinations) {
    const auto& some = tabulation.combination_persons[c];
    persons.insert(persons.end(), some.begin(), some.end());
  }
  std::sort(persons.begin(), persons.end());
  return static_cast<std::uint64_t>(std::unique(persons.begin(), persons.end())
                                    - persons.begin());
}

// The differences, both ways, between each cell of this release and the cell
// of an earlier release at the same row and column of a table by the same
// dimensions, that hold 1 to T-1 persons (T the earlier release's). Sorted
// and unique.
std::vector<std::vector<std::uint32_t>>
differences_of(const Cells& cells, const stats::Tabulation& tabulation)
{
  std::set<std::vector<std::uint32_t>> out;
  for (std::size_t e = 0; e < tabulation.tables.size(); ++e) {
    const auto& earlier = tabulation.tables[e];
    if (!earlier.earlier) {
      continue;
    }
    for (std::size_t t = 0; t < tabulation.tables.size(); ++t) {
      const auto& table = tabulation.tables[t];
      if (table.earlier || table.spec.rows != earlier.spec.rows
          || table.spec.columns != earlier.spec.columns
          || table.spec.id == stats::k_dataset_table
          || earlier.spec.id == stats::k_dataset_table) {
        continue;
      }
      for (std::size_t r = 0; r < table.rows.size(); ++r) {
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
          const auto er =
            std::find(earlier.rows.begin(), earlier.rows.end(), table.rows[r]);
          const auto ec = std::find(
            earlier.columns.begin(), earlier.columns.end(), table.columns[c]);
          if (er == earlier.rows.end() || ec == earlier.columns.end()) {
            continue;
          }
          const std::size_t ei =
            static_cast<std::size_t>(er - earlier.rows.begin())
              * earlier.columns.size()
            + static_cast<std::size_t>(ec - earlier.columns.begin());
          if (!earlier.earlier->figures[ei].shown) {
            continue;
          }
          const auto& mine =
            cells.cells[cells.at[t][r * table.columns.size() + c]]
              .counts->combinations;
          const auto& theirs = earlier.cells[ei].combinations;
          for (int way = 0; way < 2; ++way) {
            std::vector<std::uint32_t> difference;
            const auto& from = way == 0 ? mine : theirs;
            const auto& less = way == 0 ? theirs : mine;
            std::set_difference(from.begin(),
                                from.end(),
                                less.begin(),
                                less.end(),
                                std::back_inserter(difference));
            const auto persons = persons_of(tabulation, difference);
            if (persons >= 1 && persons < earlier.earlier->threshold) {
              out.insert(std::move(difference));
            }
          }
        }
      }
    }
  }
  return {out.begin(), out.end()};
}

// Whether an earlier release's figure adds nothing to the audit: nothing has
// moved since (no slack), and this release has a cell of the same records
// whose own constraint and test say as much (the same value shown; a token
// beside this release's cell, which is at least 1 either way, unless the
// earlier one is a small cell this release shows, or protects at a lower
// threshold). Left in, such a row changes nothing a reader can deduce but
// does change the float path the search takes, and a release run again,
// audited with its own first recording, must take the same path to come out
// the same (docs/stats.md 4.7).
bool
repeated(const Cells& cells,
         const std::map<std::vector<std::uint32_t>, std::size_t>& own,
         const ReleaseCell& earlier,
         std::uint64_t threshold)
{
  if (earlier.slack != 0) {
    return false;
  }
  const auto found = own.find(earlier.counts->combinations);
  if (found == own.end()) {
    return false;
  }
  const ReleaseCell& now = cells.cells[found->second];
  if (earlier.earlier->shown) {
    return !now.suppressed && earlier.earlier->value == now.counts->records;
  }
  if (!earlier.earlier->suppressed) {
    return false;
  }
  return earlier.protect != Protect::primary
         || (now.suppressed && now.protect == Protect::primary
             && earlier.earlier_threshold <= threshold);
}

// Where the audit's program falls into parts (AuditProblem::parts): the
// records each earlier release's cells are joined by (a quarter's tables,
// within the quarter), and with them the cells of this release that lie
// within one such part or outside every part; a cell of this release over
// two parts (the year to date over its quarters) is one that joins them.
// Cells are taken in the program's order, so two runs agree. Empty when no
// earlier release is in the program: the audit then starts as it always
// has.
std::vector<std::uint32_t>
parts_of(const AuditProblem& problem,
         const std::vector<std::size_t>& release_cell,
         const Cells& cells)
{
  const auto earlier = [&](std::size_t k) {
    return release_cell[k] < cells.cells.size()
           && cells.cells[release_cell[k]].earlier != nullptr;
  };
  DisjointSets sets(problem.variables);
  const auto find = [&](std::uint32_t j) {
    return static_cast<std::uint32_t>(sets.find(j));
  };
  // a part that holds an earlier release's cell, by its representative
  std::vector<bool> anchored(problem.variables, false);
  const auto join = [&](const std::vector<std::uint32_t>& variables) {
    for (const std::uint32_t j : variables) {
      const std::uint32_t root = find(variables.front());
      const std::uint32_t other = find(j);
      if (other != root) {
        const bool anchor = anchored[root] || anchored[other];
        sets.join(other, root);
        anchored[find(root)] = anchor;
      }
    }
  };
  bool any = false;
  for (std::size_t k = 0; k < problem.cells.size(); ++k) {
    if (earlier(k) && !problem.cells[k].hidden) {
      join(problem.cells[k].variables);
      anchored[find(problem.cells[k].variables.front())] = true;
      any = true;
    }
  }
  if (!any) {
    return {};
  }
  for (std::size_t k = 0; k < problem.cells.size(); ++k) {
    const AuditCell& cell = problem.cells[k];
    if (earlier(k) || cell.hidden) {
      continue;
    }
    std::optional<std::uint32_t> held;
    bool joins = false;
    for (const std::uint32_t j : cell.variables) {
      const std::uint32_t root = find(j);
      if (anchored[root]) {
        if (held && *held != root) {
          joins = true;
          break;
        }
        held = root;
      }
    }
    if (!joins) {
      join(cell.variables);
    }
  }
  std::vector<std::uint32_t> parts(problem.variables);
  for (std::uint32_t j = 0; j < problem.variables; ++j) {
    parts[j] = find(j);
  }
  return parts;
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
  problem.known = tabulation.combination_records;
  // This release's cells by what they sum, to find the earlier figures it
  // repeats.
  std::map<std::vector<std::uint32_t>, std::size_t> own;
  for (std::size_t i = 0; i < cells.cells.size(); ++i) {
    if (cells.cells[i].earlier == nullptr
        && !cells.cells[i].counts->combinations.empty()) {
      own.emplace(cells.cells[i].counts->combinations, i);
    }
  }
  for (std::size_t i = 0; i < cells.cells.size(); ++i) {
    const auto& cell = cells.cells[i];
    if (cell.counts->combinations.empty()) {
      continue;
    }
    if (cell.earlier != nullptr && repeated(cells, own, cell, threshold)) {
      continue;
    }
    AuditCell audit_cell;
    audit_cell.variables = cell.counts->combinations;
    if (cell.earlier != nullptr) {
      // What an earlier release showed, within what can have moved since; a
      // token it showed is known to be at least 1 only if nothing moved.
      if (cell.earlier->shown) {
        audit_cell.value = cell.earlier->value;
        audit_cell.slack = cell.slack;
      } else if (cell.earlier->suppressed) {
        audit_cell.suppressed = true;
        audit_cell.hidden = cell.slack != 0; // then maybe empty by now
        audit_cell.primary = cell.protect == Protect::primary;
      } else {
        continue;
      }
    } else {
      audit_cell.suppressed = cell.suppressed;
      audit_cell.primary = cell.protect == Protect::primary;
      audit_cell.value = cell.counts->records;
      if (cell.protect == Protect::group && cell.outside.empty()) {
        // whether it can fall 2 below its line's total (release_stats)
        audit_cell.at_most = cell.line_records >= 2 ? cell.line_records - 2 : 0;
      }
    }
    problem.cells.push_back(std::move(audit_cell));
    release_cell.push_back(i);
  }
  // What a cell of this release and the same cell of an earlier one differ
  // by (this quarter less last, a year to date less its first quarters) is
  // known to a reader holding both: each such difference of 1 to T-1
  // persons is a hidden cell the audit protects (docs/stats.md 4.7).
  for (const auto& difference : differences_of(cells, tabulation)) {
    AuditCell audit_cell;
    audit_cell.variables = difference;
    audit_cell.suppressed = true;
    audit_cell.hidden = true;
    audit_cell.primary = true;
    problem.cells.push_back(std::move(audit_cell));
    release_cell.push_back(k_difference);
  }
  // Group disclosure: what the line's total holds outside the category, as a
  // hidden cell: it must be able to hold 2 records or more.
  for (std::size_t i = 0; i < cells.cells.size(); ++i) {
    const auto& cell = cells.cells[i];
    if (cell.protect != Protect::group || cell.outside.empty()) {
      continue;
    }
    AuditCell audit_cell;
    audit_cell.variables = cell.outside;
    audit_cell.suppressed = true;
    audit_cell.hidden = true;
    // whether it can hold 2 records or more (release_stats)
    audit_cell.at_least = 2;
    problem.cells.push_back(std::move(audit_cell));
    release_cell.push_back(k_outside | i);
  }
  problem.parts = parts_of(problem, release_cell, cells);
  return {std::move(problem), std::move(release_cell)};
}

// The primary cells a reader knows hold at least 2, from the tokens alone:
// two suppressed cells of this release, sharing no records, whose records are
// all within the primary cell's. Zeros are shown, so each token stands for at
// least 1, and the primary cell holds both (its sum is at least theirs, the
// variables being non-negative): its least value is 2 or more, which fails
// the audit's test (lower <= 1) in every round, since suppressing more only
// adds tokens. The search can then only suppress in vain until it runs out of
// cells (a quarter of 1,932 cells over 3,000 records: 49 rounds and 793
// cells in 4 minutes), so the release is refused as soon as one is seen.
// Checks a sufficient condition: a bound above 1 that only a fractional cover
// shows ({a,b}, {b,c}, {a,c} within {a,b,c}) is left to the audit.
std::size_t
held_above_one_by_tokens(const Cells& cells)
{
  // combination -> the suppressed cells of this release counting it
  std::map<std::uint32_t, std::vector<std::size_t>> tokens;
  for (std::size_t i = 0; i < cells.cells.size(); ++i) {
    const auto& cell = cells.cells[i];
    if (cell.suppressed && cell.earlier == nullptr) {
      for (auto combination : cell.counts->combinations) {
        tokens[combination].push_back(i);
      }
    }
  }
  std::size_t held = 0;
  for (std::size_t i = 0; i < cells.cells.size(); ++i) {
    const auto& cell = cells.cells[i];
    if (cell.protect != Protect::primary || cell.earlier != nullptr) {
      continue;
    }
    const auto& mine = cell.counts->combinations;
    std::set<std::size_t> inside;
    for (auto combination : mine) {
      const auto found = tokens.find(combination);
      if (found == tokens.end()) {
        continue;
      }
      for (auto other : found->second) {
        const auto& theirs = cells.cells[other].counts->combinations;
        if (other != i
            && std::includes(
              mine.begin(), mine.end(), theirs.begin(), theirs.end())) {
          inside.insert(other);
        }
      }
    }
    const std::vector<std::size_t> within(inside.begin(), inside.end());
    const auto disjoint = [&](std::size_t a, std::size_t b) {
      const auto& x = cells.cells[a].counts->combinations;
      const auto& y = cells.cells[b].counts->combinations;
      std::vector<std::uint32_t> shared;
      std::set_intersection(
        x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(shared));
      return shared.empty();
    };
    bool found_pair = false;
    for (std::size_t a = 0; a < within.size() && !found_pair; ++a) {
      for (std::size_t b = a + 1; b < within.size() && !found_pair; ++b) {
        found_pair = disjoint(within[a], within[b]);
      }
    }
    if (found_pair) {
      ++held;
    }
  }
  return held;
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
    return cells.cells[index].earlier == nullptr
           && !cells.cells[index].suppressed
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

// The cell of this release to suppress for a difference between releases
// that fails: the smallest non-empty published one among those that pin it,
// else among those sharing records with it; inner cells before totals.
std::optional<std::size_t>
difference_suppression(const Cells& cells,
                       const std::vector<std::uint32_t>& variables,
                       const std::vector<std::size_t>& binding)
{
  const auto usable = [&](std::size_t index) {
    return index < cells.cells.size() && cells.cells[index].earlier == nullptr
           && !cells.cells[index].suppressed
           && cells.cells[index].counts->records > 0;
  };
  const auto key = [&](std::size_t index) {
    return std::make_tuple(
      cells.cells[index].margin, cells.cells[index].counts->records, index);
  };
  std::optional<std::size_t> best;
  for (auto index : binding) {
    if (usable(index) && (!best || key(index) < key(*best))) {
      best = index;
    }
  }
  if (best) {
    return best;
  }
  for (std::size_t index = 0; index < cells.cells.size(); ++index) {
    if (!usable(index)) {
      continue;
    }
    const auto& theirs = cells.cells[index].counts->combinations;
    std::vector<std::uint32_t> shared;
    std::set_intersection(variables.begin(),
                          variables.end(),
                          theirs.begin(),
                          theirs.end(),
                          std::back_inserter(shared));
    if (!shared.empty() && (!best || key(index) < key(*best))) {
      best = index;
    }
  }
  return best;
}

} // namespace

Result<Released<StatsRelease>>
release_stats(const stats::Tabulation& tabulation, const StatsRules& rules)
{
  Cells cells = distinct_cells(tabulation);
  mark_primary(cells, rules.threshold);
  mark_group_disclosure(cells, tabulation);
  pair_lonely_suppressions(cells, tabulation, rules.threshold);

  AuditSummary summary;
  summary.combinations = tabulation.combination_records.size();
  bool passed = false;
  std::size_t already_disclosed = 0;
  std::size_t failing_cells = 0;
  // Rounds search in floating point, each verdict proven exactly where an
  // exact basic point does it cheaply (audit_vertex.hpp); a round that passes
  // with any primary verdict not proven so is audited again with every one
  // confirmed exactly, and only an exact pass can end the search (a cell
  // failing the confirming round continues the rounds).
  bool confirming = false;
  // Each round only suppresses more, so its program widens the last one's,
  // whose proofs stand (AuditProofs): only what they leave is solved again.
  std::optional<AuditProofs> proven;
  while (summary.rounds < rules.max_rounds || confirming) {
    if (const std::size_t held = held_above_one_by_tokens(cells); held > 0) {
      return make_error(
        Errc::unsafe,
        fmt::format(
          "stats: {} protected figure{} cannot be hidden by suppression: "
          "{} a total over two or more suppressed cells of its own "
          "records, and as zeros are shown each of those holds at least 1, "
          "so a reader knows it holds at least 2 (after {} audit round{}); "
          "nothing was written",
          held,
          held == 1 ? "" : "s",
          held == 1 ? "it is" : "each is",
          summary.rounds,
          summary.rounds == 1 ? "" : "s"),
        Remedy::coarser_release);
    }
    if (!confirming) {
      ++summary.rounds;
    }
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    const auto built = problem_of(cells, tabulation, rules.threshold);
    const AuditProblem& problem = built.first;
    const std::vector<std::size_t>& release_cell = built.second;
    AuditOptions options;
    options.decide_only = true;
    options.confirm_exact = confirming;
    options.proven = proven ? &*proven : nullptr;
    CUSTODY_ASSIGN(result, audit(problem, options));
    proven = std::move(result.proofs);
    summary.lps += result.lps;
    summary.iterations += result.iterations;
    if (result.infeasible) {
      return make_error(Errc::internal,
                        "stats: the release's own figures contradict each "
                        "other (a bug in counting)");
    }
    std::vector<std::pair<std::size_t, std::vector<std::size_t>>> failing;
    already_disclosed = 0;
    // Differences between releases that fail: the variables they sum, and
    // the cells that pin them.
    std::vector<std::pair<std::vector<std::uint32_t>, std::vector<std::size_t>>>
      failing_differences;
    summary.exact = true;
    for (const auto& interval : result.intervals) {
      const std::size_t index = release_cell[interval.cell];
      if (index != k_difference && (index & k_outside) != 0) {
        const bool few_outside =
          !interval.unbounded && interval.upper < 2.0 - 1e-9;
        if (few_outside) {
          std::vector<std::size_t> binding;
          for (auto other : interval.binding) {
            binding.push_back(release_cell[other]);
          }
          failing_differences.emplace_back(
            problem.cells[interval.cell].variables, std::move(binding));
        }
        continue;
      }
      if (index == k_difference) {
        if (!interval.exact) {
          summary.exact = false;
        }
        if (!interval.passes) {
          std::vector<std::size_t> binding;
          for (auto other : interval.binding) {
            binding.push_back(release_cell[other]);
          }
          failing_differences.emplace_back(
            problem.cells[interval.cell].variables, std::move(binding));
        }
        continue;
      }
      const auto& cell = cells.cells[index];
      // A category holding every record of its line has nothing outside it
      // to audit: the cell itself must then be able to fall 2 below the
      // line's total.
      bool fails = (cell.protect == Protect::primary && !interval.passes)
                   || (cell.protect == Protect::group && cell.outside.empty()
                       && interval.lower + 2
                            > static_cast<double>(cell.line_records) + 1e-9);
      // An earlier release's cell that earlier releases alone pin (every
      // figure binding it is theirs) was given away before this one: it is
      // counted, not blamed on this release, which cannot take it back.
      if (fails && cell.earlier != nullptr
          && std::all_of(interval.binding.begin(),
                         interval.binding.end(),
                         [&](std::size_t other) {
                           const std::size_t at = release_cell[other];
                           return at != k_difference
                                  && cells.cells[at].earlier != nullptr;
                         })) {
        fails = false;
        ++already_disclosed;
      }
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
    failing_cells = failing.size() + failing_differences.size();
    if (failing_cells == 0 && !confirming && !summary.exact) {
      confirming = true;
      continue;
    }
    confirming = false;
    if (failing_cells == 0) {
      passed = true;
      // A secondary cell the published figures already determine (the grand
      // total beside regions that are all shown) protects nothing: showing
      // it changes nothing a reader can deduce, so it is shown.
      for (const auto& interval : result.intervals) {
        if (release_cell[interval.cell] == k_difference
            || (release_cell[interval.cell] & k_outside) != 0) {
          continue;
        }
        auto& cell = cells.cells[release_cell[interval.cell]];
        const auto value = static_cast<double>(cell.counts->records);
        if (cell.earlier == nullptr && cell.protect == Protect::none
            && !interval.unbounded
            && std::abs(interval.upper - interval.lower) < 1e-6
            && std::abs(interval.lower - value) < 1e-6) {
          cell.suppressed = false;
        }
      }
      break;
    }
    bool added = false;
    for (const auto& [variables, binding] : failing_differences) {
      if (auto next = difference_suppression(cells, variables, binding)) {
        cells.cells[*next].suppressed = true;
        added = true;
      }
    }
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
    pair_lonely_suppressions(cells, tabulation, rules.threshold);
  }
  summary.cells = static_cast<std::size_t>(
    std::count_if(cells.cells.begin(), cells.cells.end(), [](const auto& c) {
      return c.earlier == nullptr;
    }));
  summary.suppressed = static_cast<std::size_t>(
    std::count_if(cells.cells.begin(), cells.cells.end(), [](const auto& c) {
      return c.earlier == nullptr && c.suppressed;
    }));
  for (const auto& table : tabulation.tables) {
    if (table.earlier) {
      ++summary.earlier_tables;
    }
  }
  if (!passed) {
    return make_error(
      Errc::unsafe,
      fmt::format("stats: the disclosure audit still fails for {} protected "
                  "figure{} ({} cells suppressed, {} rounds); nothing was "
                  "written",
                  failing_cells,
                  failing_cells == 1 ? "" : "s",
                  summary.suppressed,
                  summary.rounds),
      Remedy::coarser_release);
  }

  StatsRelease release;
  release.threshold = rules.threshold;
  summary.already_disclosed = already_disclosed;
  release.audit = summary;
  for (std::size_t t = 0; t < tabulation.tables.size(); ++t) {
    const auto& table = tabulation.tables[t];
    if (table.earlier) {
      continue;
    }
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

json::Json
release_document(const Released<StatsRelease>& release,
                 const json::Json& selection,
                 std::uint64_t tree_size,
                 std::string_view format,
                 const std::optional<std::string>& output_sha256)
{
  json::Json tables = json::Json::array();
  for (const auto& table : release->tables) {
    json::Json cells = json::Json::array();
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      json::Json line = json::Json::array();
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        const auto& cell = table.cells[r * table.columns.size() + c];
        line.push_back(cell ? json::Json(*cell) : json::Json("x"));
      }
      cells.push_back(std::move(line));
    }
    tables.push_back(
      {{"id", table.spec.id},
       {"rows_dimension", std::string(stats::dimension_name(table.spec.rows))},
       {"columns_dimension",
        table.spec.columns
          ? json::Json(std::string(stats::dimension_name(*table.spec.columns)))
          : json::Json(nullptr)},
       {"rows", table.rows},
       {"columns", table.columns},
       {"cells", std::move(cells)}});
  }
  json::Json measures = json::Json::array();
  for (const auto& measure : release->measures) {
    measures.push_back(
      {{"id", measure.id},
       {"value",
        // Canonical JSON holds no floating point: a median as published.
        measure.value ? json::Json(fmt::format("{:g}", *measure.value))
                      : json::Json("x")}});
  }
  json::Json document = {
    {"kind", "stats"},
    {"tree_size", tree_size},
    {"threshold", release->threshold},
    {"method", release->method},
    {"selection", selection},
    {"tables", std::move(tables)},
    {"measures", std::move(measures)},
    {"output",
     {{"format", std::string(format)},
      {"sha256",
       output_sha256 ? json::Json(*output_sha256) : json::Json(nullptr)}}}};
  if (!release->p_table.is_null()) {
    document["p_table"] = release->p_table;
  }
  return document;
}

bool
same_release(const json::Json& a, const json::Json& b)
{
  auto figures = [](json::Json release) {
    if (release.is_object()) {
      release.erase("tree_size");
      release.erase("output");
    }
    return json::canonical(release);
  };
  return figures(a) == figures(b);
}

Result<std::uint64_t>
record_release(vault::Vault& vault, const json::Json& release)
{
  CUSTODY_ASSIGN(recipient, vault.recipient(vault::Compartment::facts));
  CUSTODY_ASSIGN(
    sealed,
    store::seal_document(vault.directory(),
                         json::Json{{"type", "release"}, {"release", release}},
                         recipient,
                         vault.current_epoch(vault::Compartment::facts)));
  CUSTODY_ASSIGN(appended, vault.append(ledger::Kind::release, {{sealed.ref}}));
  return appended.front().seq;
}

} // namespace custody::disclosure
