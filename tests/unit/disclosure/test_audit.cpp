// The disclosure audit: each suppressed cell's interval as an attacker
// deduces it from the published cells, by LP (GLPK), with exact numbers.
#include "audit_cells.hpp"
#include "temp_dir.hpp"

#include <custody/disclosure/audit.hpp>
#include <custody/sys/spawn.hpp>

#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using namespace custody;
using disclosure::AuditCell;
using disclosure::AuditProblem;
using test::published;
using test::suppressed;

namespace {

// A rows×columns table of counts `inner` (row-major), variable r*columns+c
// for each inner cell, with its row totals, column totals and grand total
// published after the inner cells; the inner cells listed in `hidden` are
// primary-suppressed.
AuditProblem
table(std::uint32_t rows,
      std::uint32_t columns,
      const std::vector<std::uint64_t>& inner,
      const std::vector<std::uint32_t>& hidden)
{
  AuditProblem problem;
  problem.variables = rows * columns;
  for (std::uint32_t j = 0; j < rows * columns; ++j) {
    bool is_hidden = false;
    for (const auto h : hidden) {
      is_hidden = is_hidden || h == j;
    }
    problem.cells.push_back(is_hidden ? suppressed({j})
                                      : published({j}, inner[j]));
  }
  for (std::uint32_t r = 0; r < rows; ++r) {
    std::vector<std::uint32_t> variables;
    std::uint64_t sum = 0;
    for (std::uint32_t c = 0; c < columns; ++c) {
      variables.push_back(r * columns + c);
      sum += inner[r * columns + c];
    }
    problem.cells.push_back(published(variables, sum));
  }
  for (std::uint32_t c = 0; c < columns; ++c) {
    std::vector<std::uint32_t> variables;
    std::uint64_t sum = 0;
    for (std::uint32_t r = 0; r < rows; ++r) {
      variables.push_back(r * columns + c);
      sum += inner[r * columns + c];
    }
    problem.cells.push_back(published(variables, sum));
  }
  std::vector<std::uint32_t> all;
  std::uint64_t total = 0;
  for (std::uint32_t j = 0; j < rows * columns; ++j) {
    all.push_back(j);
    total += inner[j];
  }
  problem.cells.push_back(published(all, total));
  return problem;
}

// The optimum glpsol --exact finds for `objective` (a variable of the 2×2
// table of the first case, "x11" ...) in direction `sense` ("Minimize" or
// "Maximize"), from a CPLEX LP file in `dir`; nullopt when glpsol is not on
// PATH.
std::optional<double>
glpsol_exact(const test::TempDir& dir,
             const std::string& sense,
             const std::string& objective)
{
  const auto lp = dir.path() / (sense + "-" + objective + ".lp");
  const auto solution = dir.path() / (sense + "-" + objective + ".sol");
  {
    std::ofstream out(lp);
    out << sense << "\n obj: " << objective << "\n"
        << "Subject To\n"
        << " r1: x11 + x12 = 7\n r2: x21 + x22 = 3\n"
        << " c1: x11 + x21 = 6\n c2: x12 + x22 = 4\n"
        << " t: x11 + x12 + x21 + x22 = 10\n"
        << " s11: x11 >= 1\n s12: x12 >= 1\n s21: x21 >= 1\n s22: x22 >= 1\n"
        << "End\n";
  }
  spawn::Command command;
  command.argv = {
    "glpsol", "--lp", lp.string(), "--exact", "-w", solution.string()};
  command.search_path = true;
  const auto ran = spawn::run(command);
  if (!ran) {
    return std::nullopt;
  }
  REQUIRE(ran->end == spawn::Finished::End::exited);
  REQUIRE(ran->code == 0);
  // GLPK's solution format: "s bas ROWS COLUMNS PRIMAL DUAL OBJECTIVE"
  std::ifstream in(solution);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("s bas ", 0) == 0) {
      std::istringstream fields(line);
      std::string s;
      std::string bas;
      int rows = 0;
      int columns = 0;
      std::string primal;
      std::string dual;
      double value = 0;
      fields >> s >> bas >> rows >> columns >> primal >> dual >> value;
      REQUIRE(primal == "f");
      return value;
    }
  }
  FAIL("no solution line in glpsol's output");
  return std::nullopt;
}

} // namespace

TEST_SUITE_BEGIN("disclosure");

