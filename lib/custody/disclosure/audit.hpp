// The exact disclosure audit of a statistics release: for every suppressed
// cell, the smallest and the largest value an attacker can deduce from what
// is published, by linear programming (GLPK).
//
// The model. The caller builds unknown non-negative counts x_0..x_{n-1}, one
// per full combination of the published dimensions' values (a record with
// several values in a multi-valued dimension falls in a combination of its
// own, so cells need not add up). Every cell, published or suppressed, is the
// sum of a set of the x_j, each with coefficient 1. The attacker knows:
//   - a published cell:  value - slack <= sum <= value + slack (the lower
//     side clamped at 0). Slack is 0 for the current release; for an earlier
//     release it models late records and amendments as bounded changes;
//   - a suppressed cell: sum >= 1 (zeros are published as 0), and no upper
//     bound;
//   - every x_j >= 0.
// The x_j are continuous: this is the LP relaxation of the integer problem,
// so the interval found for a cell contains the one an attacker solving in
// integers would find. A cell that fails here fails in integers too. A pass
// holds against an attacker solving the LP; it is exact for a table whose
// constraint matrix is totally unimodular (one two-dimensional table with its
// margins, whose LP optima are integers), but where tables are linked or
// have three or more dimensions the integer interval can be narrower than
// this one, and a pass here is not a proof against integer reasoning.
//
// The test. A primary-suppressed cell passes when the attacker can rule out
// neither 1 nor the threshold T: lower <= 1 and (upper unbounded or
// upper >= T). Secondary (non-primary) suppressed cells get their interval
// but no test.
//
// The solve. A row per cell; for each suppressed cell its row's coefficients
// become the objective, minimised then maximised with the simplex method,
// each solve starting from the last optimal basis. A first solve with no
// objective finds the basis two copies of the problem start from, each on a
// core of its own: the cells are split between them by a fixed rule (not by
// the number of cores), so every machine solves the same sequence. With
// `confirm_exact`, each primary cell's two LPs are solved again in rational
// arithmetic (glp_exact) from the float optimal basis, and those values are
// the ones reported.
//
// Witnesses (decide_only). A point that satisfies every constraint exactly
// is a release a reader cannot rule out, so any primary cell it gives T or
// more (1 or less, 0 for a hidden cell) is proven to have upper >= T (lower
// <= 1), exactly; such a proof stands in for the cell's own LP and exact
// solve. Witnesses are the true counts (`known`, checked in integers), the
// points of exact solves, and the exact points of the bases float solves end
// at (audit_vertex.hpp: no glp_exact, so that even a searching audit's
// verdicts can be exact). Before the cells are
// solved one by one, the sum of the primary cells not yet proven is
// minimised on one problem and maximised on the other, so that one solve
// can prove many cells.
//
// GLPK's terminal output is switched off while the audit
// runs (and restored after): the library prints nothing.
#pragma once

#include <custody/base/error.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace custody::disclosure {

struct AuditCell
{
  // indices into the x_j, sorted, no duplicates
  std::vector<std::uint32_t> variables;
  bool suppressed = false;
  // a primary-suppressed cell: the audit's test applies to it
  bool primary = false;
  // the published value (ignored when suppressed)
  std::uint64_t value = 0;
  // published: value±slack
  std::uint64_t slack = 0;
  // Not published at all (with `suppressed` set): no constraint, only its
  // interval. What two releases' cells differ by is such a cell. A primary
  // hidden cell passes when the reader cannot tell it is non-empty
  // (lower <= 0) or cannot bound it below T.
  bool hidden = false;
  // A suppressed cell that is not primary, under decide_only: the question
  // its caller has, when it has one: whether the cell can take `at_most` or
  // less, and whether `at_least` or more (to within the float tolerance).
  // With neither, its interval is solved, unless witnesses already show it
  // is not one value (what a caller asking whether it is determined needs).
  std::optional<std::uint64_t> at_most;
  std::optional<std::uint64_t> at_least;
};

struct AuditProblem
{
  std::uint32_t variables = 0;
  std::vector<AuditCell> cells;
  // T
  std::uint64_t threshold = 5;
  // The true count of each x_j, when the caller has them (else empty): a
  // point that should meet every constraint. The audit checks it in integers
  // before it trusts it, as a witness and, when nothing is suppressed, as
  // the proof that the published figures agree.
  std::vector<std::uint64_t> known;
  // Optional (else empty): a part number for each x_j, where the program
  // falls into parts that only some cells join (a year to date over its
  // quarters: each quarter's tables lie within its own records). The first
  // solve then finds a basis for each part's own cells alone, and mends the
  // cells that join parts from there, rather than solving the whole program
  // from nothing. Only where the first solve starts; it changes no bound.
  std::vector<std::uint32_t> parts;
};

