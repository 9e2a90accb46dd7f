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

TEST_CASE("the options: --period, or --from and --to, either end open")
{
  auto none = records::period_of_options("", "", "");
  REQUIRE(none);
  CHECK_FALSE(*none);
  auto quarter = records::period_of_options("2026-q3", "", "");
  REQUIRE(quarter);
  CHECK((*quarter)->from_month == "2026-07");
  auto range = records::period_of_options("", "2025", "2026-Q1");
  REQUIRE(range);
  CHECK((*range)->from_month == "2025-01");
  CHECK((*range)->to_month == "2026-03");
  auto from = records::period_of_options("", "2025-Q2", "");
  REQUIRE(from);
  CHECK((*from)->from_month == "2025-04");
  CHECK((*from)->to_month == "9999-12");
  auto to = records::period_of_options("", "", "2025");
  REQUIRE(to);
  CHECK((*to)->from_month == "0000-01");
  CHECK((*to)->to_month == "2025-12");

  auto both = records::period_of_options("2025", "2025-01", "");
  REQUIRE_FALSE(both);
  CHECK(both.error().code == Errc::usage);
  auto bad_to = records::period_of_options("", "2025", "2025-13");
  REQUIRE_FALSE(bad_to);
  CHECK(bad_to.error().code == Errc::invalid_input);
  CHECK(bad_to.error().message.find("--to") != std::string::npos);
  auto empty = records::period_of_options("", "2026", "2025");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code == Errc::invalid_input);
}

TEST_CASE("place: months in or out, a year alone in whole years only")
{
  using records::Placed;
  const records::Period q3{"2025-07", "2025-09"};
  const records::Period year{"2025-01", "2025-12"};
  CHECK(records::place("2025-08", q3) == Placed::in);
  CHECK(records::place("2025-10", q3) == Placed::out);
  CHECK(records::place("2025", q3) == Placed::year_only);
  CHECK(records::place("2025", year) == Placed::in);
  CHECK(records::place("2024", year) == Placed::out);
  CHECK(records::place("", year) == Placed::out);
  CHECK(records::place("2025-1", year) == Placed::out);
}

TEST_SUITE_END();