TEST_CASE("the audit: a 2x2 table with every inner cell suppressed (the "
          "τ-ARGUS manual's example)")
{
  // x11 x12 | 7
  // x21 x22 | 3
  // ---------
  //  6   4  | 10
  // The manual gives x11 in [3,6] for cells >= 0. Suppressed cells are >= 1
  // here (zeros are published), so x21 in [1,2] and x11 = 6 - x21 in [4,5].
  AuditProblem problem = table(2, 2, {5, 2, 1, 2}, {0, 1, 2, 3});
  const auto result = disclosure::audit(problem);
  REQUIRE(result);
  CHECK_FALSE(result->infeasible);
  REQUIRE(result->intervals.size() == 4);
  const double lowers[] = {4, 2, 1, 1};
  const double uppers[] = {5, 3, 2, 2};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& interval = result->intervals[i];
    CAPTURE(i);
    CHECK(interval.cell == i);
    CHECK(interval.lower == lowers[i]);
    CHECK(interval.upper == uppers[i]);
    CHECK_FALSE(interval.unbounded);
    CHECK(interval.exact);
    // each is pinned below T=5 or above 1 (x11's upper is 5 = T, but its
    // lower 4 gives it away)
    CHECK_FALSE(interval.passes);
    CHECK_FALSE(interval.binding.empty());
  }
  CHECK(result->failing == 4);
  // one solve with no objective first (the basis every problem starts
  // from), then two simplex and two exact solves per cell
  CHECK(result->lps == 17);

  test::TempDir dir;
  const auto low = glpsol_exact(dir, "Minimize", "x11");
  if (!low) {
    MESSAGE("glpsol is not on PATH: the comparison with glpsol --exact is "
            "skipped (bash scripts/setup installs glpk-utils)");
    return;
  }
  const auto high = glpsol_exact(dir, "Maximize", "x11");
  REQUIRE(high);
  CHECK(*low == result->intervals[0].lower);
  CHECK(*high == result->intervals[0].upper);
  const auto low22 = glpsol_exact(dir, "Minimize", "x22");
  const auto high22 = glpsol_exact(dir, "Maximize", "x22");
  REQUIRE(low22);
  REQUIRE(high22);
  CHECK(*low22 == result->intervals[3].lower);
  CHECK(*high22 == result->intervals[3].upper);
}

TEST_CASE("the audit: a lone suppressed cell in a row with its total "
          "published is recovered exactly, and what gives it away is named")
{
  // a (suppressed, 4) + b 3 + c 5 = total 12
  AuditProblem problem;
  problem.variables = 3;
  problem.cells = {suppressed({0}),
                   published({1}, 3),
                   published({2}, 5),
                   published({0, 1, 2}, 12)};
  const auto result = disclosure::audit(problem);
  REQUIRE(result);
  REQUIRE(result->intervals.size() == 1);
  const auto& interval = result->intervals[0];
  CHECK(interval.cell == 0);
  CHECK(interval.lower == 4);
  CHECK(interval.upper == 4);
  CHECK(interval.exact);
  CHECK_FALSE(interval.passes);
  CHECK(result->failing == 1);
  // b, c and the total: each has a nonzero dual in both LPs
  CHECK(interval.binding == std::vector<std::size_t>{1, 2, 3});

  SUBCASE("without exact confirmation the float values agree")
  {
    const auto floated =
      disclosure::audit(problem, disclosure::AuditOptions{false});
    REQUIRE(floated);
    REQUIRE(floated->intervals.size() == 1);
    CHECK(floated->intervals[0].lower == doctest::Approx(4));
    CHECK(floated->intervals[0].upper == doctest::Approx(4));
    CHECK_FALSE(floated->intervals[0].exact);
    CHECK_FALSE(floated->intervals[0].passes);
    CHECK(floated->intervals[0].binding == std::vector<std::size_t>{1, 2, 3});
    // the solve with no objective, then the cell's two
    CHECK(floated->lps == 3);
  }
}

