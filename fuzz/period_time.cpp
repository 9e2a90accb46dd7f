// Periods (list, stats, recipes) and the RFC 3339 check: text a person types.
// A period that parses must be a non-empty run of valid months, the same for
// both spellings of a quarter.
#include "fuzz.hpp"

#include <custody/base/time.hpp>
#include <custody/records/period.hpp>

#include <cstdlib>
#include <string>

namespace {

bool
valid_month(const std::string& month)
{
  if (month.size() != 7 || month[4] != '-') {
    return false;
  }
  const int value = (month[5] - '0') * 10 + (month[6] - '0');
  return value >= 1 && value <= 12;
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const auto text = custody::fuzz::text(data, size);
  (void)custody::time::is_date_or_rfc3339(text);
  const auto period = custody::records::parse_period(text);
  if (period
      && (!valid_month(period->from_month) || !valid_month(period->to_month)
          || period->to_month < period->from_month)) {
    std::abort();
  }
  return 0;
}
