// Periods as people write them (2026, 2026-Q3, 2026-07) and the months they
// cover: one parser for list, stats and export recipes.
#pragma once

#include <custody/base/error.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace custody::records {

// A run of whole months, both ends included, each as YYYY-MM.
struct Period
{
  std::string from_month;
  std::string to_month;
};

// "2026" is 2026-01..2026-12, "2026-Q3" (or "2026-q3") 2026-07..2026-09,
// "2026-07" that month alone. Errc::invalid_input naming the text otherwise.
[[nodiscard]] Result<Period> parse_period(std::string_view text);

// From the first month of `from` to the last of `to`, each as parse_period()
// reads it; Errc::invalid_input when it is empty (to before from).
[[nodiscard]] Result<Period> parse_period_range(std::string_view from,
                                                std::string_view to);

// The period the options --period, or --from and --to, give (and a recipe's
// keys of the same names): nullopt when none is given. Errc::usage when
// --period comes with --from or --to; a range with one end open (only --from,
// or only --to) runs from or to every month. Errors name the option.
[[nodiscard]] Result<std::optional<Period>> period_of_options(
  std::string_view period, std::string_view from, std::string_view to);

// Where a record dated to `month` (YYYY-MM, or YYYY when only the year is
// known) falls against `period`: a month in or out of it; a year-only date in
// a period of whole years that holds its year is in it, and within the
// period's years otherwise `year_only` (it may or may not fall in it); any
// other text is out.
enum class Placed { in, out, year_only };
Placed place(std::string_view month, const Period& period);

// Errc::invalid_input when `period` begins after the current month (UTC): no
// report can fall in it yet.
[[nodiscard]] Result<void> check_begun(const Period& period);

} // namespace custody::records