struct CellInterval
{
  // index into problem.cells (suppressed cells only)
  std::size_t cell = 0;
  double lower = 0;
  // +infinity when unbounded
  double upper = 0;
  // the max LP is unbounded
  bool unbounded = false;
  // The verdict proven exactly: by glp_exact (with confirm_exact), or by a
  // witness (with decide_only, in any audit). With decide_only, a cell found
  // failing in floating point is not confirmed (false).
  bool exact = false;
  // primary only: lower <= 1 and (unbounded or upper >= T); true for the
  // others
  bool passes = true;
  // The published cells whose constraints bind the failing bound (nonzero
  // dual / row at a bound in the optimal basis of the failing LP):
  // candidates for secondary suppression. Sorted, no duplicates; the union
  // of both LPs' when both bounds fail; empty when the cell passes. For a
  // cell that is not primary, those of the solve that answered its question
  // (AuditCell's at_most, at_least) no.
  std::vector<std::size_t> binding;
};

// What one audit proved, for the next audit of a program that only widens
// this one: the same cells over the same variables, each constraint the same
// or looser (a published cell suppressed, as the search for a safe pattern
// does round after round). Every point of this program is then a point of
// that one, so a bound a witness proved here stands there too, and that
// audit need not prove it again. The audit checks the widening itself and
// ignores proofs of a program the new one does not contain.
struct AuditProofs
{
  // the program proven
  AuditProblem problem;
  // per cell: shown to take its lower target (1; 0 when hidden) or less,
  // and T or more: exactly, and (low_float, high_float) in floating point
  std::vector<bool> low;
  std::vector<bool> high;
  std::vector<bool> low_float;
  std::vector<bool> high_float;
  // per cell: the least and most value seen at a witness
  std::vector<double> least;
  std::vector<double> most;
  // the last basis's statuses (GLPK's), a warm start for the next audit
  std::vector<int> row_status;
  std::vector<int> column_status;
};

struct AuditOptions
{
  // Every primary verdict on the safe side proven exactly, by glp_exact when
  // no witness does it. Without it (a searching round), a safe verdict is
  // exact only where a witness came cheap, and, once exact points have
  // stopped, a float witness (a float point's value within 1e-9) settles a
  // bound.
  bool confirm_exact = true;
  // Decide each primary cell's test, and no more: a bound is not solved when
  // a witness (below) already settles it, a float bound that fails is not
  // solved again exactly (failing is the safe side), and a cell that fails
  // on its first bound is not asked the other. The reported interval of a
  // primary cell is then what was learnt: a solved bound's optimum, or else
  // the least (most) value the cell took in a witness, which is inside the
  // interval. A non-primary cell is asked its own question (AuditCell's
  // at_most, at_least) and reported the same way.
  bool decide_only = false;
  // An earlier audit's proofs (decide_only), used when `problem` widens
  // its program.
  const AuditProofs* proven = nullptr;
};

struct AuditResult
{
  // one per suppressed cell, in cell order
  std::vector<CellInterval> intervals;
  // primary cells that do not pass
  std::size_t failing = 0;
  // LPs solved: every simplex and every exact solve counts one
  std::uint64_t lps = 0;
  // Simplex iterations, float and exact, in all those LPs: the audit's work,
  // a figure that does not depend on the machine as its seconds do.
  std::uint64_t iterations = 0;
  // The published figures contradict each other (a caller bug). Then
  // `intervals` is empty and `failing` counts every primary cell: none was
  // shown to pass.
  bool infeasible = false;
  // what this audit proved (decide_only), for the next round's
  std::optional<AuditProofs> proofs;
};

// Audits `problem`. Errc::invalid_input when a cell names no variable, a
// variable out of range or twice or out of order, a published cell is marked
// primary, a published value±slack is beyond 2^53 (not exact as a double),
// or the problem exceeds GLPK's limits (10^8 variables or cells, 5*10^8
// variables named in all); Errc::internal when GLPK fails.
[[nodiscard]] Result<AuditResult> audit(const AuditProblem& problem,
                                        const AuditOptions& options = {});

} // namespace custody::disclosure
