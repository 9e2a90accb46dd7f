// The words every output of a statistics release carries beside its figures
// (the terminal, CSV, JSON and the XLSX "About these figures" sheet): what
// the figures are, what one count is and how small counts were protected,
// so that a reader does not take them for more than they are (docs/stats.md
// section 3).
#pragma once

#include <custody/disclosure/stats_release.hpp>

#include <string>
#include <string_view>

namespace custody::disclosure {

struct StatsNotes
{
  // documented reports received by the organisation, not prevalence
  std::string statement;
  // a count is of reports, one person's account of one incident
  std::string counting;
  // the method that protected the release, with its figures
  std::string method;
};

// The notes of `release`. `organisation` names who received the reports:
// the recipe's or the command line's label, since the organisation's name is
// in the identity compartment, which a data member cannot open; empty gives
// "the organisation".
StatsNotes stats_notes(const StatsRelease& release,
                       std::string_view organisation);

} // namespace custody::disclosure
