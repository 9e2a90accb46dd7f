// Exact witnesses lifted from a float point and the true counts
// (audit_lift.hpp gives the argument).
#include <custody/disclosure/audit_lift.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace custody::disclosure::detail {

namespace {

// p is held in units of 2^-k_scale: fine enough that rounding a double
// vertex to it moves each value by far less than eta, coarse enough that a
// cell's sum fits 128 bits (values up to 2^32, cells of up to 2^29
// variables).
constexpr int k_scale = 64;
constexpr double k_largest_value = 0x1p32;
// How many of the shortest equations a pivot is looked for in.
constexpr std::size_t k_markowitz_rows = 4;

} // namespace

double
relaxed_floor(std::uint64_t true_count)
{
  return 1.0
         - std::ldexp(static_cast<double>(true_count > 0 ? true_count - 1 : 0),
                      -k_lift_shift);
}

double
raised_ceiling(std::uint64_t true_count, std::uint64_t threshold)
{
  const std::uint64_t below =
    threshold > true_count ? threshold - true_count : 0;
  return static_cast<double>(threshold)
         + std::ldexp(static_cast<double>(below), -k_lift_shift);
}

Lifter::Lifter(const AuditProblem& problem,
               std::vector<std::uint64_t> true_sums)
  : m_problem(problem),
    m_column_start(problem.variables + 1, 0),
    m_true_sums(std::move(true_sums))
{
  for (const AuditCell& cell : problem.cells) {
    for (const std::uint32_t variable : cell.variables) {
      ++m_column_start[variable + 1];
    }
  }
  for (std::size_t j = 0; j < problem.variables; ++j) {
    m_column_start[j + 1] += m_column_start[j];
  }
  m_column_cells.resize(m_column_start.back());
  std::vector<std::uint32_t> next(m_column_start.begin(),
                                  m_column_start.end() - 1);
  for (std::size_t i = 0; i < problem.cells.size(); ++i) {
    for (const std::uint32_t variable : problem.cells[i].variables) {
      m_column_cells[next[variable]++] = static_cast<std::uint32_t>(i);
    }
  }
}