TEST_CASE("the audit: a hypercube of four suppressed cells at the corners "
          "of a rectangle in a 3x3 table with margins passes")
{
  //  6  8  3 | 17
  //  8  6  4 | 18
  //  2  5  7 | 14
  // ----------
  // 16 19 14 | 49
  // Suppressed: (1,1) (1,2) (2,1) (2,2). They move together by t: 6+t, 8-t,
  // 8-t, 6+t with every one >= 1, so t in [-5,7] and each is in [1,13].
  AuditProblem problem = table(3, 3, {6, 8, 3, 8, 6, 4, 2, 5, 7}, {0, 1, 3, 4});
  problem.threshold = 5;
  const auto result = disclosure::audit(problem);
  REQUIRE(result);
  CHECK_FALSE(result->infeasible);
  REQUIRE(result->intervals.size() == 4);
  const std::size_t cells[] = {0, 1, 3, 4};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& interval = result->intervals[i];
    CAPTURE(i);
    CHECK(interval.cell == cells[i]);
    CHECK(interval.lower == 1);
    CHECK(interval.upper == 13);
    CHECK(interval.exact);
    CHECK(interval.passes);
    CHECK(interval.binding.empty());
  }
  CHECK(result->failing == 0);

  SUBCASE("with T above 13 every corner fails on its upper bound")
  {
    problem.threshold = 14;
    const auto strict = disclosure::audit(problem);
    REQUIRE(strict);
    CHECK(strict->failing == 4);
    for (const auto& interval : strict->intervals) {
      CHECK(interval.upper == 13);
      CHECK_FALSE(interval.passes);
      CHECK_FALSE(interval.binding.empty());
    }
  }
}

TEST_CASE("the audit: combinations of a multi-valued dimension do not add "
          "up, and the interval says so")
{
  // x0: records with value a only, x1: b only, x2: both a and b.
  // Cell "a" = x0 + x2 (suppressed), "b" = x1 + x2 = 5, total = 9.
  // Additivity would give a = 9 - 5 = 4; in truth x0 = total - b = 4 exactly
  // and x2 is anything in [0,5], so a is in [4,9].
  AuditProblem problem;
  problem.variables = 3;
  problem.cells = {
    suppressed({0, 2}), published({1, 2}, 5), published({0, 1, 2}, 9)};
  const auto result = disclosure::audit(problem);
  REQUIRE(result);
  REQUIRE(result->intervals.size() == 1);
  const auto& interval = result->intervals[0];
  CHECK(interval.lower == 4);
  CHECK(interval.upper == 9);
  CHECK_FALSE(interval.unbounded);
  // the lower bound 4 > 1 gives away that a is not 1
  CHECK_FALSE(interval.passes);
  CHECK(result->failing == 1);
  // its minimum binds on b (dual -1) and the total (dual 1)
  CHECK(interval.binding == std::vector<std::size_t>{1, 2});

  SUBCASE("with b suppressed too, a's lower bound falls to 1 and b's "
          "interval is [1,9]")
  {
    problem.cells[1] = suppressed({1, 2});
    const auto both = disclosure::audit(problem);
    REQUIRE(both);
    REQUIRE(both->intervals.size() == 2);
    // a = 9 - x1, x1 = b - x2 >= 1 - x2; with x2 free a reaches 1 (x0 = 0,
    // x2 = 1, x1 = 8) and 9 (x1 = 0, x2 = 1)
    CHECK(both->intervals[0].lower == 1);
    CHECK(both->intervals[0].upper == 9);
    CHECK(both->intervals[1].lower == 1);
    CHECK(both->intervals[1].upper == 9);
    CHECK(both->failing == 0);
  }
}

TEST_CASE("the audit: an earlier release's slack widens the interval by the "
          "slack")
{
  // a (suppressed) + b + c = total 12, b = 3, c = 5: a is exactly 4.
  // In an earlier release b is 3±2 (late records), so a = 12 - 5 - b is in
  // [2,6]: two wider on each side.
  AuditProblem problem;
  problem.variables = 3;
  problem.cells = {suppressed({0}),
                   published({1}, 3, 2),
                   published({2}, 5),
                   published({0, 1, 2}, 12)};
  const auto result = disclosure::audit(problem);
  REQUIRE(result);
  REQUIRE(result->intervals.size() == 1);
  const auto& interval = result->intervals[0];
  CHECK(interval.lower == 2);
  CHECK(interval.upper == 6);
  CHECK_FALSE(interval.passes);
  // the lower bound fails (2 > 1): b at its upper bound 5 binds it, with c
  // and the total
  CHECK(interval.binding == std::vector<std::size_t>{1, 2, 3});

  SUBCASE("a slack larger than the value stops at zero")
  {
    // b in [0,7]: a in [1,7], a >= 1 being the suppressed row's own bound
    problem.cells[1].slack = 4;
    const auto wide = disclosure::audit(problem);
    REQUIRE(wide);
    CHECK(wide->intervals[0].lower == 1);
    CHECK(wide->intervals[0].upper == 7);
    CHECK(wide->intervals[0].passes);
    CHECK(wide->intervals[0].binding.empty());
  }
}

