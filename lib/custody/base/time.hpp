// Dates and times as custody writes and accepts them.
#pragma once

#include <string_view>

namespace custody::time {

// A date (YYYY-MM-DD) or an RFC 3339 date-time with its offset
// (2026-03-14T21:40:00+03:00, 2026-03-14T18:40Z; seconds optional), each
// field within its range.
bool is_date_or_rfc3339(std::string_view text);

} // namespace custody::time
