// Period parsing (period.hpp).
#include <custody/records/period.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <ctime>

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

Result<Period>
parse_period_range(std::string_view from, std::string_view to)
{
  CUSTODY_ASSIGN_CTX(first, parse_period(from), "--from");
  CUSTODY_ASSIGN_CTX(last, parse_period(to), "--to");
  if (last.to_month < first.from_month) {
    return make_error(
      Errc::invalid_input,
      fmt::format("the period from {} to {} is empty", from, to),
      "the first period must come before the last");
  }
  return Period{first.from_month, last.to_month};
}

Result<std::optional<Period>>
period_of_options(std::string_view period,
                  std::string_view from,
                  std::string_view to)
{
  if (!period.empty() && (!from.empty() || !to.empty())) {
    return make_error(Errc::usage,
                      "--period cannot be given with --from or --to");
  }
  if (!period.empty()) {
    CUSTODY_ASSIGN_CTX(parsed, parse_period(period), "--period");
    return std::optional(parsed);
  }
  if (from.empty() && to.empty()) {
    return std::optional<Period>();
  }
  if (!from.empty() && !to.empty()) {
    CUSTODY_ASSIGN(between, parse_period_range(from, to));
    return std::optional(between);
  }
  Period open{"0000-01", "9999-12"};
  if (!from.empty()) {
    CUSTODY_ASSIGN_CTX(first, parse_period(from), "--from");
    open.from_month = first.from_month;
  } else {
    CUSTODY_ASSIGN_CTX(last, parse_period(to), "--to");
    open.to_month = last.to_month;
  }
  return std::optional(open);
}

Placed
place(std::string_view month, const Period& period)
{
  if (month.size() == 7) {
    return month >= period.from_month && month <= period.to_month ? Placed::in
                                                                  : Placed::out;
  }
  if (month.size() != 4 || month < period.from_month.substr(0, 4)
      || month > period.to_month.substr(0, 4)) {
    return Placed::out;
  }
  const bool whole_years =
    period.from_month.ends_with("-01") && period.to_month.ends_with("-12");
  return whole_years ? Placed::in : Placed::year_only;
}

Result<void>
check_begun(const Period& period)
{
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  const std::string current =
    fmt::format("{:04}-{:02}", utc.tm_year + 1900, utc.tm_mon + 1);
  if (period.from_month > current) {
    return make_error(
      Errc::invalid_input,
      fmt::format("the period starts in {}, in the future", period.from_month),
      "give a period that has begun");
  }
  return {};
}

} // namespace custody::records
