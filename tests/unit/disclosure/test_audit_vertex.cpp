// The exact point of a simplex basis (disclosure/audit_vertex.hpp), and the
// audit that proves its verdicts with such points.
#include "audit_cells.hpp"

#include <custody/disclosure/audit.hpp>
#include <custody/disclosure/audit_vertex.hpp>

#include <doctest/doctest.h>

#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

using namespace custody;
using disclosure::AuditCell;
using disclosure::AuditProblem;
using disclosure::detail::ExactValue;
using disclosure::detail::VertexSolver;
using test::published;
using test::suppressed;

namespace {

struct ProblemDeleter
{
  void
  operator()(glp_prob* lp) const
  {
    glp_delete_prob(lp);
  }
};
using Program = std::unique_ptr<glp_prob, ProblemDeleter>;

// The audit's program for `problem` (audit.cpp builds the same): a row per
// cell, a column per variable.
Program
program_of(const AuditProblem& problem)
{
  Program lp(glp_create_prob());
  glp_add_cols(lp.get(), static_cast<int>(problem.variables));
  for (int j = 1; j <= static_cast<int>(problem.variables); ++j) {
    glp_set_col_bnds(lp.get(), j, GLP_LO, 0.0, 0.0);
  }
  glp_add_rows(lp.get(), static_cast<int>(problem.cells.size()));
  for (std::size_t i = 0; i < problem.cells.size(); ++i) {
    const AuditCell& cell = problem.cells[i];
    const int row = static_cast<int>(i) + 1;
    std::vector<int> index{0};
    std::vector<double> one{0.0};
    for (const std::uint32_t variable : cell.variables) {
      index.push_back(static_cast<int>(variable) + 1);
      one.push_back(1.0);
    }
    glp_set_mat_row(lp.get(),
                    row,
                    static_cast<int>(cell.variables.size()),
                    index.data(),
                    one.data());
    if (cell.hidden) {
      glp_set_row_bnds(lp.get(), row, GLP_FR, 0.0, 0.0);
    } else if (cell.suppressed) {
      glp_set_row_bnds(lp.get(), row, GLP_LO, 1.0, 0.0);
    } else {
      const auto value = static_cast<double>(cell.value);
      glp_set_row_bnds(lp.get(), row, GLP_FX, value, value);
    }
  }
  return lp;
}

// Minimises (or maximises) cell i's sum in floating point; the status.
int
optimise(glp_prob* lp, const AuditCell& cell, int direction)
{
  for (int j = 1; j <= glp_get_num_cols(lp); ++j) {
    glp_set_obj_coef(lp, j, 0.0);
  }
  for (const std::uint32_t variable : cell.variables) {
    glp_set_obj_coef(lp, static_cast<int>(variable) + 1, 1.0);
  }
  glp_set_obj_dir(lp, direction);
  glp_smcp parameters;
  glp_init_smcp(&parameters);
  parameters.msg_lev = GLP_MSG_OFF;
  REQUIRE(glp_simplex(lp, &parameters) == 0);
  return glp_get_status(lp);
}

// x0 + x1 = x1 + x2 = x0 + x2 = 1: the one point is (1/2, 1/2, 1/2), and the
// suppressed cell x0 + x1 + x2 is 3/2.
AuditProblem
odd_cycle()
{
  AuditProblem problem;
  problem.variables = 3;
  problem.cells = {published({0, 1}, 1),
                   published({1, 2}, 1),
                   published({0, 2}, 1),
                   suppressed({0, 1, 2}, false)};
  return problem;
}

} // namespace

TEST_SUITE_BEGIN("disclosure");

TEST_CASE("a basis's point is found exactly, halves and all")
{
  const AuditProblem problem = odd_cycle();
  const Program lp = program_of(problem);
  REQUIRE(optimise(lp.get(), problem.cells[3], GLP_MIN) == GLP_OPT);
  VertexSolver solver(problem);
  const auto values = solver.point(lp.get());
  REQUIRE(values);
  REQUIRE(values->size() == 4);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK((*values)[i].floor == 1);
    CHECK((*values)[i].ceiling == 1);
  }
  // 3/2: above 1 and below 2, exactly
  CHECK((*values)[3].floor == 1);
  CHECK((*values)[3].ceiling == 2);
  CHECK((*values)[3].approximate == 1.5);
}

