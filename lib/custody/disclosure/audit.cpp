// The disclosure audit's two LPs per suppressed cell, solved with GLPK
// (audit.hpp gives the model).
#include <custody/disclosure/audit.hpp>

#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <memory>
#include <string>

namespace custody::disclosure {

namespace {

// GLPK's own limits (its prob.h): beyond them glp_add_rows and the rest stop
// the process instead of returning, so the input is held to them first.
constexpr std::size_t k_max_rows = 100'000'000;
constexpr std::size_t k_max_columns = 100'000'000;
constexpr std::size_t k_max_nonzeros = 500'000'000;
// A published bound must be exact as a double.
constexpr std::uint64_t k_max_exact = std::uint64_t{1} << 53;
// How far a float bound may be from 1 or T and still be read as it: the
// simplex's values carry rounding, the exact solver's do not.
constexpr double k_tolerance = 1e-9;

struct ProblemDeleter
{
  void
  operator()(glp_prob* lp) const
  {
    glp_delete_prob(lp);
  }
};
using LpProblem = std::unique_ptr<glp_prob, ProblemDeleter>;

// GLPK's terminal output off for the audit, and back as it was after: the
// library prints nothing, and leaves the setting as it found it.
class TerminalOff
{
public:
  TerminalOff()
    : m_previous(glp_term_out(GLP_OFF))
  {
  }
  TerminalOff(const TerminalOff&) = delete;
  TerminalOff& operator=(const TerminalOff&) = delete;
  ~TerminalOff()
  {
    glp_term_out(m_previous);
  }

private:
  int m_previous;
};

tl::unexpected<Error>
invalid(std::string message)
{
  return make_error(Errc::invalid_input,
                    std::move(message),
                    "the audit's caller builds the cells from the release's "
                    "tables; this is a fault in that code");
}

Result<void>
validate(const AuditProblem& problem)
{
  if (problem.variables > k_max_columns) {
    return invalid(fmt::format("{} variables, more than the {} the solver "
                               "takes",
                               problem.variables,
                               k_max_columns));
  }
  if (problem.cells.size() > k_max_rows) {
    return invalid(fmt::format("{} cells, more than the {} the solver takes",
                               problem.cells.size(),
                               k_max_rows));
  }
  std::size_t nonzeros = 0;
  for (std::size_t i = 0; i < problem.cells.size(); ++i) {
    const AuditCell& cell = problem.cells[i];
    if (cell.variables.empty()) {
      return invalid(fmt::format("cell {} is the sum of no variable", i));
    }
    for (std::size_t k = 0; k < cell.variables.size(); ++k) {
      const std::uint32_t variable = cell.variables[k];
      if (variable >= problem.variables) {
        return invalid(fmt::format("cell {} names variable {}, but there are "
                                   "{} variables",
                                   i,
                                   variable,
                                   problem.variables));
      }
      if (k > 0 && variable <= cell.variables[k - 1]) {
        return invalid(fmt::format("cell {}'s variables are not sorted "
                                   "without duplicates (variable {} after {})",
                                   i,
                                   variable,
                                   cell.variables[k - 1]));
      }
    }
    nonzeros += cell.variables.size();
    if (nonzeros > k_max_nonzeros) {
      return invalid(fmt::format("more than {} variables in all the cells, "
                                 "more than the solver takes",
                                 k_max_nonzeros));
    }
    if (cell.hidden && !cell.suppressed) {
      return invalid(fmt::format("cell {} is hidden but not suppressed", i));
    }
    if (cell.primary && !cell.suppressed) {
      return invalid(
        fmt::format("cell {} is marked primary but is published", i));
    }
    if (!cell.suppressed
        && (cell.value > k_max_exact
            || cell.slack > k_max_exact - cell.value)) {
      return invalid(fmt::format("cell {}: {}±{} is beyond 2^53, which the "
                                 "solver cannot hold exactly",
                                 i,
                                 cell.value,
                                 cell.slack));
    }
  }
  return {};
}

// One glp_prob: a column per x_j (>= 0), a row per cell.
LpProblem
build(const AuditProblem& problem)
{
  LpProblem lp(glp_create_prob());
  const int columns = static_cast<int>(problem.variables);
  const int rows = static_cast<int>(problem.cells.size());
  glp_add_cols(lp.get(), columns);
  for (int j = 1; j <= columns; ++j) {
    glp_set_col_bnds(lp.get(), j, GLP_LO, 0.0, 0.0);
  }
  glp_add_rows(lp.get(), rows);
  std::vector<int> index;
  std::vector<double> coefficient;
  for (int i = 1; i <= rows; ++i) {
    const AuditCell& cell = problem.cells[static_cast<std::size_t>(i - 1)];
    // GLPK's arrays start at 1; element 0 is not read.
    index.assign(cell.variables.size() + 1, 0);
    coefficient.assign(cell.variables.size() + 1, 1.0);
    for (std::size_t k = 0; k < cell.variables.size(); ++k) {
      index[k + 1] = static_cast<int>(cell.variables[k]) + 1;
    }
    glp_set_mat_row(lp.get(),
                    i,
                    static_cast<int>(cell.variables.size()),
                    index.data(),
                    coefficient.data());
    if (cell.hidden) {
      glp_set_row_bnds(lp.get(), i, GLP_FR, 0.0, 0.0);
    } else if (cell.suppressed) {
      glp_set_row_bnds(lp.get(), i, GLP_LO, 1.0, 0.0);
    } else if (cell.slack == 0) {
      const auto value = static_cast<double>(cell.value);
      glp_set_row_bnds(lp.get(), i, GLP_FX, value, value);
    } else {
      const std::uint64_t low =
        cell.value > cell.slack ? cell.value - cell.slack : 0;
      glp_set_row_bnds(lp.get(),
                       i,
                       GLP_DB,
                       static_cast<double>(low),
                       static_cast<double>(cell.value + cell.slack));
    }
  }
  return lp;
}

enum class Outcome {
  optimal,
  unbounded,
  infeasible,
};

Result<Outcome>
outcome(glp_prob* lp, const char* solver)
{
  switch (glp_get_status(lp)) {
  case GLP_OPT:
    return Outcome::optimal;
  case GLP_UNBND:
    return Outcome::unbounded;
  case GLP_NOFEAS:
    return Outcome::infeasible;
  default:
    return fail(Errc::internal,
                "GLPK's {} ended with status {}",
                solver,
                glp_get_status(lp));
  }
}

// The solves of one audit: the first with GLPK's presolver, the rest from the
// last basis (warm starts).
class Solver
{
public:
  Solver(glp_prob* lp, std::uint64_t& lps)
    : m_lp(lp),
      m_lps(lps)
  {
  }

