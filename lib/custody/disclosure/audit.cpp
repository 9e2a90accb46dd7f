// The disclosure audit's two LPs per suppressed cell, solved with GLPK
// (audit.hpp gives the model).
#include <custody/base/parallel.hpp>
#include <custody/disclosure/audit.hpp>
#include <custody/disclosure/audit_vertex.hpp>

#include <glpk.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

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
// GLPK's nfs_max (its default is 100).
constexpr int k_updates_between_factorisations = 400;
// How far apart two witnesses' values of a cell must be to show it is not
// one value (what the release tests a secondary cell's interval against).
constexpr double k_span = 1e-6;
// How many programs the audit solves to prove many cells' bounds at once
// before solving cells one at a time: each is one exact solve.
constexpr int k_discharge_passes = 8;
// How many more cells a batch pass must have proven than the one before it
// for the next to be solved, in a searching and a confirming round.
constexpr std::size_t k_search_pass_gain = 12;
constexpr std::size_t k_confirm_pass_gain = 3;
// How far a float point's cell may be from 1 or T and still prove that bound
// in a searching round (never in a confirming one): as for a float bound.
// (Exact bounds here can be as close as 1e-8 to 1: a looser tolerance passes
// in the search what the confirming round then fails.)
constexpr double k_float_witness_tolerance = k_tolerance;
// How many float points may fail to give an exact one, before any does,
// until the audit stops trying.
constexpr int k_vertex_failures = 3;

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
  if (!problem.parts.empty() && problem.parts.size() != problem.variables) {
    return invalid(fmt::format("a part for {} of the {} variables",
                               problem.parts.size(),
                               problem.variables));
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
  // The basis of a release's program factorises slowly (90 ms at 1,800
  // rows: its cells overlap densely), and GLPK factorises afresh every 100
  // updates by default: most of a simplex iteration's cost. Updating longer
  // between factorisations cut a run of warm solves by a third.
  glp_bfcp factorisation;
  glp_get_bfcp(lp.get(), &factorisation);
  factorisation.nfs_max = k_updates_between_factorisations;
  glp_set_bfcp(lp.get(), &factorisation);
  const int columns = static_cast<int>(problem.variables);
  const int rows = static_cast<int>(problem.cells.size());
  glp_add_cols(lp.get(), columns);
  for (int j = 1; j <= columns; ++j) {
    glp_set_col_bnds(lp.get(), j, GLP_LO, 0.0, 0.0);
  }
  glp_add_rows(lp.get(), rows);
  // The matrix is given a column at a time, so that GLPK's nodes of one
  // column lie together in memory: every glp_simplex call copies the matrix
  // column by column into its own form, following each column's list, and
  // given row by row those lists leapt across the whole pool (most of a
  // short warm solve's time on a program of 36,000 columns). Each list
  // holds its rows in the same order either way.
  std::vector<std::size_t> start(problem.variables + 2, 0);
  for (const AuditCell& cell : problem.cells) {
    for (const std::uint32_t variable : cell.variables) {
      ++start[variable + 2];
    }
  }
  for (std::size_t j = 2; j < start.size(); ++j) {
    start[j] += start[j - 1];
  }
  std::vector<int> index(start.back() + 1, 0);
  for (int i = 1; i <= rows; ++i) {
    for (const std::uint32_t variable :
         problem.cells[static_cast<std::size_t>(i - 1)].variables) {
      index[++start[variable + 1]] = i;
    }
  }
  std::vector<double> coefficient(index.size(), 1.0);
  for (int j = 1; j <= columns; ++j) {
    const std::size_t first = start[static_cast<std::size_t>(j) - 1];
    const std::size_t length = start[static_cast<std::size_t>(j)] - first;
    // GLPK's arrays start at 1: element `first` is not read.
    glp_set_mat_col(lp.get(),
                    j,
                    static_cast<int>(length),
                    index.data() + first,
                    coefficient.data() + first);
  }
  for (int i = 1; i <= rows; ++i) {
    const AuditCell& cell = problem.cells[static_cast<std::size_t>(i - 1)];
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
  // `presolve`: the problem has no basis yet; else it starts from the one
  // it holds.
  Solver(glp_prob* lp, std::uint64_t& lps, bool presolve = true)
    : m_lp(lp),
      m_lps(lps),
      m_first(presolve)
  {
  }

  // `dual`: GLPK's dual simplex, for a basis that is dual feasible but not
  // primal (see audit()'s first solve).
  Result<Outcome>
  simplex(bool dual = false)
  {
    glp_smcp parameters;
    glp_init_smcp(&parameters);
    parameters.msg_lev = GLP_MSG_OFF;
    parameters.presolve = m_first ? GLP_ON : GLP_OFF;
    if (dual) {
      parameters.meth = GLP_DUALP;
    }
    int code = glp_simplex(m_lp, &parameters);
    ++m_lps;
    const bool singular = code == GLP_EBADB || code == GLP_ESING
                          || code == GLP_ECOND
                          || (code == GLP_EFAIL && !m_may_fail);
    if (!m_first && singular) {
      // The last basis cannot be factorised: start again from the standard
      // one. GLP_EFAIL is GLPK finding a basis singular to working precision
      // as it refactorises (a warm solve of a year to date's 10,199 rows,
      // which refused the release after ten minutes): the same, unless the
      // caller can do without this solve (a batch pass), where starting
      // afresh costs more than the pass can prove.
      glp_std_basis(m_lp);
      code = glp_simplex(m_lp, &parameters);
      ++m_lps;
    }
    const bool presolved = m_first;
    m_first = false;
    if (presolved && code == GLP_ENODFS) {
      // The presolver found no dual feasible point (the program unbounded or
      // infeasible) and does not say which: the simplex itself does.
      parameters.presolve = GLP_OFF;
      code = glp_simplex(m_lp, &parameters);
      ++m_lps;
    }
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

  // A solve that ends in a numerical failure is reported as it is, not
  // started again from the standard basis: the caller can do without it.
  void
  may_fail()
  {
    m_may_fail = true;
  }

private:
  glp_prob* m_lp;
  std::uint64_t& m_lps;
  bool m_first;
  bool m_may_fail = false;
};

// A basis as plain statuses, to start another problem (on another thread:
// GLPK keeps one environment per thread, and a problem belongs to the
// thread that made it) from where this one is.
struct Basis
{
  std::vector<int> rows;
  std::vector<int> columns;
};

Basis
basis_of(glp_prob* lp)
{
  Basis basis;
  basis.rows.resize(static_cast<std::size_t>(glp_get_num_rows(lp)));
  basis.columns.resize(static_cast<std::size_t>(glp_get_num_cols(lp)));
  for (std::size_t i = 0; i < basis.rows.size(); ++i) {
    basis.rows[i] = glp_get_row_stat(lp, static_cast<int>(i) + 1);
  }
  for (std::size_t j = 0; j < basis.columns.size(); ++j) {
    basis.columns[j] = glp_get_col_stat(lp, static_cast<int>(j) + 1);
  }
  return basis;
}

void
set_basis(glp_prob* lp, const Basis& basis)
{
  for (std::size_t i = 0; i < basis.rows.size(); ++i) {
    glp_set_row_stat(lp, static_cast<int>(i) + 1, basis.rows[i]);
  }
  for (std::size_t j = 0; j < basis.columns.size(); ++j) {
    glp_set_col_stat(lp, static_cast<int>(j) + 1, basis.columns[j]);
  }
}

// Runs work(0) and work(1), each on a GLPK problem of its own, on up to two
// cores. Each item is a fixed sequence of solves whatever thread runs it and
// whenever, so the audit's outcome does not depend on the machine. A helper
// thread frees the GLPK environment it made once its item is done.
template<typename Work>
void
on_two_problems(const Work& work)
{
  const auto caller = std::this_thread::get_id();
  on_every_core(2, 2, [&](std::size_t item) {
    work(item);
    if (std::this_thread::get_id() != caller) {
      glp_free_env();
    }
  });
}

// What a program's parts (AuditProblem::parts) give its first solve.
struct PartsStart
{
  // a basis of the whole program, when the parts gave one
  std::optional<Basis> basis;
  // one part's own cells contradict each other, so the whole program's do
  bool infeasible = false;
  std::uint64_t lps = 0;
  std::uint64_t iterations = 0;
};

// Each part's own cells (those whose variables all lie in it; a hidden cell
// constrains nothing and is left to the whole) solved alone, from nothing,
// with GLPK's presolver; the parts on two problems by a fixed rule. Their
// bases, with every cell that joins parts basic, make a basis of the whole
// program: block triangular, each block a part's basis, so it factorises.
// Its point meets every part's own cells; the cells that join parts are
// then mended by the dual simplex, as a warm round's first solve is. No
// basis when fewer than two parts have cells of their own (nothing to
// gain), or when a part's solve ends otherwise than optimal.
PartsStart
start_from_parts(const AuditProblem& problem)
{
  PartsStart start;
  if (problem.parts.empty()) {
    return start;
  }
  std::map<std::uint32_t, std::size_t> number;
  for (const std::uint32_t part : problem.parts) {
    number.emplace(part, 0);
  }
  std::size_t count = 0;
  for (auto& [part, n] : number) {
    n = count++;
  }
  // each part's variables, in order, and each variable's place in its part
  std::vector<std::vector<std::uint32_t>> variables(count);
  std::vector<std::uint32_t> local(problem.variables);
  for (std::uint32_t j = 0; j < problem.variables; ++j) {
    auto& own = variables[number[problem.parts[j]]];
    local[j] = static_cast<std::uint32_t>(own.size());
    own.push_back(j);
  }
  std::vector<std::vector<std::size_t>> cells(count);
  for (std::size_t i = 0; i < problem.cells.size(); ++i) {
    const AuditCell& cell = problem.cells[i];
    if (cell.hidden) {
      continue;
    }
    const std::uint32_t part = problem.parts[cell.variables.front()];
    const bool within =
      std::all_of(cell.variables.begin(),
                  cell.variables.end(),
                  [&](std::uint32_t j) { return problem.parts[j] == part; });
    if (within) {
      cells[number[part]].push_back(i);
    }
  }
  std::vector<std::size_t> solved;
  for (std::size_t p = 0; p < count; ++p) {
    if (!cells[p].empty()) {
      solved.push_back(p);
    }
  }
  if (solved.size() < 2) {
    return start;
  }
  Basis basis;
  basis.rows.assign(problem.cells.size(), GLP_BS);
  basis.columns.assign(problem.variables, GLP_NL);
  std::array<std::uint64_t, 2> lps{};
  std::array<std::uint64_t, 2> iterations{};
  std::array<bool, 2> infeasible{};
  std::array<bool, 2> failed{};
  on_two_problems([&](std::size_t item) {
    for (std::size_t k = item; k < solved.size(); k += 2) {
      const std::size_t p = solved[k];
      AuditProblem own;
      own.variables = static_cast<std::uint32_t>(variables[p].size());
      own.threshold = problem.threshold;
      for (const std::size_t i : cells[p]) {
        AuditCell cell = problem.cells[i];
        for (auto& j : cell.variables) {
          j = local[j];
        }
        own.cells.push_back(std::move(cell));
      }
      const TerminalOff quiet;
      const LpProblem lp = build(own);
      Solver solver(lp.get(), lps[item], true);
      auto outcome = solver.simplex();
      iterations[item] += static_cast<std::uint64_t>(glp_get_it_cnt(lp.get()));
      if (outcome && *outcome == Outcome::infeasible) {
        infeasible[item] = true;
        return;
      }
      if (!outcome || *outcome != Outcome::optimal) {
        failed[item] = true;
        return;
      }
      for (std::size_t r = 0; r < cells[p].size(); ++r) {
        basis.rows[cells[p][r]] =
          glp_get_row_stat(lp.get(), static_cast<int>(r) + 1);
      }
      for (std::size_t c = 0; c < variables[p].size(); ++c) {
        basis.columns[variables[p][c]] =
          glp_get_col_stat(lp.get(), static_cast<int>(c) + 1);
      }
    }
  });
  start.lps = lps[0] + lps[1];
  start.iterations = iterations[0] + iterations[1];
  start.infeasible = infeasible[0] || infeasible[1];
  if (!start.infeasible && !failed[0] && !failed[1]) {
    start.basis = std::move(basis);
  }
  return start;
}

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

// Whether every point of `earlier`'s program is a point of `now`'s: the same
// cells over the same variables, and each cell's constraint the same or
// looser (a published range inside the new one or, when it does not reach
// below 1, suppressed now; anything now hidden), with the same threshold.
// Then `earlier`'s witnesses are witnesses of `now`.
bool
widens(const AuditProofs& earlier, const AuditProblem& now)
{
  const AuditProblem& then = earlier.problem;
  const std::size_t cells = now.cells.size();
  if (then.variables != now.variables || then.cells.size() != cells
      || then.threshold != now.threshold || earlier.low.size() != cells
      || earlier.high.size() != cells || earlier.low_float.size() != cells
      || earlier.high_float.size() != cells || earlier.least.size() != cells
      || earlier.most.size() != cells) {
    return false;
  }
  for (std::size_t i = 0; i < cells; ++i) {
    const AuditCell& old = then.cells[i];
    const AuditCell& cell = now.cells[i];
    // the targets of a hidden cell differ
    if (old.variables != cell.variables || old.hidden != cell.hidden) {
      return false;
    }
    if (cell.hidden) {
      continue;
    }
    const std::uint64_t old_least =
      old.value > old.slack ? old.value - old.slack : 0;
    if (cell.suppressed) {
      if (!old.suppressed && old_least < 1) {
        return false;
      }
      continue;
    }
    const std::uint64_t least =
      cell.value > cell.slack ? cell.value - cell.slack : 0;
    if (old.suppressed || old_least < least
        || old.value + old.slack > cell.value + cell.slack) {
      return false;
    }
  }
  return true;
}

// Points that satisfy every constraint exactly: the basic solutions glp_exact
// ends at (its rational arithmetic makes them feasible exactly). Each is a
// release a reader cannot rule out, so the value it gives a cell lies in that
// cell's interval. GLPK hands the point back rounded to doubles, so a cell's
// value is summed in floating point and trusted only with a margin that
// bounds that rounding and the summation's (each term within 2^-53 of its
// rational value, n terms adding at most n * 2^-52 of the sum's magnitude);
// a cell whose row is non-basic is at that bound exactly, with no margin.
// For each cell: proven to take some value <= its lower target (1, or 0 when
// hidden) or >= T, and the least and most value seen, for reporting.
class Witnesses
{
public:
  explicit Witnesses(const AuditProblem& problem)
    : m_problem(problem),
      m_low(problem.cells.size(), false),
      m_high(problem.cells.size(), false),
      m_low_float(problem.cells.size(), false),
      m_high_float(problem.cells.size(), false),
      m_least(problem.cells.size(), std::numeric_limits<double>::infinity()),
      m_most(problem.cells.size(), 0.0),
      m_vertex(std::in_place, problem)
  {
  }

  // The current basic solution, which must have been confirmed optimal by
  // glp_exact.
  void
  offer_exact(glp_prob* lp)
  {
    read_point(lp);
    const auto threshold = static_cast<double>(m_problem.threshold);
    for (std::size_t i = 0; i < m_problem.cells.size(); ++i) {
      const AuditCell& cell = m_problem.cells[i];
      double sum = 0;
      double magnitude = 0;
      for (const std::uint32_t variable : cell.variables) {
        sum += m_point[variable];
        magnitude += std::abs(m_point[variable]);
      }
      const double margin =
        (static_cast<double>(cell.variables.size()) + 2.0) * 0x1p-52 * magnitude
        + 0x1p-1000;
      const double low_target = cell.hidden ? 0.0 : 1.0;
      record(i, sum, sum + margin <= low_target, sum - margin >= threshold);
      // A row not in the basis is at one of its bounds exactly, which the
      // rounded sum cannot show: a suppressed cell's least value is its bound
      // of 1, and only this proves a point that reaches it.
      const int row = static_cast<int>(i) + 1;
      const auto at_bound = [&]() -> std::optional<double> {
        switch (glp_get_row_stat(lp, row)) {
        case GLP_NL:
        case GLP_NS:
          return glp_get_row_lb(lp, row);
        case GLP_NU:
          return glp_get_row_ub(lp, row);
        case GLP_NF:
          return 0.0;
        default:
          return std::nullopt;
        }
      }();
      if (at_bound) {
        record(i, *at_bound, *at_bound <= low_target, *at_bound >= threshold);
      }
    }
  }

  // The current basic solution of a float solve, made exact
  // (audit_vertex.hpp); returns whether it could be. The point's own values,
  // within a tolerance, prove bounds in floating point (low_float,
  // high_float) either way.
  bool
  offer_float(glp_prob* lp)
  {
    read_point(lp);
    const auto threshold = static_cast<double>(m_problem.threshold);
    for (std::size_t i = 0; i < m_problem.cells.size(); ++i) {
      const AuditCell& cell = m_problem.cells[i];
      double sum = 0;
      for (const std::uint32_t variable : cell.variables) {
        sum += m_point[variable];
      }
      if (sum <= (cell.hidden ? 0.0 : 1.0) + k_float_witness_tolerance) {
        m_low_float[i] = true;
      }
      if (sum >= threshold - k_float_witness_tolerance) {
        m_high_float[i] = true;
      }
    }
    if (!m_vertex) {
      return false;
    }
    const auto values = m_vertex->point(lp);
    if (!values) {
      // A program whose bases have denominators past the refinement's
      // budget (audit_vertex.hpp) fails every point alike: after a few
      // failures with no success, stop paying for it.
      if (!m_exact_found && ++m_vertex_failures == k_vertex_failures) {
        m_vertex.reset();
      }
      return false;
    }
    m_exact_found = true;
    for (std::size_t i = 0; i < m_problem.cells.size(); ++i) {
      const detail::ExactValue& value = (*values)[i];
      record(i,
             value.approximate,
             value.ceiling <= (m_problem.cells[i].hidden ? 0U : 1U),
             value.floor >= m_problem.threshold);
    }
    return true;
  }

  // What another copy of these witnesses (from a solve on another problem)
  // found, added to this one's.
  void
  absorb(const Witnesses& other)
  {
    AuditProofs found;
    other.export_to(found);
    adopt(found);
    m_exact_found = m_exact_found || other.m_exact_found;
    m_vertex_failures = std::max(m_vertex_failures, other.m_vertex_failures);
    if (!other.m_vertex) {
      m_vertex.reset();
    }
  }

  // What an earlier audit proved, of a program this one widens (widens()).
  void
  adopt(const AuditProofs& earlier)
  {
    for (std::size_t i = 0; i < m_low.size(); ++i) {
      m_low[i] = m_low[i] || earlier.low[i];
      m_high[i] = m_high[i] || earlier.high[i];
      m_low_float[i] = m_low_float[i] || earlier.low_float[i];
      m_high_float[i] = m_high_float[i] || earlier.high_float[i];
      m_least[i] = std::min(m_least[i], earlier.least[i]);
      m_most[i] = std::max(m_most[i], earlier.most[i]);
    }
  }

  // What these witnesses proved, for a later audit.
  void
  export_to(AuditProofs& proofs) const
  {
    proofs.low = m_low;
    proofs.high = m_high;
    proofs.low_float = m_low_float;
    proofs.high_float = m_high_float;
    proofs.least = m_least;
    proofs.most = m_most;
  }

  // Cell i shown, in floating point or exactly, to be able to take its lower
  // target or less.
  [[nodiscard]] bool
  low_float(std::size_t i) const
  {
    return m_low[i] || m_low_float[i];
  }
  // ... to take T or more.
  [[nodiscard]] bool
  high_float(std::size_t i) const
  {
    return m_high[i] || m_high_float[i];
  }

  // Whether float points are still made exact: that has not failed too
  // often with no success.
  [[nodiscard]] bool
  exact_points() const
  {
    return m_vertex.has_value();
  }

  // The caller's integer point, if it meets every constraint (checked here,
  // in integers: exact); returns whether it does.
  bool
  offer_known()
  {
    const auto& point = m_problem.known;
    if (point.size() != m_problem.variables) {
      return false;
    }
    std::vector<std::uint64_t> sums(m_problem.cells.size(), 0);
    for (std::size_t i = 0; i < m_problem.cells.size(); ++i) {
      const AuditCell& cell = m_problem.cells[i];
      std::uint64_t sum = 0;
      for (const std::uint32_t variable : cell.variables) {
        sum += point[variable];
      }
      sums[i] = sum;
      if (cell.hidden) {
        continue;
      }
      const bool meets = cell.suppressed ? sum >= 1
                                         : sum + cell.slack >= cell.value
                                             && sum <= cell.value + cell.slack;
      if (!meets) {
        return false;
      }
    }
    for (std::size_t i = 0; i < sums.size(); ++i) {
      record(i,
             static_cast<double>(sums[i]),
             sums[i] <= (m_problem.cells[i].hidden ? 0U : 1U),
             sums[i] >= m_problem.threshold);
    }
    return true;
  }

  // Cell i proven to be able to take its lower target or less.
  [[nodiscard]] bool
  low(std::size_t i) const
  {
    return m_low[i];
  }
  // Cell i proven to be able to take T or more.
  [[nodiscard]] bool
  high(std::size_t i) const
  {
    return m_high[i];
  }
  // bounds proven so far, of all cells
  [[nodiscard]] std::size_t
  proven() const
  {
    return static_cast<std::size_t>(
      std::count(m_low.begin(), m_low.end(), true)
      + std::count(m_high.begin(), m_high.end(), true)
      + std::count(m_low_float.begin(), m_low_float.end(), true)
      + std::count(m_high_float.begin(), m_high_float.end(), true));
  }
  [[nodiscard]] double
  least(std::size_t i) const
  {
    return m_least[i];
  }
  [[nodiscard]] double
  most(std::size_t i) const
  {
    return m_most[i];
  }

private:
  // A point where cell i takes `value`, which proves (exactly) its lower
  // target or T when `low` or `high` says so.
  void
  record(std::size_t i, double value, bool low, bool high)
  {
    m_low[i] = m_low[i] || low;
    m_high[i] = m_high[i] || high;
    m_least[i] = std::min(m_least[i], value);
    m_most[i] = std::max(m_most[i], value);
  }

  // the current basic solution's variables, into m_point
  void
  read_point(glp_prob* lp)
  {
    m_point.resize(m_problem.variables);
    for (std::size_t j = 0; j < m_point.size(); ++j) {
      m_point[j] = glp_get_col_prim(lp, static_cast<int>(j) + 1);
    }
  }

  const AuditProblem& m_problem;
  std::vector<bool> m_low;
  std::vector<bool> m_high;
  std::vector<bool> m_low_float;
  std::vector<bool> m_high_float;
  std::vector<double> m_least;
  std::vector<double> m_most;
  std::vector<double> m_point;
  std::optional<detail::VertexSolver> m_vertex;
  bool m_exact_found = false;
  int m_vertex_failures = 0;
};

// Adds the cells binding a second failing bound to those of the first
// (CellInterval::binding: sorted, no duplicates).
void
add_binding(CellInterval& interval, const std::vector<std::size_t>& more)
{
  std::vector<std::size_t> both;
  std::set_union(interval.binding.begin(),
                 interval.binding.end(),
                 more.begin(),
                 more.end(),
                 std::back_inserter(both));
  interval.binding = std::move(both);
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

// One bound of a primary cell under decide_only: whether it is on the safe
// side of its target (lower <= 1, or 0 for a hidden cell; upper >= T).
struct Verdict
{
  bool safe = false;
  // proven exactly, by a witness or by glp_exact
  bool exact = false;
  // an LP was solved for it (else a witness settled it)
  bool solved = false;
  Bound bound;
};

// Whether the cell of row `row` can take `target` (at most, when `low`; at
// least, else), asked of glp_exact with the row held there: its answer is
// a status, not a rounded number. A point that reaches it is offered as a
// witness (while the row's bounds still say where it is); the row's bounds
// are restored after.
Result<bool>
reaches(glp_prob* lp,
        Solver& solver,
        Witnesses& witnesses,
        int row,
        bool low,
        double target)
{
  const int type = glp_get_row_type(lp, row);
  const double lower = glp_get_row_lb(lp, row);
  const double upper = glp_get_row_ub(lp, row);
  if (low) {
    glp_set_row_bnds(lp, row, GLP_FX, target, target);
  } else {
    glp_set_row_bnds(lp, row, GLP_LO, target, 0.0);
  }
  auto outcome = solver.exact();
  if (outcome && *outcome == Outcome::optimal) {
    witnesses.offer_exact(lp);
  }
  glp_set_row_bnds(lp, row, type, lower, upper);
  if (!outcome) {
    return tl::unexpected(outcome.error());
  }
  return *outcome != Outcome::infeasible;
}

// Settled by a witness if one already is; else solved in floating point, and
// a float answer on the safe side proven exactly by the solve's own point,
// made exact (audit_vertex.hpp), or failing that by glp_exact (with
// `confirm`). A float answer on the unsafe side is kept as it is: failing is
// what the caller does anyway.
Result<Verdict>
decide_bound(glp_prob* lp,
             const AuditProblem& problem,
             Solver& solver,
             Witnesses& witnesses,
             std::size_t i,
             int direction,
             bool confirm)
{
  const bool low = direction == GLP_MIN;
  const AuditCell& cell = problem.cells[i];
  const std::uint64_t target = low ? (cell.hidden ? 0 : 1) : problem.threshold;
  const auto witnessed = [&] {
    return low ? witnesses.low(i) : witnesses.high(i);
  };
  Verdict verdict;
  if (witnessed()) {
    verdict.safe = true;
    verdict.exact = true;
    return verdict;
  }
  // A float proof settles a searching round's bound, unless a solve of its
  // own could still prove it exactly (and so spare a confirming round).
  if (!confirm && !witnesses.exact_points()
      && (low ? witnesses.low_float(i) : witnesses.high_float(i))) {
    verdict.safe = true;
    return verdict;
  }
  const int row = static_cast<int>(i) + 1;
  glp_set_obj_dir(lp, direction);
  verdict.solved = true;
  auto floated = solver.simplex();
  if (!floated) {
    return tl::unexpected(floated.error());
  }
  verdict.bound.outcome = *floated;
  if (*floated == Outcome::infeasible) {
    return verdict;
  }
  if (*floated == Outcome::optimal) {
    verdict.bound.value = glp_get_obj_val(lp);
    witnesses.offer_float(lp);
  }
  const auto goal = static_cast<double>(target);
  const auto safe = [&](Outcome outcome, double value, double tolerance) {
    return low ? value <= goal + tolerance
               : outcome == Outcome::unbounded || value >= goal - tolerance;
  };
  const bool float_safe = safe(*floated, verdict.bound.value, k_tolerance);
  if (float_safe && witnessed()) {
    verdict.safe = true;
    verdict.exact = true;
    return verdict;
  }
  if (float_safe && confirm) {
    CUSTODY_ASSIGN(rational, solver.exact());
    verdict.bound.outcome = rational;
    if (rational == Outcome::infeasible) {
      return verdict;
    }
    if (rational == Outcome::optimal) {
      verdict.bound.value = glp_get_obj_val(lp);
      witnesses.offer_exact(lp);
    }
    verdict.exact = true;
    verdict.safe = safe(rational, verdict.bound.value, 0.0);
    if (!verdict.safe && rational == Outcome::optimal
        && safe(rational, verdict.bound.value, k_tolerance)) {
      // GLPK hands the exact optimum back rounded (an exact 5 can come back
      // as 5 - 2^-50): whether the target itself is reachable is asked
      // exactly, with the cell's row held there.
      CUSTODY_ASSIGN(reached, reaches(lp, solver, witnesses, row, low, goal));
      if (reached) {
        verdict.safe = true;
        verdict.bound.value = goal;
      }
    }
  } else {
    verdict.safe = float_safe;
  }
  if (!verdict.safe) {
    verdict.bound.binding = binding_cells(lp, problem);
  }
  return verdict;
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

// A primary cell under decide_only: its lower bound, then its upper one
// unless the first settles it (a hidden cell safe below passes; any other
// cell that fails below fails, and the solve that failed names what pins it,
// as AuditOptions::decide_only says).
// nullopt when the published figures contradict each other.
Result<std::optional<CellInterval>>
decide(glp_prob* lp,
       const AuditProblem& problem,
       Solver& solver,
       Witnesses& witnesses,
       std::size_t i,
       const AuditOptions& options)
{
  const AuditCell& cell = problem.cells[i];
  CUSTODY_ASSIGN(
    low,
    decide_bound(
      lp, problem, solver, witnesses, i, GLP_MIN, options.confirm_exact));
  if (low.solved && low.bound.outcome == Outcome::infeasible) {
    return std::optional<CellInterval>{};
  }
  if (low.solved && low.bound.outcome == Outcome::unbounded) {
    return fail(Errc::internal,
                "the least value of cell {}, a sum of non-negative "
                "variables, was found unbounded",
                i);
  }
  Verdict high;
  const bool asked_high = cell.hidden ? !low.safe : low.safe;
  if (asked_high) {
    CUSTODY_ASSIGN(
      above,
      decide_bound(lp,
                   problem,
                   solver,
                   witnesses,
                   i,
                   GLP_MAX,
                   options.confirm_exact && (cell.hidden || low.safe)));
    if (above.solved && above.bound.outcome == Outcome::infeasible) {
      return std::optional<CellInterval>{};
    }
    high = std::move(above);
  }
  CellInterval interval;
  interval.cell = i;
  interval.lower = low.solved ? low.bound.value : witnesses.least(i);
  if (high.solved) {
    interval.unbounded = high.bound.outcome == Outcome::unbounded;
    interval.upper = interval.unbounded
                       ? std::numeric_limits<double>::infinity()
                       : high.bound.value;
  } else {
    // a witness's value, or (not asked) the lower bound: inside the interval
    interval.upper = std::max(interval.lower, witnesses.most(i));
  }
  if (cell.hidden) {
    interval.passes = low.safe || high.safe;
    interval.exact = interval.passes
                       ? (low.safe && low.exact) || (high.safe && high.exact)
                       : low.exact && high.exact;
  } else {
    interval.passes = low.safe && high.safe;
    interval.exact = interval.passes
                       ? low.exact && high.exact
                       : (!low.safe && low.exact) || (!high.safe && high.exact);
  }
  if (!low.safe) {
    interval.binding = low.bound.binding;
  }
  if (asked_high && !high.safe) {
    add_binding(interval, high.bound.binding);
  }
  return std::optional<CellInterval>{std::move(interval)};
}

// A non-primary cell under decide_only: its own question (AuditCell's
// at_most, at_least) answered by a witness where one does, else by a float
// solve; with no question, its interval, unless witnesses show it spans more
// than one value (then that span, inside the interval, is reported). nullopt
// when the published figures contradict each other.
Result<std::optional<CellInterval>>
ask(glp_prob* lp,
    const AuditProblem& problem,
    Solver& solver,
    Witnesses& witnesses,
    std::size_t i)
{
  const AuditCell& cell = problem.cells[i];
  CellInterval interval;
  interval.cell = i;
  interval.lower = witnesses.least(i);
  interval.upper = witnesses.most(i);
  // with no witness at all, nothing is known and both bounds are solved
  const bool witnessed = interval.lower <= interval.upper;
  const bool asked = cell.at_most || cell.at_least;
  const bool spans = interval.upper - interval.lower > k_span;
  const bool lower_known =
    witnessed
    && (asked ? !cell.at_most
                  || interval.lower
                       <= static_cast<double>(*cell.at_most) + k_tolerance
              : spans);
  const bool upper_known =
    witnessed
    && (asked ? !cell.at_least
                  || interval.upper
                       >= static_cast<double>(*cell.at_least) - k_tolerance
              : spans);
  if (!lower_known) {
    CUSTODY_ASSIGN(low, solve_bound(lp, problem, solver, GLP_MIN, false));
    if (low.outcome == Outcome::infeasible) {
      return std::optional<CellInterval>{};
    }
    if (low.outcome == Outcome::unbounded) {
      return fail(Errc::internal,
                  "the least value of cell {}, a sum of non-negative "
                  "variables, was found unbounded",
                  i);
    }
    interval.lower = low.value;
    if (cell.at_most
        && low.value > static_cast<double>(*cell.at_most) + k_tolerance) {
      interval.binding = std::move(low.binding);
    }
  }
  if (!upper_known) {
    CUSTODY_ASSIGN(high, solve_bound(lp, problem, solver, GLP_MAX, false));
    if (high.outcome == Outcome::infeasible) {
      return std::optional<CellInterval>{};
    }
    interval.unbounded = high.outcome == Outcome::unbounded;
    interval.upper =
      interval.unbounded ? std::numeric_limits<double>::infinity() : high.value;
    if (cell.at_least && !interval.unbounded
        && high.value < static_cast<double>(*cell.at_least) - k_tolerance) {
      add_binding(interval, high.binding);
    }
  }
  return std::optional<CellInterval>{std::move(interval)};
}

// Proves many primary cells' bounds at once before any is solved alone: the
// program that maximises (minimises) the sum of the cells not yet proven to
// reach T (to fall to their lower target) is solved in floating point and its
// point made exact (audit_vertex.hpp), or, when that fails and `confirm` is
// set, confirmed by glp_exact and offered as it is; again over the cells
// still unproven, until a solve proves nothing new. While maximising, each
// cell summed is held at most at T, which keeps the program bounded and
// spreads the sum over many cells: that only narrows the feasible set, so
// the points found are feasible for the audit's own program. A cell proven
// stays held unless its row is basic: a row at that ceiling, freed, would
// fall to its lower bound and leave the last optimum infeasible, and the
// next pass would spend most of its iterations finding a feasible point
// again (2,400 of about 3,300, at 2,000 cells). What is not proven here is
// solved cell by cell after, on the audit's own program.
void
discharge(glp_prob* lp,
          const AuditProblem& problem,
          Solver& solver,
          Witnesses& witnesses,
          int direction,
          bool confirm)
{
  const bool low = direction == GLP_MIN;
  const int columns = static_cast<int>(problem.variables);
  std::vector<double> objective(problem.variables + 1);
  std::vector<bool> capped(problem.cells.size());
  const auto release = [&](std::size_t i) {
    glp_set_row_bnds(lp,
                     static_cast<int>(i) + 1,
                     problem.cells[i].hidden ? GLP_FR : GLP_LO,
                     1.0,
                     0.0);
    capped[i] = false;
  };
  const auto restore_bounds = [&] {
    for (std::size_t i = 0; i < capped.size(); ++i) {
      if (capped[i]) {
        release(i);
      }
    }
  };
  std::size_t last_unproven = 0;
  for (int pass = 0; pass < k_discharge_passes; ++pass) {
    std::fill(objective.begin(), objective.end(), 0.0);
    std::size_t unproven = 0;
    for (std::size_t i = 0; i < problem.cells.size(); ++i) {
      const AuditCell& cell = problem.cells[i];
      const bool proven =
        confirm ? (low ? witnesses.low(i) : witnesses.high(i))
                : (low ? witnesses.low_float(i) : witnesses.high_float(i));
      const bool settled =
        cell.hidden
        && (confirm ? witnesses.low(i) || witnesses.high(i)
                    : witnesses.low_float(i) || witnesses.high_float(i));
      if (!cell.primary || proven || settled) {
        if (capped[i]
            && glp_get_row_stat(lp, static_cast<int>(i) + 1) == GLP_BS) {
          release(i);
        }
        continue;
      }
      ++unproven;
      for (const std::uint32_t variable : cell.variables) {
        objective[variable + 1] += 1.0;
      }
      if (!low && !capped[i]) {
        const int row = static_cast<int>(i) + 1;
        const auto ceiling = static_cast<double>(problem.threshold);
        if (cell.hidden) {
          glp_set_row_bnds(lp, row, GLP_UP, 0.0, ceiling);
        } else {
          glp_set_row_bnds(lp, row, GLP_DB, 1.0, ceiling);
        }
        capped[i] = true;
      }
    }
    // A pass costs about what a dozen of a searching round's warm float
    // solves of single cells cost (2,000 simplex iterations against 230, at
    // 2,000 cells), or two or three of a confirming round's exact ones: a
    // pass that proved fewer cells than that (and under half of those left)
    // is not repeated.
    const std::size_t gained = last_unproven - unproven;
    const std::size_t enough =
      confirm ? k_confirm_pass_gain : k_search_pass_gain;
    const bool worth_it =
      pass == 0 || gained >= enough || gained * 2 >= last_unproven;
    if (unproven == 0 || !worth_it) {
      break;
    }
    last_unproven = unproven;
    for (int j = 1; j <= columns; ++j) {
      glp_set_obj_coef(lp, j, objective[static_cast<std::size_t>(j)]);
    }
    glp_set_obj_dir(lp, direction);
    // A program not solved to optimality proves nothing; the cells are
    // then solved one at a time, which reports what went wrong.
    auto floated = solver.simplex();
    if (!floated || *floated != Outcome::optimal) {
      break;
    }
    const std::size_t before = witnesses.proven();
    if (!witnesses.offer_float(lp) && confirm) {
      // (the ceilings only narrow the audit's program)
      auto rational = solver.exact();
      if (!rational || *rational != Outcome::optimal) {
        break;
      }
      witnesses.offer_exact(lp);
    }
    if (witnesses.proven() == before) {
      break;
    }
  }
  restore_bounds();
  for (int j = 1; j <= columns; ++j) {
    glp_set_obj_coef(lp, j, 0.0);
  }
}

} // namespace

// What one problem's share of the suppressed cells came to.
struct Share
{
  std::vector<CellInterval> intervals;
  std::size_t failing = 0;
  std::uint64_t lps = 0;
  bool infeasible = false;
};

// The suppressed cells of `group`, in order, one by one, each solve starting
// from the last one's basis.
Result<Share>
solve_cells(glp_prob* lp,
            const AuditProblem& problem,
            Witnesses& witnesses,
            const AuditOptions& options,
            const std::vector<std::size_t>& group)
{
  Share result;
  Solver solver(lp, result.lps, false);
  const AuditCell* previous = nullptr;
  for (const std::size_t i : group) {
    const AuditCell& cell = problem.cells[i];
    set_objective(lp, previous, cell);
    previous = &cell;
    if (options.decide_only) {
      CUSTODY_ASSIGN(interval,
                     cell.primary
                       ? decide(lp, problem, solver, witnesses, i, options)
                       : ask(lp, problem, solver, witnesses, i));
      if (!interval) {
        result.infeasible = true;
        return result;
      }
      if (!interval->passes) {
        ++result.failing;
      }
      result.intervals.push_back(std::move(*interval));
      continue;
    }
    const bool exact = options.confirm_exact && cell.primary;

    CUSTODY_ASSIGN(low, solve_bound(lp, problem, solver, GLP_MIN, exact));

    if (low.outcome == Outcome::infeasible) {
      result.infeasible = true;
      return result;
    }
    if (low.outcome == Outcome::unbounded) {
      return fail(Errc::internal,
                  "the least value of cell {}, a sum of non-negative "
                  "variables, was found unbounded",
                  i);
    }
    CUSTODY_ASSIGN(high, solve_bound(lp, problem, solver, GLP_MAX, exact));

    if (high.outcome == Outcome::infeasible) {
      result.infeasible = true;
      return result;
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
        add_binding(interval, high.binding);
      }
      if (!interval.passes) {
        ++result.failing;
      }
    }
    result.intervals.push_back(std::move(interval));
  }

  return result;
}

Result<AuditResult>
audit(const AuditProblem& problem, const AuditOptions& options)
{
  CUSTODY_TRY(validate(problem));
  AuditResult result;
  if (problem.cells.empty()) {
    return result;
  }
  Witnesses witnesses(problem);
  const bool known_feasible = witnesses.offer_known();
  const bool carried = options.decide_only && options.proven != nullptr
                       && widens(*options.proven, problem);
  if (carried) {
    witnesses.adopt(*options.proven);
  }
  std::vector<std::size_t> suppressed;
  for (std::size_t i = 0; i < problem.cells.size(); ++i) {
    if (problem.cells[i].suppressed) {
      suppressed.push_back(i);
    }
  }
  if (suppressed.empty() && known_feasible) {
    // Nothing to bound, and the true counts show the figures agree.
    return result;
  }

  // The first solve, with no objective, on this thread: GLPK's presolver
  // finds a basis the two problems below start from, and whether the
  // published figures agree at all.
  Basis start;
  {
    const TerminalOff quiet;
    const LpProblem lp = build(problem);
    // the earlier program's last basis, else GLPK's presolver
    const bool carried_basis =
      carried && options.proven->row_status.size() == problem.cells.size()
      && options.proven->column_status.size() == problem.variables;
    if (carried_basis) {
      set_basis(
        lp.get(),
        Basis{options.proven->row_status, options.proven->column_status});
    }
    bool warm = carried_basis;
    if (!warm) {
      const PartsStart parts = start_from_parts(problem);
      result.lps += parts.lps;
      result.iterations += parts.iterations;
      if (parts.infeasible) {
        return infeasible_result(problem, result.lps);
      }
      if (parts.basis) {
        set_basis(lp.get(), *parts.basis);
        warm = true;
      }
    }
    Solver solver(lp.get(), result.lps, !warm);
    // The earlier program's last basis has every row it still has at a
    // bound, but a row this round suppresses falls from its published value
    // to its new floor of 1, so the basis is rarely primal feasible. With
    // no objective every basis is dual feasible, and the dual simplex
    // mends the few rows that moved where the primal would start its
    // search for a feasible point afresh (837 iterations against 2,119 in
    // the 2,001-cell release's second round).
    CUSTODY_ASSIGN(first, solver.simplex(warm));
    result.iterations += static_cast<std::uint64_t>(glp_get_it_cnt(lp.get()));
    if (first == Outcome::infeasible) {
      return infeasible_result(problem, result.lps);
    }
    start = basis_of(lp.get());
  }
  if (suppressed.empty()) {
    return result;
  }

  // Many bounds proven at once, the least values on one problem and the
  // greatest on the other; what each found is then the both's.
  std::array<Basis, 2> after{start, start};
  if (options.decide_only
      && (options.confirm_exact || witnesses.exact_points())) {
    std::array<Witnesses, 2> found{witnesses, witnesses};
    std::array<std::uint64_t, 2> lps{};
    std::array<std::uint64_t, 2> iterations{};
    on_two_problems([&](std::size_t item) {
      const TerminalOff quiet;
      const LpProblem lp = build(problem);
      set_basis(lp.get(), start);
      Solver solver(lp.get(), lps[item], false);
      solver.may_fail();
      discharge(lp.get(),
                problem,
                solver,
                found[item],
                item == 0 ? GLP_MIN : GLP_MAX,
                options.confirm_exact);
      // The maximising problem's last basis held cells at ceilings the
      // audit's program does not have: its point is not feasible there, so
      // that problem's cells start from the first solve's basis instead.
      if (item == 0) {
        after[item] = basis_of(lp.get());
      }
      iterations[item] = static_cast<std::uint64_t>(glp_get_it_cnt(lp.get()));
    });
    witnesses.absorb(found[0]);
    witnesses.absorb(found[1]);
    result.lps += lps[0] + lps[1];
    result.iterations += iterations[0] + iterations[1];
  }

  // The suppressed cells one by one, alternately on one problem and the
  // other (a fixed split, not one by the cores there are; alternate, so
  // that each gets its share of the hard ones).
  std::array<std::vector<std::size_t>, 2> groups;
  for (std::size_t k = 0; k < suppressed.size(); ++k) {
    groups[k % 2].push_back(suppressed[k]);
  }
  std::array<Witnesses, 2> copies{witnesses, witnesses};
  std::array<std::optional<Result<Share>>, 2> shares;
  std::array<std::uint64_t, 2> iterations{};
  on_two_problems([&](std::size_t item) {
    const TerminalOff quiet;
    const LpProblem lp = build(problem);
    set_basis(lp.get(), after[item]);
    shares[item] =
      solve_cells(lp.get(), problem, copies[item], options, groups[item]);
    after[item] = basis_of(lp.get());
    iterations[item] = static_cast<std::uint64_t>(glp_get_it_cnt(lp.get()));
  });
  result.iterations += iterations[0] + iterations[1];
  for (auto& share : shares) {
    if (!*share) {
      return tl::unexpected(share->error());
    }
    result.lps += (*share)->lps;
  }
  for (auto& share : shares) {
    if ((*share)->infeasible) {
      return infeasible_result(problem, result.lps);
    }
    result.failing += (*share)->failing;
    for (auto& interval : (*share)->intervals) {
      result.intervals.push_back(std::move(interval));
    }
  }
  std::sort(result.intervals.begin(),
            result.intervals.end(),
            [](const CellInterval& a, const CellInterval& b) {
              return a.cell < b.cell;
            });
  if (options.decide_only) {
    witnesses.absorb(copies[0]);
    witnesses.absorb(copies[1]);
    AuditProofs& proofs = result.proofs.emplace();
    proofs.problem = problem;
    witnesses.export_to(proofs);
    proofs.row_status = std::move(after[0].rows);
    proofs.column_status = std::move(after[0].columns);
  }
  return result;
}

} // namespace custody::disclosure