// Solves the targeted rows for a correction d of p, exactly, by Gaussian
// elimination that pivots only on entries of +-1: every row operation then
// adds an integer multiple of a row, so d comes out in integers (units of
// 2^-64) with no rational number formed. Pivots are chosen for little
// fill-in: a variable left in one row first (the triangular part of a table's
// cells costs nothing), then the shortest row. A row eliminated to nothing
// was implied by the others and must then be met already. False when the
// elimination finds no unit pivot, the coefficients grow past 2^40, a
// residual or a correction past 2^-8, or an implied row is not met.
bool
Lifter::correct(const std::vector<bool>& targeted,
                const std::vector<Wide>& target,
                std::vector<Wide>& p) const
{
  struct Entry
  {
    std::uint32_t column;
    std::int64_t value;
  };
  constexpr std::int64_t k_largest_coefficient = std::int64_t{1} << 40;
  // A rounding moves a value by far less than 2^-8; a residual or a
  // correction beyond it means no witness near this point, and holding them
  // there keeps every sum and product below 2^127.
  const Wide largest_correction = Wide{1} << (k_scale - 8);
  const auto too_large = [&](Wide value) {
    return value > largest_correction || value < -largest_correction;
  };
  std::vector<std::vector<Entry>> equations;
  std::vector<Wide> rhs;
  for (std::size_t i = 0; i < m_problem.cells.size(); ++i) {
    if (!targeted[i]) {
      continue;
    }
    std::vector<Entry> equation;
    Wide s = 0;
    for (const std::uint32_t variable : m_problem.cells[i].variables) {
      equation.push_back({variable, 1});
      s += p[variable];
    }
    equations.push_back(std::move(equation));
    rhs.push_back(target[i] - s);
    if (too_large(rhs.back())) {
      return false;
    }
  }
  const std::size_t count = equations.size();
  std::vector<std::vector<std::uint32_t>> holding(m_problem.variables);
  std::vector<std::uint32_t> held(m_problem.variables, 0);
  for (std::size_t e = 0; e < count; ++e) {
    for (const Entry& entry : equations[e]) {
      holding[entry.column].push_back(static_cast<std::uint32_t>(e));
      ++held[entry.column];
    }
  }
  std::vector<std::uint32_t> singles;
  for (std::size_t j = 0; j < held.size(); ++j) {
    if (held[j] == 1) {
      singles.push_back(static_cast<std::uint32_t>(j));
    }
  }
  const auto coefficient = [&](std::size_t e, std::uint32_t column) {
    const auto& equation = equations[e];
    const auto it = std::lower_bound(
      equation.begin(), equation.end(), column, [](const Entry& a, auto c) {
        return a.column < c;
      });
    return it != equation.end() && it->column == column ? it->value
                                                        : std::int64_t{0};
  };
  std::vector<bool> active(count, true);
  std::size_t remaining = count;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pivots;
  std::vector<Entry> merged;
  const auto retire = [&](std::size_t e) {
    active[e] = false;
    --remaining;
    for (const Entry& entry : equations[e]) {
      if (--held[entry.column] == 1) {
        singles.push_back(entry.column);
      }
    }
  };
  while (remaining > 0) {
    std::optional<std::pair<std::uint32_t, std::uint32_t>> pivot;
    while (!pivot && !singles.empty()) {
      const std::uint32_t column = singles.back();
      singles.pop_back();
      if (held[column] != 1) {
        continue;
      }
      for (const std::uint32_t e : holding[column]) {
        if (active[e]) {
          const std::int64_t value = coefficient(e, column);
          if (value == 1 || value == -1) {
            pivot.emplace(e, column);
          }
          if (value != 0) {
            break;
          }
        }
      }
    }
    if (!pivot) {
      // Markowitz's rule over the few shortest equations: the unit entry
      // whose elimination fills in least, (length - 1) * (held - 1); an
      // equation eliminated to nothing was implied and must be met.
      std::vector<std::pair<std::size_t, std::uint32_t>> shortest;
      for (std::size_t e = 0; e < count; ++e) {
        if (!active[e]) {
          continue;
        }
        if (equations[e].empty()) {
          if (rhs[e] != 0) {
            return false;
          }
          active[e] = false;
          --remaining;
          continue;
        }
        shortest.emplace_back(equations[e].size(),
                              static_cast<std::uint32_t>(e));
      }
      if (shortest.empty()) {
        break;
      }
      std::sort(shortest.begin(), shortest.end());
      std::optional<
        std::pair<std::uint64_t, std::pair<std::uint32_t, std::uint32_t>>>
        best;
      std::size_t looked = 0;
      for (const auto& [length, e] : shortest) {
        bool unit = false;
        for (const Entry& entry : equations[e]) {
          if (entry.value != 1 && entry.value != -1) {
            continue;
          }
          unit = true;
          const std::uint64_t cost =
            static_cast<std::uint64_t>(length - 1) * (held[entry.column] - 1);
          if (!best || cost < best->first) {
            best.emplace(cost, std::make_pair(e, entry.column));
          }
        }
        if (unit && ++looked == k_markowitz_rows) {
          break;
        }
      }
      if (!best) {
        return false;
      }
      pivot = best->second;
    }
    const auto [row, column] = *pivot;
    const std::int64_t unit = coefficient(row, column);
    // eliminate the column from every other active equation
    const std::vector<std::uint32_t> others = holding[column];
    for (const std::uint32_t e : others) {
      if (e == row || !active[e]) {
        continue;
      }
      const std::int64_t factor = coefficient(e, column) * unit;
      if (factor == 0) {
        continue;
      }
      merged.clear();
      const auto& mine = equations[e];
      const auto& theirs = equations[row];
      std::size_t a = 0;
      std::size_t b = 0;
      while (a < mine.size() || b < theirs.size()) {
        if (b == theirs.size()
            || (a < mine.size() && mine[a].column < theirs[b].column)) {
          merged.push_back(mine[a++]);
          continue;
        }
        if (a == mine.size() || theirs[b].column < mine[a].column) {
          const std::int64_t value = -factor * theirs[b].value;
          if (std::abs(value) > k_largest_coefficient) {
            return false;
          }
          merged.push_back({theirs[b].column, value});
          holding[theirs[b].column].push_back(e);
          ++held[theirs[b].column];
          ++b;
          continue;
        }
        const std::int64_t value = mine[a].value - factor * theirs[b].value;
        if (std::abs(value) > k_largest_coefficient) {
          return false;
        }
        if (value != 0) {
          merged.push_back({mine[a].column, value});
        } else if (--held[mine[a].column] == 1) {
          singles.push_back(mine[a].column);
        }
        ++a;
        ++b;
      }
      equations[e].swap(merged);
      rhs[e] -= static_cast<Wide>(factor) * rhs[row];
      if (too_large(rhs[e])) {
        return false;
      }
    }
    pivots.emplace_back(row, column);
    retire(row);
  }
  // Back substitution, last pivot first: a pivot equation holds only its
  // own pivot and the columns of equations pivoted after it; the other
  // columns stay as they are.
  std::vector<Wide> correction(m_problem.variables, 0);
  std::reverse(pivots.begin(), pivots.end());
  for (const auto& [row, column] : pivots) {
    Wide s = rhs[row];
    std::int64_t unit = 0;
    for (const Entry& entry : equations[row]) {
      if (entry.column == column) {
        unit = entry.value;
      } else {
        s -= static_cast<Wide>(entry.value) * correction[entry.column];
      }
    }
    correction[column] = s * unit;
    if (too_large(correction[column])) {
      return false;
    }
  }
  for (std::size_t j = 0; j < p.size(); ++j) {
    p[j] += correction[j];
  }
  return true;
}