TEST_CASE("the audit refuses a malformed problem as invalid input")
{
  AuditProblem problem;
  problem.variables = 2;
  problem.cells = {suppressed({0}), published({0, 1}, 6)};

  SUBCASE("a variable out of range")
  {
    problem.cells[1].variables = {0, 2};
  }
  SUBCASE("a cell with no variable")
  {
    problem.cells[0].variables.clear();
  }
  SUBCASE("variables out of order")
  {
    problem.cells[1].variables = {1, 0};
  }
  SUBCASE("a variable twice")
  {
    problem.cells[1].variables = {1, 1};
  }
  SUBCASE("a published cell marked primary")
  {
    problem.cells[1].primary = true;
  }
  SUBCASE("a value beyond 2^53")
  {
    problem.cells[1].value = (std::uint64_t{1} << 53) + 1;
  }
  const auto result = disclosure::audit(problem);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == Errc::invalid_input);
}

// Two quarters' 4x5 tables (variables 0-19 and 20-39) and the year to
// date's table over both, published whole: a program in two parts that the
// year's cells join.
AuditProblem
two_quarters(const std::vector<std::uint64_t>& first,
             const std::vector<std::uint64_t>& second)
{
  AuditProblem problem = table(4, 5, first, {0, 2, 6, 8, 11, 13, 17});
  const AuditProblem later = table(4, 5, second, {3, 9, 10, 16});
  for (AuditCell cell : later.cells) {
    for (auto& j : cell.variables) {
      j += 20;
    }
    problem.cells.push_back(std::move(cell));
  }
  std::vector<std::uint64_t> year(first.size());
  for (std::size_t j = 0; j < year.size(); ++j) {
    year[j] = first[j] + second[j];
  }
  for (AuditCell cell : table(4, 5, year, {}).cells) {
    std::vector<std::uint32_t> both = cell.variables;
    for (const auto j : cell.variables) {
      both.push_back(j + 20);
    }
    cell.variables = both;
    problem.cells.push_back(std::move(cell));
  }
  problem.variables = 40;
  problem.known.assign(first.begin(), first.end());
  problem.known.insert(problem.known.end(), second.begin(), second.end());
  return problem;
}

TEST_CASE("the audit: a program in parts starts from each part's basis, and "
          "finds the same intervals")
{
  const std::vector<std::uint64_t> first = {3, 9, 2, 7, 4, 8, 1, 6, 5, 2,
                                            4, 7, 3, 9, 6, 5, 2, 8, 1, 7};
  const std::vector<std::uint64_t> second = {6, 2, 8, 1, 5, 7, 3, 9, 2, 4,
                                             1, 6, 7, 3, 8, 2, 4, 9, 6, 3};
  AuditProblem whole = two_quarters(first, second);
  AuditProblem parted = whole;
  parted.parts.assign(40, 7);
  for (std::size_t j = 20; j < 40; ++j) {
    parted.parts[j] = 3;
  }
  const auto without = disclosure::audit(whole);
  const auto with = disclosure::audit(parted);
  REQUIRE(without);
  REQUIRE(with);
  REQUIRE(with->intervals.size() == without->intervals.size());
  CHECK(with->failing == without->failing);
  // the two parts' own solves, then the whole program's
  CHECK(with->lps > without->lps);
  for (std::size_t i = 0; i < with->intervals.size(); ++i) {
    CAPTURE(i);
    CHECK(with->intervals[i].cell == without->intervals[i].cell);
    CHECK(with->intervals[i].lower == without->intervals[i].lower);
    CHECK(with->intervals[i].upper == without->intervals[i].upper);
    CHECK(with->intervals[i].passes == without->intervals[i].passes);
    CHECK(with->intervals[i].exact);
  }

  SUBCASE("a part whose own figures contradict each other")
  {
    // the first quarter's last column total one more than its cells
    parted.cells[28].value += 1;
    const auto contradicted = disclosure::audit(parted);
    REQUIRE(contradicted);
    CHECK(contradicted->infeasible);
    CHECK(contradicted->intervals.empty());
  }
  SUBCASE("a part for each variable, or none")
  {
    parted.parts.pop_back();
    const auto refused = disclosure::audit(parted);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::invalid_input);
  }
}

