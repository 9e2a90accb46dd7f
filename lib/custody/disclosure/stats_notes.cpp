// The notes of a statistics release (stats_notes.hpp).
#include <custody/disclosure/stats_notes.hpp>

#include <fmt/format.h>

namespace custody::disclosure {

namespace {

std::string
cell_key_method(const StatsRelease& release)
{
  const auto& params = release.p_table;
  return fmt::format(
    "Method: the cell-key method. Every count is published with a "
    "perturbation of at most {} either way, unbiased, of variance {} for "
    "counts above {}, drawn by a key of the persons counted: the same persons "
    "give the same perturbation in every table and every release. No count "
    "from 1 to {} is published. Totals are perturbed on their own, so cells "
    "need not add up to them. Medians are shown when at least {} persons stand "
    "behind them.",
    params.value("max_perturbation", 0U),
    params.value("variance", std::string()),
    params.value("small_counts", 0U) + params.value("max_perturbation", 0U),
    params.value("small_counts", 0U),
    release.threshold);
}

std::string
suppression_method(const StatsRelease& release)
{
  return fmt::format(
    "Method: cells of 1 to {} distinct persons are suppressed, with more "
    "cells beside them, until an exact linear-programming audit over every "
    "table of this release and {} table{} of earlier releases shows that "
    "each could hold as few as 1 report and as many as {} ({} cells, {} "
    "suppressed, {} linear programs).",
    release.threshold - 1,
    release.audit.earlier_tables,
    release.audit.earlier_tables == 1 ? "" : "s",
    release.threshold,
    release.audit.cells,
    release.audit.suppressed,
    release.audit.lps);
}

} // namespace

StatsNotes
stats_notes(const StatsRelease& release, std::string_view organisation)
{
  StatsNotes notes;
  notes.statement = fmt::format(
    "Documented reports received by {}, not prevalence: most violence is never "
    "reported.",
    organisation.empty() ? std::string_view("the organisation") : organisation);
  notes.counting = "A report is one person's account of one incident: "
                   "reports of one event by two people count twice. A report "
                   "naming several types or perpetrators counts once in each; "
                   "totals count distinct reports, not the sum of the cells. "
                   "The period is the incident's month.";
  notes.method = release.method == "cellkey" ? cell_key_method(release)
                                             : suppression_method(release);
  return notes;
}

} // namespace custody::disclosure