std::optional<std::vector<double>>
Lifter::lift(const std::vector<double>& point)
{
  const std::size_t columns = m_problem.variables;
  const std::size_t rows = m_problem.cells.size();
  if (point.size() != columns) {
    return std::nullopt;
  }
  const Wide one = Wide{1} << k_scale;
  const Wide eta = Wide{1} << (k_scale - k_lift_shift);
  // How close to a bound a row must be to be corrected onto it: well below
  // the room eta leaves every other row.
  const Wide near = eta >> 2;
  constexpr Wide unbounded = std::numeric_limits<Wide>::max();

  std::vector<Wide> p(columns);
  for (std::size_t j = 0; j < columns; ++j) {
    if (!(std::abs(point[j]) <= k_largest_value)) {
      return std::nullopt;
    }
    p[j] = static_cast<Wide>(std::nearbyint(std::ldexp(point[j], k_scale)));
  }

  // What p's sum must meet for q to meet the cell's own constraint, and
  // the rows to correct exactly: those on a bound that t sits on too (a
  // published cell, a suppressed one of 1 at its floor), and a suppressed
  // cell held at its relaxed floor or raised ceiling, so that q puts it at
  // exactly 1 or T.
  std::vector<bool> targeted(rows, false);
  std::vector<Wide> target(rows, 0);
  for (std::size_t i = 0; i < rows; ++i) {
    const AuditCell& cell = m_problem.cells[i];
    const auto true_sum = static_cast<Wide>(m_true_sums[i]);
    Wide s = 0;
    for (const std::uint32_t variable : cell.variables) {
      s += p[variable];
    }
    Wide low = -unbounded;
    Wide high = unbounded;
    Wide ceiling = unbounded;
    if (cell.suppressed) {
      const Wide threshold = m_problem.threshold;
      ceiling = threshold * one + std::max<Wide>(threshold - true_sum, 0) * eta;
      if (!cell.hidden) {
        low = one - (true_sum - 1) * eta;
      }
    } else {
      const Wide lo = cell.value > cell.slack ? cell.value - cell.slack : 0;
      const Wide hi = static_cast<Wide>(cell.value) + cell.slack;
      low = lo * one - (true_sum - lo) * eta;
      high = hi * one + (hi - true_sum) * eta;
    }
    const auto on = [&](Wide bound) {
      return bound != unbounded && bound != -unbounded && s > bound - near
             && s < bound + near;
    };
    if (on(low) || (low != -unbounded && s < low)) {
      targeted[i] = true;
      target[i] = low;
    } else if (on(high) || (high != unbounded && s > high)) {
      targeted[i] = true;
      target[i] = high;
    } else if (on(ceiling)) {
      targeted[i] = true;
      target[i] = ceiling;
    }
  }

  // Correct the targeted rows exactly.
  if (!correct(targeted, target, p)) {
    return std::nullopt;
  }

  // The exact check of q * (1 + eta) * 2^64 = p + eta * t.
  const Wide scaled_one = one + eta;
  for (std::size_t j = 0; j < columns; ++j) {
    p[j] += static_cast<Wide>(m_problem.known[j]) * eta;
    if (p[j] < 0) {
      return std::nullopt;
    }
  }
  m_sums.assign(rows, 0);
  std::vector<double> values(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    const AuditCell& cell = m_problem.cells[i];
    Wide s = 0;
    for (const std::uint32_t variable : cell.variables) {
      s += p[variable];
    }
    m_sums[i] = s;
    if (!cell.hidden) {
      if (cell.suppressed) {
        if (s < scaled_one) {
          return std::nullopt;
        }
      } else {
        const Wide lo = cell.value > cell.slack ? cell.value - cell.slack : 0;
        const Wide hi = static_cast<Wide>(cell.value) + cell.slack;
        if (s < lo * scaled_one || s > hi * scaled_one) {
          return std::nullopt;
        }
      }
    }
    values[i] = static_cast<double>(s)
                / std::ldexp(1.0 + std::ldexp(1.0, -k_lift_shift), k_scale);
  }
  return values;
}

bool
Lifter::at_most(std::size_t i, std::uint64_t target) const
{
  const Wide scaled_one =
    (Wide{1} << k_scale) + (Wide{1} << (k_scale - k_lift_shift));
  return m_sums[i] <= static_cast<Wide>(target) * scaled_one;
}

bool
Lifter::at_least(std::size_t i, std::uint64_t target) const
{
  const Wide scaled_one =
    (Wide{1} << k_scale) + (Wide{1} << (k_scale - k_lift_shift));
  return m_sums[i] >= static_cast<Wide>(target) * scaled_one;
}

} // namespace custody::disclosure::detail