TEST_CASE("the audit reports published figures that contradict each other "
          "as infeasible")
{
  // x0 is published as 5, and x0 + x1 as 3
  AuditProblem problem;
  problem.variables = 2;
  problem.cells = {published({0}, 5), published({0, 1}, 3), suppressed({1})};
  const auto result = disclosure::audit(problem);
  REQUIRE(result);
  CHECK(result->infeasible);
  CHECK(result->intervals.empty());
  // no primary cell was shown to pass
  CHECK(result->failing == 1);

  SUBCASE("with nothing suppressed the contradiction is still found")
  {
    problem.cells.pop_back();
    const auto published_only = disclosure::audit(problem);
    REQUIRE(published_only);
    CHECK(published_only->infeasible);
    CHECK(published_only->failing == 0);
    CHECK(published_only->lps == 1);
  }
}

TEST_CASE("the audit takes the true counts as proof only once they meet "
          "every published figure")
{
  // A 2x2 table of 3 4 / 2 6 with its margins, nothing suppressed.
  AuditProblem problem = table(2, 2, {3, 4, 2, 6}, {});
  problem.known = {3, 4, 2, 6};
  auto trusted = disclosure::audit(problem);
  REQUIRE(trusted);
  CHECK_FALSE(trusted->infeasible);
  CHECK(trusted->lps == 0); // no program needed: the counts show agreement

  // Counts that miss a published figure prove nothing: the program is
  // solved, and a contradiction among the figures is still found.
  problem.known = {3, 4, 2, 7};
  auto solved = disclosure::audit(problem);
  REQUIRE(solved);
  CHECK_FALSE(solved->infeasible);
  CHECK(solved->lps == 1);
  problem.cells = {published({0}, 5), published({0, 1}, 3)};
  problem.variables = 2;
  problem.known = {5, 0};
  auto contradiction = disclosure::audit(problem);
  REQUIRE(contradiction);
  CHECK(contradiction->infeasible);

  // With a suppressed cell, the counts are a witness: the same verdicts as
  // without them.
  AuditProblem weak = table(2, 2, {1, 4, 2, 6}, {0});
  const auto without = disclosure::audit(weak);
  weak.known = {1, 4, 2, 6};
  const auto with = disclosure::audit(weak);
  REQUIRE(without);
  REQUIRE(with);
  CHECK(with->failing == without->failing);
  CHECK(with->failing == 1); // the lone suppressed cell is given back
}

TEST_CASE("the audit: a secondary suppressed cell gets its interval and no "
          "test, and an unbounded maximum passes")
{
  // x0 appears only in suppressed cells: nothing bounds it above.
  AuditProblem problem;
  problem.variables = 2;
  problem.cells = {suppressed({0}), suppressed({1}, false), published({1}, 3)};
  const auto result = disclosure::audit(problem);
  REQUIRE(result);
  REQUIRE(result->intervals.size() == 2);
  const auto& primary = result->intervals[0];
  CHECK(primary.lower == 1);
  CHECK(primary.unbounded);
  CHECK(primary.upper == std::numeric_limits<double>::infinity());
  CHECK(primary.exact);
  CHECK(primary.passes);
  // cell 1 is only secondary: its interval [3,3] is reported, not judged
  const auto& secondary = result->intervals[1];
  CHECK(secondary.cell == 1);
  CHECK(secondary.lower == doctest::Approx(3));
  CHECK(secondary.upper == doctest::Approx(3));
  CHECK_FALSE(secondary.exact);
  CHECK(secondary.passes);
  CHECK(result->failing == 0);
  // the solve with no objective, two simplex and two exact solves for the
  // primary, two simplex for the secondary
  CHECK(result->lps == 7);
}

