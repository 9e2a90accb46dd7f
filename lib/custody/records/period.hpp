// Periods as people write them (2026, 2026-Q3, 2026-07) and the months they
// cover: one parser for list, stats and export recipes.
#pragma once

#include <custody/base/error.hpp>

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

// Errc::invalid_input when `period` begins after the current month (UTC): no
// report can fall in it yet.
[[nodiscard]] Result<void> check_begun(const Period& period);

} // namespace custody::records