  Result<Outcome>
  simplex()
  {
    glp_smcp parameters;
    glp_init_smcp(&parameters);
    parameters.msg_lev = GLP_MSG_OFF;
    parameters.presolve = m_first ? GLP_ON : GLP_OFF;
    int code = glp_simplex(m_lp, &parameters);
    ++m_lps;
    if (!m_first
        && (code == GLP_EBADB || code == GLP_ESING || code == GLP_ECOND)) {
      // the last basis cannot be factorised: start again from the standard
      // one
      glp_std_basis(m_lp);
      code = glp_simplex(m_lp, &parameters);
      ++m_lps;
    }
    const bool presolved = m_first;
    m_first = false;
    if (presolved && code == GLP_ENOPFS) {
      return Outcome::infeasible;
    }
    if (code != 0) {
      return fail(Errc::internal, "GLPK's simplex failed with code {}", code);
    }
    return outcome(m_lp, "simplex");
  }

  // The same LP in rational arithmetic, from the current (float optimal)
  // basis.
  Result<Outcome>
  exact()
  {
    glp_smcp parameters;
    glp_init_smcp(&parameters);
    parameters.msg_lev = GLP_MSG_OFF;
    const int code = glp_exact(m_lp, &parameters);
    ++m_lps;
    if (code != 0) {
      return fail(
        Errc::internal, "GLPK's exact simplex failed with code {}", code);
    }
    return outcome(m_lp, "exact simplex");
  }

private:
  glp_prob* m_lp;
  std::uint64_t& m_lps;
  bool m_first = true;
};

// The published cells whose rows are at a bound with a nonzero dual in the
// current optimal basis.
std::vector<std::size_t>
binding_cells(glp_prob* lp, const AuditProblem& problem)
{
  std::vector<std::size_t> cells;
  for (std::size_t i = 0; i < problem.cells.size(); ++i) {
    const int row = static_cast<int>(i) + 1;
    if (problem.cells[i].suppressed || glp_get_row_stat(lp, row) == GLP_BS) {
      continue;
    }
    if (std::abs(glp_get_row_dual(lp, row)) > k_tolerance) {
      cells.push_back(i);
    }
  }
  return cells;
}

// The objective: the sum of `cell`'s variables, in place of `previous`'s.
void
set_objective(glp_prob* lp, const AuditCell* previous, const AuditCell& cell)
{
  if (previous != nullptr) {
    for (const std::uint32_t variable : previous->variables) {
      glp_set_obj_coef(lp, static_cast<int>(variable) + 1, 0.0);
    }
  }
  for (const std::uint32_t variable : cell.variables) {
    glp_set_obj_coef(lp, static_cast<int>(variable) + 1, 1.0);
  }
}

// One bound of a cell: the LP's outcome, its value and what binds it.
struct Bound
{
  Outcome outcome = Outcome::optimal;
  double value = 0;
  std::vector<std::size_t> binding;
};

Result<Bound>
solve_bound(glp_prob* lp,
            const AuditProblem& problem,
            Solver& solver,
            int direction,
            bool exact)
{
  glp_set_obj_dir(lp, direction);
  Bound bound;
  CUSTODY_ASSIGN(floated, solver.simplex());
  bound.outcome = floated;
  if (exact && floated != Outcome::infeasible) {
    CUSTODY_ASSIGN(rational, solver.exact());
    bound.outcome = rational;
  }
  if (bound.outcome == Outcome::optimal) {
    bound.value = glp_get_obj_val(lp);
    bound.binding = binding_cells(lp, problem);
  }
  return bound;
}

AuditResult
infeasible_result(const AuditProblem& problem, std::uint64_t lps)
{
  AuditResult result;
  result.infeasible = true;
  result.lps = lps;
  result.failing = static_cast<std::size_t>(std::count_if(
    problem.cells.begin(), problem.cells.end(), [](const AuditCell& cell) {
      return cell.primary;
    }));
  return result;
}

} // namespace

Result<AuditResult>
audit(const AuditProblem& problem, const AuditOptions& options)
{
  CUSTODY_TRY(validate(problem));
  AuditResult result;
  if (problem.cells.empty()) {
    return result;
  }
  const TerminalOff quiet;
  const LpProblem lp = build(problem);
  Solver solver(lp.get(), result.lps);

  const AuditCell* previous = nullptr;
  for (std::size_t i = 0; i < problem.cells.size(); ++i) {
    const AuditCell& cell = problem.cells[i];
    if (!cell.suppressed) {
      continue;
    }
    set_objective(lp.get(), previous, cell);
    previous = &cell;
    const bool exact = options.confirm_exact && cell.primary;

    CUSTODY_ASSIGN(low, solve_bound(lp.get(), problem, solver, GLP_MIN, exact));
    if (low.outcome == Outcome::infeasible) {
      return infeasible_result(problem, result.lps);
    }
    if (low.outcome == Outcome::unbounded) {
      return fail(Errc::internal,
                  "the least value of cell {}, a sum of non-negative "
                  "variables, was found unbounded",
                  i);
    }
    CUSTODY_ASSIGN(high,
                   solve_bound(lp.get(), problem, solver, GLP_MAX, exact));
    if (high.outcome == Outcome::infeasible) {
      return infeasible_result(problem, result.lps);
    }

    CellInterval interval;
    interval.cell = i;
    interval.lower = low.value;
    interval.unbounded = high.outcome == Outcome::unbounded;
    interval.upper =
      interval.unbounded ? std::numeric_limits<double>::infinity() : high.value;
    interval.exact = exact;
    if (cell.primary) {
      const double tolerance = exact ? 0.0 : k_tolerance;
      bool lower_fails = interval.lower > 1.0 + tolerance;
      bool upper_fails =
        !interval.unbounded
        && interval.upper < static_cast<double>(problem.threshold) - tolerance;
      if (cell.hidden) {
        // Disclosed only when known to be non-empty and below T.
        const bool known_present = interval.lower > tolerance;
        lower_fails = known_present && upper_fails;
        upper_fails = lower_fails;
      }
      interval.passes = !lower_fails && !upper_fails;
      if (lower_fails) {
        interval.binding = low.binding;
      }
      if (upper_fails) {
        std::vector<std::size_t> both;
        std::set_union(interval.binding.begin(),
                       interval.binding.end(),
                       high.binding.begin(),
                       high.binding.end(),
                       std::back_inserter(both));
        interval.binding = std::move(both);
      }
      if (!interval.passes) {
        ++result.failing;
      }
    }
    result.intervals.push_back(std::move(interval));
  }

  if (previous == nullptr) {
    // Nothing suppressed: one solve with no objective still tells whether the
    // published figures agree.
    CUSTODY_ASSIGN(feasible, solver.simplex());
    if (feasible == Outcome::infeasible) {
      return infeasible_result(problem, result.lps);
    }
  }
  return result;
}

} // namespace custody::disclosure