TEST_CASE("the audit is deterministic, and its warm-started float solves "
          "agree with the exact ones")
{
  // a 4x5 table with seven suppressed cells, several in each row and column
  const std::vector<std::uint64_t> inner = {3, 9, 2, 7, 4, 8, 1, 6, 5, 2,
                                            4, 7, 3, 9, 6, 5, 2, 8, 1, 7};
  const AuditProblem problem = table(4, 5, inner, {0, 2, 6, 8, 11, 13, 17});
  const auto exact = disclosure::audit(problem);
  const auto again = disclosure::audit(problem);
  const auto floated =
    disclosure::audit(problem, disclosure::AuditOptions{false});
  REQUIRE(exact);
  REQUIRE(again);
  REQUIRE(floated);
  REQUIRE(exact->intervals.size() == 7);
  REQUIRE(again->intervals.size() == 7);
  REQUIRE(floated->intervals.size() == 7);
  // each with the first solve, with no objective
  CHECK(exact->lps == 29);
  CHECK(floated->lps == 15);
  CHECK(again->failing == exact->failing);
  CHECK(floated->failing == exact->failing);
  for (std::size_t i = 0; i < 7; ++i) {
    CAPTURE(i);
    const auto& one = exact->intervals[i];
    const auto& other = again->intervals[i];
    CHECK(one.cell == other.cell);
    CHECK(one.lower == other.lower);
    CHECK(one.upper == other.upper);
    CHECK(one.binding == other.binding);
    CHECK(one.exact);
    // every true value lies in its interval, and bounds are whole numbers
    // (one table with its margins: the LP's optima are integers)
    const auto value = static_cast<double>(inner[one.cell]);
    CHECK(one.lower <= value);
    CHECK(one.upper >= value);
    CHECK(one.lower == std::floor(one.lower));
    CHECK(one.upper == std::floor(one.upper));
    CHECK(floated->intervals[i].lower == doctest::Approx(one.lower));
    CHECK(floated->intervals[i].upper == doctest::Approx(one.upper));
    CHECK(floated->intervals[i].passes == one.passes);
  }
}

TEST_CASE("the audit, deciding only: the same verdicts as the full audit, "
          "each pass confirmed exactly, in fewer solves")
{
  const std::vector<std::uint64_t> inner = {3, 9, 2, 7, 4, 8, 1, 6, 5, 2,
                                            4, 7, 3, 9, 6, 5, 2, 8, 1, 7};
  // seven suppressed cells, several in each row and column: most pass
  const AuditProblem problem = table(4, 5, inner, {0, 2, 6, 8, 11, 13, 17});
  disclosure::AuditOptions deciding;
  deciding.decide_only = true;
  const auto full = disclosure::audit(problem);
  const auto decided = disclosure::audit(problem, deciding);
  const auto again = disclosure::audit(problem, deciding);
  REQUIRE(full);
  REQUIRE(decided);
  REQUIRE(again);
  REQUIRE(decided->intervals.size() == full->intervals.size());
  CHECK(decided->failing == full->failing);
  CHECK(decided->lps < full->lps);
  for (std::size_t i = 0; i < full->intervals.size(); ++i) {
    CAPTURE(i);
    const auto& one = decided->intervals[i];
    CHECK(one.cell == full->intervals[i].cell);
    CHECK(one.passes == full->intervals[i].passes);
    if (one.passes) {
      CHECK(one.exact);
    }
    // what was learnt lies inside the true interval
    CHECK(one.lower >= full->intervals[i].lower - 1e-9);
    CHECK(one.upper <= full->intervals[i].upper + 1e-9);
    // deterministic
    CHECK(one.passes == again->intervals[i].passes);
    CHECK(one.binding == again->intervals[i].binding);
  }
}

TEST_CASE("the audit, deciding only: a cell a float solve leaves at its bound "
          "of 1 is proven to reach it exactly, with no exact solve")
{
  // a (primary) + b (secondary) = 10, both suppressed (so each >= 1): a lies
  // in [1, 9]. Minimising a ends with a's row at its bound: the basis's exact
  // point (audit_vertex.hpp) has a exactly 1, which its rounded value alone
  // cannot show; maximising proves the upper side by the value 9. A first
  // solve with no objective and two float solves for a: three, b's interval
  // needing none, since those two points put b at 9 and at 1 (five when b
  // was solved both ways, seven when each of a's bounds took an exact solve
  // too).
  AuditProblem problem;
  problem.variables = 2;
  problem.cells = {
    suppressed({0}), suppressed({1}, false), published({0, 1}, 10)};
  disclosure::AuditOptions deciding;
  deciding.decide_only = true;
  const auto result = disclosure::audit(problem, deciding);
  REQUIRE(result);
  REQUIRE_FALSE(result->intervals.empty());
  CHECK(result->intervals[0].cell == 0);
  CHECK(result->intervals[0].passes);
  CHECK(result->intervals[0].exact);
  CHECK(result->intervals[0].lower == 1);
  CHECK(result->failing == 0);
  CHECK(result->lps == 3);
}

