// Private to disclosure/: the exact point of a simplex basis, found from
// GLPK's floating-point factorisation, with no rational simplex.
//
// A basis of the audit's program fixes a point: its non-basic variables sit
// at their bounds (published values, a floor of 1, a ceiling of T, a
// variable at 0: all integers), and its basic ones solve B x_B = r, with B
// the basis matrix (columns of (I | -A), all entries 0 or +-1) and r an
// integer vector. That point is rational, but its denominator can be far
// beyond a double's reach: at 1,500 cells the bases of the audit's programs
// have a core of some 900 rows no triangular ordering removes.
//
// So x_B is found by iterative refinement (numeric lifting): solve in
// floating point with GLPK's factorisation of B (glp_ftran), round to
// integers z, and carry the exact integer residual 2^s (r - B z) into the
// next solve; after k steps sum_i z_i 2^(-i s) agrees with x_B to about
// k*s bits. A common denominator is then read off by continued fractions
// (rational reconstruction), and the numerators it gives are checked
// against B x_B = r in exact integer arithmetic (GMP). Floating point only
// proposes: the check decides, so a wrong proposal costs a failure, never a
// wrong point. Then every constraint of the audit (audit.hpp) is checked
// exactly at the point.
//
// What it is for: a basis GLPK ends at in floating point is the basis of an
// exact point, and that point, checked, is a witness (audit.cpp) that
// proves bounds exactly with no call to glp_exact, whose rational LU of the
// same basis costs seconds at these sizes.
#pragma once

#include <custody/disclosure/audit.hpp>

#include <cstdint>
#include <optional>
#include <vector>

struct glp_prob;

namespace custody::disclosure::detail {

// A cell's value at an exact point: exact enough to compare with any
// integer (value <= k iff ceiling <= k; value >= k iff floor >= k).
struct ExactValue
{
  std::uint64_t floor = 0;
  std::uint64_t ceiling = 0;
  // for reporting only
  double approximate = 0;
};

class VertexSolver
{
public:
  // `problem` is the one the GLPK programs passed to point() were built
  // from: row i+1 is cell i, column j+1 is variable j.
  explicit VertexSolver(const AuditProblem& problem);

  // The exact point of `lp`'s current basis, as each cell's value, when that
  // point meets every constraint of the audit's program (not the
  // program's own bounds, which may hold cells tighter). nullopt when it does
  // not, when a non-basic variable's bound is not an integer, or when the
  // refinement does not settle within its budget of bits.
  [[nodiscard]] std::optional<std::vector<ExactValue>> point(glp_prob* lp);

private:
  const AuditProblem& m_problem;
  // the cells holding each variable (CSR)
  std::vector<std::uint32_t> m_column_start;
  std::vector<std::uint32_t> m_column_cells;
};

} // namespace custody::disclosure::detail
