// Periods as people write them.
#include <custody/records/period.hpp>

#include <doctest/doctest.h>

using namespace custody;

TEST_SUITE_BEGIN("period");

TEST_CASE("a year, a quarter (either case) and a month give their months")
{
  auto year = records::parse_period("2026");
  REQUIRE(year);
  CHECK(year->from_month == "2026-01");
  CHECK(year->to_month == "2026-12");
  for (const char* text : {"2026-Q3", "2026-q3"}) {
    auto quarter = records::parse_period(text);
    REQUIRE(quarter);
    CHECK(quarter->from_month == "2026-07");
    CHECK(quarter->to_month == "2026-09");
  }
  auto first = records::parse_period("2025-Q1");
  REQUIRE(first);
  CHECK(first->from_month == "2025-01");
  CHECK(first->to_month == "2025-03");
  auto month = records::parse_period("2026-07");
  REQUIRE(month);
  CHECK(month->from_month == "2026-07");
  CHECK(month->to_month == "2026-07");
}

TEST_CASE("anything else is refused, naming the text")
{
  for (const char* text : {"",
                           "26",
                           "2026-Q5",
                           "2026-Q0",
                           "2026-13",
                           "2026-00",
                           "2026-7",
                           "2026Q3",
                           "2026-07-01",
                           "Q3-2026",
                           "２０２６"}) {
    CAPTURE(text);
    auto period = records::parse_period(text);
    REQUIRE_FALSE(period);
    CHECK(period.error().code == Errc::invalid_input);
    CHECK(period.error().message.find(text) != std::string::npos);
  }
}

TEST_SUITE_END();