TEST_CASE("the audit, deciding only: a cell that is not primary is asked its "
          "own question, and solved only where no witness answers it")
{
  // a (primary) + b = 10; c + d = 4 with d = 3 published, so c is 1 and
  // nothing else.
  AuditProblem problem;
  problem.variables = 4;
  problem.cells = {suppressed({0}),
                   suppressed({1}, false),
                   published({0, 1}, 10),
                   suppressed({2}, false),
                   published({2, 3}, 4),
                   published({3}, 3)};
  problem.known = {4, 6, 1, 3};
  disclosure::AuditOptions deciding;
  deciding.decide_only = true;
  const auto interval_of = [](const disclosure::AuditResult& result,
                              std::size_t cell) {
    for (const auto& interval : result.intervals) {
      if (interval.cell == cell) {
        return interval;
      }
    }
    FAIL("no interval for cell " << cell);
    return disclosure::CellInterval{};
  };

  SUBCASE("no question: b spans more than one value at the witnesses, c "
          "does not and is solved, and found to be one value")
  {
    const auto result = disclosure::audit(problem, deciding);
    REQUIRE(result);
    // the first solve, a's two, c's two
    CHECK(result->lps == 5);
    const auto b = interval_of(*result, 1);
    CHECK(b.upper - b.lower > 1);
    const auto c = interval_of(*result, 3);
    CHECK(c.lower == doctest::Approx(1));
    CHECK(c.upper == doctest::Approx(1));
  }
  SUBCASE("whether b can reach 9 is answered by a witness; whether it can "
          "reach 10 takes a solve, which says no")
  {
    problem.cells[3].at_least = 1; // c: answered by the true counts
    problem.cells[1].at_least = 9;
    const auto nine = disclosure::audit(problem, deciding);
    REQUIRE(nine);
    CHECK(nine->lps == 3);
    CHECK(interval_of(*nine, 1).upper >= 9 - 1e-9);
    CHECK(interval_of(*nine, 1).binding.empty());
    problem.cells[1].at_least = 10;
    const auto ten = disclosure::audit(problem, deciding);
    REQUIRE(ten);
    CHECK(ten->lps == 4);
    CHECK(interval_of(*ten, 1).upper == doctest::Approx(9));
    // a no names what pins it, for the search to suppress next: a + b = 10
    CHECK(interval_of(*ten, 1).binding == std::vector<std::size_t>{2});
  }
  SUBCASE("whether c can fall to 0 takes a solve, which says no")
  {
    problem.cells[3].at_most = 0;
    const auto result = disclosure::audit(problem, deciding);
    REQUIRE(result);
    CHECK(result->lps == 4);
    CHECK(interval_of(*result, 3).lower == doctest::Approx(1));
    // c + d = 4 and d = 3 pin it
    const auto binding = interval_of(*result, 3).binding;
    CHECK_FALSE(binding.empty());
    for (const auto cell : binding) {
      CHECK((cell == 4 || cell == 5));
    }
  }
}

TEST_CASE("the audit, deciding only: what one round proved carries to a "
          "program that widens it, and to no other")
{
  const std::vector<std::uint64_t> inner = {3, 9, 2, 7, 4, 8, 1, 6, 5, 2,
                                            4, 7, 3, 9, 6, 5, 2, 8, 1, 7};
  const AuditProblem first = table(4, 5, inner, {0, 2, 6, 8, 11, 13, 17});
  disclosure::AuditOptions deciding;
  deciding.decide_only = true;
  const auto proven = disclosure::audit(first, deciding);
  REQUIRE(proven);
  REQUIRE(proven->proofs);

  const auto same_verdicts = [](const disclosure::AuditResult& a,
                                const disclosure::AuditResult& b) {
    REQUIRE(a.intervals.size() == b.intervals.size());
    CHECK(a.failing == b.failing);
    for (std::size_t i = 0; i < a.intervals.size(); ++i) {
      CAPTURE(i);
      CHECK(a.intervals[i].cell == b.intervals[i].cell);
      CHECK(a.intervals[i].passes == b.intervals[i].passes);
      if (a.intervals[i].passes && b.intervals[i].exact) {
        CHECK(a.intervals[i].exact);
      }
    }
  };
  disclosure::AuditOptions carrying = deciding;
  carrying.proven = &*proven->proofs;

  SUBCASE("the next round suppresses one more cell: the same verdicts as "
          "a fresh audit, in fewer solves")
  {
    AuditProblem next = first;
    next.cells[1] = suppressed({1}, false);
    const auto fresh = disclosure::audit(next, deciding);
    const auto carried = disclosure::audit(next, carrying);
    REQUIRE(fresh);
    REQUIRE(carried);
    same_verdicts(*carried, *fresh);
    CHECK(carried->lps < fresh->lps);
  }
  SUBCASE("a program that publishes a cell the first suppressed is narrower: "
          "the proofs are ignored")
  {
    AuditProblem narrower = first;
    narrower.cells[0] = published({0}, inner[0]);
    const auto fresh = disclosure::audit(narrower, deciding);
    const auto carried = disclosure::audit(narrower, carrying);
    REQUIRE(fresh);
    REQUIRE(carried);
    same_verdicts(*carried, *fresh);
    CHECK(carried->lps == fresh->lps);
  }
}

