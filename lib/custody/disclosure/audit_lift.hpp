// Private to disclosure/: exact witnesses for the audit without rational
// arithmetic, lifted from a floating-point point and the true counts.
//
// The argument. Let F be the audit's feasible set (audit.hpp) and t the true
// counts, an integer point checked to lie in F. For a small eta = 2^-24 and
// any p, the point q = (p + eta*t) / (1 + eta) lies in F when
//   - p meets every published cell exactly (then so does q, since t does),
//   - p_j >= -eta*t_j for every variable (then q_j >= 0), and
//   - every other bound [lo, hi] of a cell holds for p widened by eta times
//     t's distance from it: lo - eta*(sum_t - lo) <= sum_p
//     <= hi + eta*(hi - sum_t).
// Because every t_j is at least 1 and the widening is in p's favour, a
// simplex vertex p (whose variables sit at 0 and whose rows sit at their
// bounds) has room in every direction the rounding can push it, except on the
// rows that t sits on too. So the vertex is rounded to a grid of 2^-64, its
// rows that must hold exactly (published cells, and bounds t also sits on)
// are corrected exactly in integers by a triangular system of unit pivots,
// and q is checked against every constraint in 128-bit integers. No rational
// number is formed, and a check that fails only means no witness: the caller
// falls back to an exact solve.
//
// What a lifted point proves: a cell whose q is at most its lower target
// (1) can take that value; one whose q is at least T can take T. To land q
// exactly on 1, the program that found p holds the cell at its widened lower
// bound 1 - eta*(t_c - 1) instead of 1 (relaxed_floor): q_c is then exactly 1.
#pragma once

#include <custody/disclosure/audit.hpp>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace custody::disclosure::detail {

// eta = 2^-k_lift_shift
constexpr int k_lift_shift = 24;

// The widened lower bound of a suppressed cell whose true count is
// `true_count` (at least 1): what the program holds the cell at so that its
// lifted value is exactly 1. Exact as a double.
double relaxed_floor(std::uint64_t true_count);

// The raised ceiling of a suppressed cell: what a program holds the cell at
// most at so that its lifted value is exactly T. Exact as a double.
double raised_ceiling(std::uint64_t true_count, std::uint64_t threshold);

class Lifter
{
public:
  // `problem.known` must meet every constraint (Witnesses::offer_known
  // checks that first); `true_sums` holds each cell's sum of it.
  Lifter(const AuditProblem& problem, std::vector<std::uint64_t> true_sums);

  // The lifted point of `point` (one value per variable), as each cell's
  // value: nullopt when the correction or the exact check fails.
  [[nodiscard]] std::optional<std::vector<double>>
  lift(const std::vector<double>& point);

  // After a successful lift: cell i's lifted value is at most `target`
  // (exactly).
  [[nodiscard]] bool at_most(std::size_t i, std::uint64_t target) const;
  // ... at least `target` (exactly).
  [[nodiscard]] bool at_least(std::size_t i, std::uint64_t target) const;

private:
  __extension__ using Wide = __int128;

  [[nodiscard]] bool correct(const std::vector<bool>& targeted,
                             const std::vector<Wide>& target,
                             std::vector<Wide>& p) const;

  const AuditProblem& m_problem;
  // the cells holding each variable (CSR)
  std::vector<std::uint32_t> m_column_start;
  std::vector<std::uint32_t> m_column_cells;
  // each cell's sum of the true counts
  std::vector<std::uint64_t> m_true_sums;

  // scratch, and the last lift's scaled cell sums of q * (1 + eta)
  std::vector<Wide> m_sums;
};

} // namespace custody::disclosure::detail