TEST_CASE("a point outside the audit's program is refused, and so is a "
          "bound that is not an integer")
{
  AuditProblem problem;
  problem.variables = 2;
  problem.cells = {published({0, 1}, 3), suppressed({0}), suppressed({1})};
  const Program lp = program_of(problem);
  VertexSolver solver(problem);

  SUBCASE("the program holds x0 at 0, below the audit's floor of 1")
  {
    glp_set_row_bnds(lp.get(), 2, GLP_LO, 0.0, 0.0);
    REQUIRE(optimise(lp.get(), problem.cells[1], GLP_MIN) == GLP_OPT);
    CHECK(std::abs(glp_get_row_prim(lp.get(), 2)) < 1e-12);
    CHECK_FALSE(solver.point(lp.get()));
  }
  SUBCASE("the program's floor is 1.5")
  {
    glp_set_row_bnds(lp.get(), 2, GLP_LO, 1.5, 0.0);
    REQUIRE(optimise(lp.get(), problem.cells[1], GLP_MIN) == GLP_OPT);
    CHECK_FALSE(solver.point(lp.get()));
  }
  SUBCASE("the audit's own program: x0 = 1, x1 = 2")
  {
    REQUIRE(optimise(lp.get(), problem.cells[1], GLP_MIN) == GLP_OPT);
    const auto values = solver.point(lp.get());
    REQUIRE(values);
    CHECK((*values)[1].ceiling == 1);
    CHECK((*values)[2].floor == 2);
  }
}

TEST_CASE("random programs: every exact point is glp_exact's, and meets the "
          "published figures exactly")
{
  // Sparse random cells over 60 variables: their bases are far from
  // unimodular, so the points have denominators no double holds.
  std::mt19937 random(20261207);
  std::size_t found = 0;
  std::size_t fractional = 0;
  for (int round = 0; round < 20; ++round) {
    CAPTURE(round);
    AuditProblem problem;
    problem.variables = 60;
    std::vector<std::uint64_t> truth(problem.variables);
    for (auto& count : truth) {
      count = 1 + random() % 6;
    }
    for (int c = 0; c < 45; ++c) {
      std::vector<std::uint32_t> variables;
      for (std::uint32_t j = 0; j < problem.variables; ++j) {
        if (random() % 8 == 0) {
          variables.push_back(j);
        }
      }
      if (variables.empty()) {
        continue;
      }
      std::uint64_t sum = 0;
      for (const auto j : variables) {
        sum += truth[j];
      }
      problem.cells.push_back(random() % 3 == 0
                                ? suppressed(std::move(variables))
                                : published(std::move(variables), sum));
    }
    const Program lp = program_of(problem);
    VertexSolver solver(problem);
    for (std::size_t i = 0; i < problem.cells.size(); ++i) {
      if (!problem.cells[i].suppressed) {
        continue;
      }
      for (const int direction : {GLP_MIN, GLP_MAX}) {
        if (optimise(lp.get(), problem.cells[i], direction) != GLP_OPT) {
          continue; // unbounded above
        }
        glp_smcp parameters;
        glp_init_smcp(&parameters);
        parameters.msg_lev = GLP_MSG_OFF;
        REQUIRE(glp_exact(lp.get(), &parameters) == 0);
        REQUIRE(glp_get_status(lp.get()) == GLP_OPT);
        const auto values = solver.point(lp.get());
        REQUIRE(values);
        ++found;
        for (std::size_t k = 0; k < problem.cells.size(); ++k) {
          CAPTURE(k);
          const ExactValue& value = (*values)[k];
          const double rational =
            glp_get_row_prim(lp.get(), static_cast<int>(k) + 1);
          CHECK(std::abs(value.approximate - rational)
                <= 1e-9 * std::max(1.0, std::abs(rational)));
          CHECK(value.floor <= value.ceiling);
          CHECK(value.ceiling - value.floor <= 1);
          fractional += value.ceiling - value.floor;
          if (!problem.cells[k].suppressed) {
            CHECK(value.floor == problem.cells[k].value);
            CHECK(value.ceiling == problem.cells[k].value);
          }
        }
      }
    }
  }
  CHECK(found > 100);
  MESSAGE(found << " points, " << fractional << " fractional cell values");
  CHECK(fractional > found);
}

TEST_CASE("the audit, deciding in floating point, proves its verdicts "
          "exactly by exact points, with no exact solve")
{
  // A 2x2 table of 4, 4 / 4, 4, every inner cell suppressed, its margins of
  // 8 and total published: each cell lies in [1, 7] and passes.
  AuditProblem problem;
  problem.variables = 4;
  problem.threshold = 5;
  problem.cells = {suppressed({0}),
                   suppressed({1}),
                   suppressed({2}),
                   suppressed({3}),
                   published({0, 1}, 8),
                   published({2, 3}, 8),
                   published({0, 2}, 8),
                   published({1, 3}, 8),
                   published({0, 1, 2, 3}, 16)};
  disclosure::AuditOptions searching;
  searching.decide_only = true;
  searching.confirm_exact = false;
  for (const bool known : {true, false}) {
    CAPTURE(known);
    problem.known = known ? std::vector<std::uint64_t>{4, 4, 4, 4}
                          : std::vector<std::uint64_t>{};
    const auto result = disclosure::audit(problem, searching);
    REQUIRE(result);
    REQUIRE(result->intervals.size() == 4);
    CHECK(result->failing == 0);
    for (const auto& interval : result->intervals) {
      CAPTURE(interval.cell);
      CHECK(interval.passes);
      // a searching round's verdicts were float before exact points, and
      // (lifted from the true counts) needed them
      CHECK(interval.exact);
    }
  }
}

TEST_SUITE_END();