TEST_CASE("the audit, deciding only: a proof of a wider program does not "
          "pass a cell the narrower one pins")
{
  // a (primary) + b (secondary) = 10 lets a lie in [1, 9]: it passes. Once b
  // is published as 9, a is 1 exactly and fails; the first audit's points
  // with a at 5 and more are not points of the second.
  AuditProblem wide;
  wide.variables = 2;
  wide.cells = {suppressed({0}), suppressed({1}, false), published({0, 1}, 10)};
  disclosure::AuditOptions deciding;
  deciding.decide_only = true;
  const auto proven = disclosure::audit(wide, deciding);
  REQUIRE(proven);
  REQUIRE(proven->proofs);
  CHECK(proven->failing == 0);

  AuditProblem narrow = wide;
  narrow.cells[1] = published({1}, 9);
  deciding.proven = &*proven->proofs;
  const auto result = disclosure::audit(narrow, deciding);
  REQUIRE(result);
  CHECK(result->failing == 1);
  REQUIRE_FALSE(result->intervals.empty());
  CHECK_FALSE(result->intervals[0].passes);
}

TEST_CASE("the audit, deciding only: a planted weak cell is still caught, "
          "with what pins it, exact or not")
{
  // a (suppressed, 4) + b 3 + c 5 = total 12
  AuditProblem problem;
  problem.variables = 3;
  problem.cells = {suppressed({0}),
                   published({1}, 3),
                   published({2}, 5),
                   published({0, 1, 2}, 12)};
  for (const bool confirm : {true, false}) {
    CAPTURE(confirm);
    disclosure::AuditOptions deciding;
    deciding.decide_only = true;
    deciding.confirm_exact = confirm;
    const auto result = disclosure::audit(problem, deciding);
    REQUIRE(result);
    REQUIRE(result->intervals.size() == 1);
    CHECK(result->failing == 1);
    CHECK_FALSE(result->intervals[0].passes);
    CHECK(result->intervals[0].binding == std::vector<std::size_t>{1, 2, 3});
    // a fails below and is not asked above: the first solve, the batch
    // minimisation and maximisation, and a's lower bound (one more when its
    // upper bound was solved too, against what decide_only says)
    CHECK(result->lps == 4);
  }

  SUBCASE("a hidden cell known non-empty and below T fails; one that may be "
          "empty passes")
  {
    // the difference a + b of two suppressed cells whose sum is pinned at 3
    AuditProblem hidden;
    hidden.variables = 3;
    AuditCell difference = suppressed({0, 1});
    difference.hidden = true;
    hidden.cells = {suppressed({0}, false),
                    published({0, 1}, 3),
                    published({2}, 6),
                    difference};
    disclosure::AuditOptions deciding;
    deciding.decide_only = true;
    const auto pinned = disclosure::audit(hidden, deciding);
    REQUIRE(pinned);
    CHECK(pinned->failing == 1);
    hidden.cells[1] = published({1}, 3); // a alone: suppressed, unbounded
    hidden.cells[3].variables = {0, 2};
    const auto open = disclosure::audit(hidden, deciding);
    REQUIRE(open);
    CHECK(open->failing == 0);
    CHECK(open->intervals.back().exact);
  }
}

TEST_SUITE_END();
