// The exact point of a simplex basis by iterative refinement and rational
// reconstruction (audit_vertex.hpp gives the method).
#include <custody/disclosure/audit_vertex.hpp>

#include <glpk.h>
#include <gmpxx.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace custody::disclosure::detail {

namespace {

__extension__ using Wide = __int128;

// Bits gained per refinement step. The residual carried to the next step is
// at most half a row's length times 2^s, and must stay exact as a double
// (2^53) and leave the float solve room to be right to within 1/2.
constexpr int k_step_bits = 20;
// A residual past this (before scaling) means the float solve has stopped
// converging.
constexpr Wide k_largest_residual = Wide{1} << 30;
// The most bits refined before giving up: a denominator up to about half of
// this is found.
constexpr int k_most_bits = 2048;
// Reconstruction is first tried with this many bits, then every step.
constexpr int k_first_try_bits = 100;
// Bounds of non-basic variables past this are not taken as integers.
constexpr double k_largest_bound = 0x1p52;
// A float solve's result past this cannot be rounded to an integer exactly.
constexpr double k_largest_float = 0x1p62;

// The value a non-basic variable of status `status` sits at, given its
// bounds.
double
nonbasic_value(int status, double lower, double upper)
{
  switch (status) {
  case GLP_NL:
  case GLP_NS:
    return lower;
  case GLP_NU:
    return upper;
  default:
    return 0.0;
  }
}

// An integer bound, as one; nullopt when it is not one.
std::optional<std::int64_t>
integer_bound(double value)
{
  if (!(std::abs(value) <= k_largest_bound) || std::floor(value) != value) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(value);
}

// The denominator of the best rational approximation of a / 2^bits (a in
// [0, 2^bits)) whose denominator is at most 2^most_bits, by the continued
// fraction of a / 2^bits.
mpz_class
denominator_of(const mpz_class& a, int bits, int most_bits)
{
  mpz_class numerator = a;
  mpz_class denominator = 1;
  denominator <<= bits;
  mpz_class limit = 1;
  limit <<= most_bits;
  // convergents' denominators q_{k-1}, q_k
  mpz_class before = 0;
  mpz_class current = 1;
  mpz_class quotient;
  mpz_class remainder;
  while (numerator != 0) {
    // denominator / numerator = quotient + remainder / numerator
    mpz_fdiv_qr(quotient.get_mpz_t(),
                remainder.get_mpz_t(),
                denominator.get_mpz_t(),
                numerator.get_mpz_t());
    mpz_class next = quotient * current + before;
    if (next > limit) {
      break;
    }
    before = current;
    current = next;
    denominator = numerator;
    numerator = remainder;
  }
  return current;
}

} // namespace

VertexSolver::VertexSolver(const AuditProblem& problem)
  : m_problem(problem),
    m_column_start(problem.variables + 1, 0)
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

