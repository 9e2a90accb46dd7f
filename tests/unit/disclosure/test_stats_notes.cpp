// The notes a statistics release carries: the statement, what a count is, and
// the method with the release's own figures.
#include <custody/disclosure/stats_notes.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace custody;

TEST_SUITE_BEGIN("disclosure");

TEST_CASE("a release's notes: documented reports, not prevalence; the method "
          "with the release's threshold and audit")
{
  disclosure::StatsRelease release;
  release.threshold = 7;
  release.audit.cells = 120;
  release.audit.suppressed = 9;
  release.audit.lps = 44;
  release.audit.earlier_tables = 1;

  const auto named = disclosure::stats_notes(release, "Kilima Safe Nights");
  CHECK(named.statement
        == "Documented reports received by Kilima Safe Nights, not "
           "prevalence: most violence is never reported.");
  CHECK(named.counting.find("count twice") != std::string::npos);
  CHECK(named.counting.find("not the sum of the cells") != std::string::npos);
  CHECK(named.method
        == "Method: cells of 1 to 6 distinct persons are suppressed, with "
           "more cells beside them, until an exact linear-programming audit "
           "over every table of this release and 1 table of earlier releases "
           "shows that each could hold as few as 1 report and as many as 7 "
           "(120 cells, 9 suppressed, 44 linear programs).");

  const auto unnamed = disclosure::stats_notes(release, "");
  CHECK(unnamed.statement.find("received by the organisation,")
        != std::string::npos);
  release.audit.earlier_tables = 2;
  CHECK(disclosure::stats_notes(release, "").method.find("2 tables of earlier")
        != std::string::npos);

  SUBCASE("the cell-key method states its p-table's bounds, never a "
          "suppression")
  {
    release.method = "cellkey";
    release.p_table = {
      {"max_perturbation", 2}, {"variance", "0.5"}, {"small_counts", 4}};
    const auto method = disclosure::stats_notes(release, "").method;
    CHECK(method.find("perturbation of at most 2 either way")
          != std::string::npos);
    CHECK(method.find("variance 0.5 for counts above 6") != std::string::npos);
    CHECK(method.find("No count from 1 to 4 is published")
          != std::string::npos);
    CHECK(method.find("suppressed") == std::string::npos);
  }
}

TEST_SUITE_END();
