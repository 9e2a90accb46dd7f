// Exact witnesses lifted from float points and the true counts
// (disclosure/audit_lift.hpp), and the audit that uses them.
#include "audit_cells.hpp"

#include <custody/disclosure/audit.hpp>
#include <custody/disclosure/audit_lift.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

using namespace custody;
using disclosure::AuditCell;
using disclosure::AuditProblem;
using disclosure::detail::Lifter;
using test::published;
using test::suppressed;

namespace {

const double eta = std::ldexp(1.0, -disclosure::detail::k_lift_shift);

// A 2x2 table of the true counts `counts` (x0 x1 / x2 x3), every inner cell
// suppressed, its margins and total published: cells 0-3 are x0..x3, then
// the rows {x0,x1} and {x2,x3}, the columns {x0,x2} and {x1,x3}, the total.
AuditProblem
two_by_two(const std::vector<std::uint64_t>& counts)
{
  AuditProblem problem;
  problem.variables = 4;
  problem.threshold = 5;
  problem.cells = {
    suppressed({0}),
    suppressed({1}),
    suppressed({2}),
    suppressed({3}),
    published({0, 1}, counts[0] + counts[1]),
    published({2, 3}, counts[2] + counts[3]),
    published({0, 2}, counts[0] + counts[2]),
    published({1, 3}, counts[1] + counts[3]),
    published({0, 1, 2, 3}, counts[0] + counts[1] + counts[2] + counts[3])};
  problem.known = counts;
  return problem;
}

// each cell's sum of the true counts, as the audit hands them to a Lifter
std::vector<std::uint64_t>
true_sums(const AuditProblem& problem)
{
  std::vector<std::uint64_t> sums;
  for (const AuditCell& cell : problem.cells) {
    std::uint64_t sum = 0;
    for (const std::uint32_t variable : cell.variables) {
      sum += problem.known[variable];
    }
    sums.push_back(sum);
  }
  return sums;
}

} // namespace

TEST_SUITE_BEGIN("disclosure");

TEST_CASE("the lift's relaxed floors and raised ceilings are exact doubles")
{
  using disclosure::detail::raised_ceiling;
  using disclosure::detail::relaxed_floor;
  CHECK(relaxed_floor(1) == 1.0);
  CHECK(relaxed_floor(3) == 1.0 - 2 * eta);
  CHECK(raised_ceiling(2, 5) == 5.0 + 3 * eta);
  // a cell already at T or more needs no raising
  CHECK(raised_ceiling(7, 5) == 5.0);
}

TEST_CASE("a float point at a relaxed floor lifts to an exact point where "
          "the cell is exactly 1")
{
  const AuditProblem problem = two_by_two({2, 1, 1, 3});
  Lifter lifter(problem, true_sums(problem));
  // x0 held at its relaxed floor (true count 2), the rest where the
  // margins put them, with the rounding a simplex leaves
  const double floor = disclosure::detail::relaxed_floor(2);
  const std::vector<double> point{
    floor, 3.0 - floor + 3e-14, 3.0 - floor - 1e-14, 1.0 + floor - 2e-14};
  const auto values = lifter.lift(point);
  REQUIRE(values);
  CHECK((*values)[0] == 1.0);
  CHECK(lifter.at_most(0, 1));
  CHECK(lifter.at_least(0, 1));
  // the published cells hold exactly
  CHECK((*values)[4] == 3.0);
  CHECK((*values)[5] == 4.0);
  CHECK((*values)[6] == 3.0);
  CHECK((*values)[7] == 4.0);
  CHECK((*values)[8] == 7.0);
  // the other cells are inside, not on, their targets
  CHECK_FALSE(lifter.at_most(1, 1));
  CHECK_FALSE(lifter.at_least(1, 5));
}

TEST_CASE("a float point a rounding off the published figures is corrected "
          "onto them, and one further off does not lift")
{
  const AuditProblem problem = two_by_two({2, 1, 1, 3});
  Lifter lifter(problem, true_sums(problem));
  SUBCASE("the true counts with rounding noise on every variable")
  {
    const std::vector<double> point{
      2.0 + 1e-12, 1.0 - 3e-13, 1.0 + 7e-13, 3.0 - 1e-12};
    const auto values = lifter.lift(point);
    REQUIRE(values);
    CHECK((*values)[8] == 7.0);
    CHECK((*values)[4] == 3.0);
    CHECK(lifter.at_most(1, 1));
  }
  SUBCASE("two suppressed cells at 0, a whole record below their floors: no "
          "rounding away, so refused rather than moved")
  {
    const std::vector<double> point{3.0, 0.0, 0.0, 4.0};
    CHECK_FALSE(lifter.lift(point));
  }
  SUBCASE("a point far from the published figures is no rounding away: "
          "refused, not moved")
  {
    const std::vector<double> point{2.5, 1.0, 1.0, 3.0};
    CHECK_FALSE(lifter.lift(point));
  }
  SUBCASE("a value beyond what 128 bits hold is refused, not wrapped")
  {
    const std::vector<double> point{1e300, 1.0, 1.0, 3.0};
    CHECK_FALSE(lifter.lift(point));
  }
}

TEST_CASE("a variable no corrected row holds is not moved: below 0, the point "
          "does not lift")
{
  AuditProblem problem = two_by_two({2, 1, 1, 3});
  problem.variables = 5;
  AuditCell alone = suppressed({4});
  alone.hidden = true;
  problem.cells.push_back(alone);
  problem.known.push_back(1);
  Lifter lifter(problem, true_sums(problem));
  CHECK(lifter.lift({2.0, 1.0, 1.0, 3.0, 0.0}));
  CHECK_FALSE(lifter.lift({2.0, 1.0, 1.0, 3.0, -1.0}));
}

TEST_CASE("the audit, deciding in floating point, proves its verdicts "
          "exactly by lifted points, with no exact solve")
{
  // A 2x2 table of 4, 4 / 4, 4, every inner cell suppressed, its margins of
  // 8 and total published: each cell lies in [1, 7] and passes. The true
  // counts are known, so each bound is proven by a lifted witness.
  AuditProblem problem = two_by_two({4, 4, 4, 4});
  disclosure::AuditOptions searching;
  searching.decide_only = true;
  searching.confirm_exact = false;
  const auto result = disclosure::audit(problem, searching);
  REQUIRE(result);
  REQUIRE(result->intervals.size() == 4);
  CHECK(result->failing == 0);
  for (const auto& interval : result->intervals) {
    CAPTURE(interval.cell);
    CHECK(interval.passes);
    // before lifting, a search round's verdicts were never exact
    CHECK(interval.exact);
  }

  SUBCASE("without the true counts nothing is lifted, and the float verdicts "
          "stay float")
  {
    problem.known.clear();
    const auto floated = disclosure::audit(problem, searching);
    REQUIRE(floated);
    CHECK(floated->failing == 0);
    for (const auto& interval : floated->intervals) {
      CHECK_FALSE(interval.exact);
    }
  }
}

TEST_SUITE_END();