std::optional<std::vector<ExactValue>>
VertexSolver::point(glp_prob* lp)
{
  const std::size_t rows = m_problem.cells.size();
  const std::size_t columns = m_problem.variables;
  if (static_cast<std::size_t>(glp_get_num_rows(lp)) != rows
      || static_cast<std::size_t>(glp_get_num_cols(lp)) != columns) {
    return std::nullopt;
  }
  if (glp_bf_exists(lp) == 0 && glp_factorize(lp) != 0) {
    return std::nullopt;
  }

  // Where each basic variable sits in the basis (-1: non-basic), and what
  // each non-basic one is fixed at.
  std::vector<int> row_position(rows, -1);
  std::vector<int> column_position(columns, -1);
  for (std::size_t k = 0; k < rows; ++k) {
    const int head = glp_get_bhead(lp, static_cast<int>(k) + 1);
    if (head <= static_cast<int>(rows)) {
      row_position[static_cast<std::size_t>(head - 1)] = static_cast<int>(k);
    } else {
      column_position[static_cast<std::size_t>(head) - rows - 1] =
        static_cast<int>(k);
    }
  }
  // B x_B = r, where r = -N x_N: a non-basic row (column e_i of (I | -A))
  // at its bound b_i gives -b_i in row i; a non-basic variable at v (column
  // -A_j) gives +v in each of its cells' rows.
  std::vector<std::int64_t> row_value(rows, 0);
  std::vector<std::int64_t> column_value(columns, 0);
  std::vector<Wide> residual(rows, 0);
  for (std::size_t i = 0; i < rows; ++i) {
    if (row_position[i] >= 0) {
      continue;
    }
    const int row = static_cast<int>(i) + 1;
    const auto bound = integer_bound(nonbasic_value(glp_get_row_stat(lp, row),
                                                    glp_get_row_lb(lp, row),
                                                    glp_get_row_ub(lp, row)));
    if (!bound) {
      return std::nullopt;
    }
    row_value[i] = *bound;
    residual[i] -= *bound;
  }
  for (std::size_t j = 0; j < columns; ++j) {
    if (column_position[j] >= 0) {
      continue;
    }
    const int column = static_cast<int>(j) + 1;
    const auto bound =
      integer_bound(nonbasic_value(glp_get_col_stat(lp, column),
                                   glp_get_col_lb(lp, column),
                                   glp_get_col_ub(lp, column)));
    if (!bound) {
      return std::nullopt;
    }
    column_value[j] = *bound;
    for (std::uint32_t e = m_column_start[j]; e < m_column_start[j + 1]; ++e) {
      residual[m_column_cells[e]] += *bound;
    }
  }
  // Each entry is below 2^52 times the cells' lengths: within a long.
  const std::vector<Wide> right_side = residual;
  for (const Wide right : right_side) {
    if (right >= (Wide{1} << 62) || right <= -(Wide{1} << 62)) {
      return std::nullopt;
    }
  }

  // B z, subtracted from `into`: a basic row adds z to its own row, a basic
  // variable -z to each of its cells' rows.
  const auto subtract_product = [&](const std::vector<std::int64_t>& z,
                                    std::vector<Wide>& into) {
    for (std::size_t i = 0; i < rows; ++i) {
      if (row_position[i] >= 0) {
        into[i] -= z[static_cast<std::size_t>(row_position[i])];
      }
    }
    for (std::size_t j = 0; j < columns; ++j) {
      if (column_position[j] < 0) {
        continue;
      }
      const std::int64_t value =
        z[static_cast<std::size_t>(column_position[j])];
      for (std::uint32_t e = m_column_start[j]; e < m_column_start[j + 1];
           ++e) {
        into[m_column_cells[e]] += value;
      }
    }
  };

  // x_B ~ sum / 2^bits, refined k_step_bits at a time.
  std::vector<mpz_class> sum(rows);
  std::vector<double> work(rows + 1);
  std::vector<std::int64_t> z(rows);
  int bits = 0;
  mpz_class denominator;
  std::vector<mpz_class> numerators(rows);

  // Whether a common denominator and numerators for `sum` satisfy
  // B x = right_side exactly; on success they are in denominator and
  // numerators.
  const auto reconstruct = [&]() -> bool {
    denominator = 1;
    mpz_class scaled;
    mpz_class remainder;
    mpz_class half;
    mpz_ui_pow_ui(half.get_mpz_t(), 2, static_cast<unsigned long>(bits - 1));
    mpz_class modulus = half * 2;
    const int tolerance_bits = bits / 2;
    const int most_bits = bits / 2 - 24;
    for (std::size_t k = 0; k < rows; ++k) {
      scaled = denominator * sum[k];
      mpz_fdiv_r_2exp(remainder.get_mpz_t(),
                      scaled.get_mpz_t(),
                      static_cast<mp_bitcnt_t>(bits));
      mpz_class distance = remainder > half ? modulus - remainder : remainder;
      if (mpz_sizeinbase(distance.get_mpz_t(), 2)
            <= static_cast<std::size_t>(tolerance_bits)
          || distance == 0) {
        continue;
      }
      const int room =
        most_bits
        - static_cast<int>(mpz_sizeinbase(denominator.get_mpz_t(), 2));
      if (room <= 0) {
        return false;
      }
      const mpz_class q = denominator_of(remainder, bits, room);
      if (q <= 1) {
        return false;
      }
      denominator *= q;
    }
    for (std::size_t k = 0; k < rows; ++k) {
      scaled = denominator * sum[k] + half;
      mpz_fdiv_q_2exp(numerators[k].get_mpz_t(),
                      scaled.get_mpz_t(),
                      static_cast<mp_bitcnt_t>(bits));
    }
    // B N == D r, row by row.
    std::vector<mpz_class> product(rows);
    for (std::size_t i = 0; i < rows; ++i) {
      if (row_position[i] >= 0) {
        product[i] = numerators[static_cast<std::size_t>(row_position[i])];
      }
      for (const std::uint32_t variable : m_problem.cells[i].variables) {
        if (column_position[variable] >= 0) {
          product[i] -=
            numerators[static_cast<std::size_t>(column_position[variable])];
        }
      }
      mpz_class wanted = denominator;
      wanted *= static_cast<long>(right_side[i]);
      if (product[i] != wanted) {
        return false;
      }
    }
    return true;
  };

  bool solved = false;
  for (int step = 0; !solved; ++step) {
    for (std::size_t i = 0; i < rows; ++i) {
      work[i + 1] = static_cast<double>(residual[i]);
    }
    glp_ftran(lp, work.data());
    for (std::size_t k = 0; k < rows; ++k) {
      const double value = std::nearbyint(work[k + 1]);
      if (!(std::abs(value) < k_largest_float)) {
        return std::nullopt;
      }
      z[k] = static_cast<std::int64_t>(value);
    }
    if (step > 0) {
      for (auto& value : sum) {
        value <<= k_step_bits;
      }
      bits += k_step_bits;
    }
    for (std::size_t k = 0; k < rows; ++k) {
      sum[k] += static_cast<long>(z[k]);
    }
    subtract_product(z, residual);
    const bool exact = std::all_of(
      residual.begin(), residual.end(), [](Wide r) { return r == 0; });
    if (exact) {
      // sum / 2^bits is the point itself
      denominator = 1;
      denominator <<= bits;
      numerators = sum;
      break;
    }
    const bool diverging =
      std::any_of(residual.begin(), residual.end(), [](Wide r) {
        return r > k_largest_residual || r < -k_largest_residual;
      });
    if (diverging || bits + k_step_bits > k_most_bits) {
      return std::nullopt;
    }
    if (bits >= k_first_try_bits) {
      solved = reconstruct();
    }
    for (auto& r : residual) {
      r *= Wide{1} << k_step_bits;
    }
  }

  // The point: each variable's value and each cell's, over `denominator`.
  std::vector<ExactValue> cells(rows);
  mpz_class value;
  mpz_class low;
  mpz_class high;
  for (std::size_t j = 0; j < columns; ++j) {
    const bool negative =
      column_position[j] >= 0
        ? numerators[static_cast<std::size_t>(column_position[j])] < 0
        : column_value[j] < 0;
    if (negative) {
      return std::nullopt;
    }
  }
  for (std::size_t i = 0; i < rows; ++i) {
    const AuditCell& cell = m_problem.cells[i];
    if (row_position[i] >= 0) {
      value = numerators[static_cast<std::size_t>(row_position[i])];
    } else {
      value = denominator;
      value *= static_cast<long>(row_value[i]);
    }
    if (value < 0) {
      return std::nullopt;
    }
    if (!cell.hidden) {
      if (cell.suppressed) {
        if (value < denominator) {
          return std::nullopt;
        }
      } else {
        const std::uint64_t least =
          cell.value > cell.slack ? cell.value - cell.slack : 0;
        low = denominator;
        low *= static_cast<unsigned long>(least);
        high = denominator;
        high *= static_cast<unsigned long>(cell.value + cell.slack);
        if (value < low || value > high) {
          return std::nullopt;
        }
      }
    }
    mpz_class floor;
    mpz_class ceiling;
    mpz_fdiv_q(floor.get_mpz_t(), value.get_mpz_t(), denominator.get_mpz_t());
    mpz_cdiv_q(ceiling.get_mpz_t(), value.get_mpz_t(), denominator.get_mpz_t());
    if (!mpz_fits_ulong_p(ceiling.get_mpz_t())) {
      return std::nullopt;
    }
    cells[i].floor = mpz_get_ui(floor.get_mpz_t());
    cells[i].ceiling = mpz_get_ui(ceiling.get_mpz_t());
    mpq_class ratio(value, denominator);
    ratio.canonicalize();
    cells[i].approximate = ratio.get_d();
  }
  return cells;
}

} // namespace custody::disclosure::detail
