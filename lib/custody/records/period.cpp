// Period parsing (period.hpp).
#include <custody/records/period.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cctype>

namespace custody::records {

namespace {

bool
digits(std::string_view text)
{
  return std::ranges::all_of(text, [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

} // namespace

Result<Period>
parse_period(std::string_view text)
{
  if (text.size() >= 4 && digits(text.substr(0, 4))) {
    const std::string year(text.substr(0, 4));
    if (text.size() == 4) {
      return Period{year + "-01", year + "-12"};
    }
    if (text.size() == 7 && text[4] == '-' && (text[5] == 'Q' || text[5] == 'q')
        && text[6] >= '1' && text[6] <= '4') {
      const int quarter = text[6] - '0';
      return Period{fmt::format("{}-{:02}", year, quarter * 3 - 2),
                    fmt::format("{}-{:02}", year, quarter * 3)};
    }
    if (text.size() == 7 && text[4] == '-' && digits(text.substr(5, 2))) {
      const int month = (text[5] - '0') * 10 + (text[6] - '0');
      if (month >= 1 && month <= 12) {
        return Period{std::string(text), std::string(text)};
      }
    }
  }
  return make_error(
    Errc::invalid_input,
    fmt::format("\"{}\" is not a period: write YYYY, YYYY-Qn or YYYY-MM", text),
    "for example 2026, 2026-Q3 or 2026-07");
}

} // namespace custody::records
