// Dates and RFC 3339 times.
#include <custody/base/time.hpp>

#include <doctest/doctest.h>

using namespace custody;

TEST_SUITE_BEGIN("time");

TEST_CASE("dates and RFC 3339 times with an offset are accepted")
{
  for (const char* text : {"2025-03-14",
                           "2024-02-29",
                           "2025-03-14T21:40:00+03:00",
                           "2025-03-14T21:40+03:00",
                           "2025-03-14T18:40:00Z",
                           "2025-03-14T18:40Z",
                           "2016-12-31T23:59:60Z",
                           "2025-03-14T21:40:00-05:30"}) {
    CAPTURE(text);
    CHECK(time::is_date_or_rfc3339(text));
  }
}

TEST_CASE("times without an offset, and fields out of range, are refused")
{
  for (const char* text : {"",
                           "2025",
                           "2025-03",
                           "2025-3-14",
                           "2025-13-01",
                           "2025-02-29",
                           "2025-04-31",
                           "2025-03-00",
                           "2025-03-14T21:40:00",
                           "2025-03-14T24:00:00Z",
                           "2025-03-14T21:60Z",
                           "2025-03-14 21:40Z",
                           "2025-03-14T21:40:00+3:00",
                           "2025-03-14T21:40:00+03:60",
                           "2025-03-14T21:40:00.5Z",
                           "14/03/2025"}) {
    CAPTURE(text);
    CHECK_FALSE(time::is_date_or_rfc3339(text));
  }
}

TEST_SUITE_END();
