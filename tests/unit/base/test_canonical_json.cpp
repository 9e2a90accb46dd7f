// Canonical JSON: one encoding per value, and everything else rejected.
#include <custody/base/canonical_json.hpp>

#include <doctest/doctest.h>

using namespace custody;

TEST_SUITE_BEGIN("canonical_json");

TEST_CASE("keys are sorted by code point and nothing is spaced")
{
  json::Json value = {
    {"b", 1}, {"a", {{"\xc3\xa9", true}, {"z", nullptr}}}, {"B", "x"}};
  CHECK(json::canonical(value) == R"({"B":"x","a":{"z":null,"é":true},"b":1})");
}

TEST_CASE("strings escape only what JSON requires, with short forms")
{
  json::Json value = std::string("a\"b\\c\n\t\x01/é\x7f");
  CHECK(json::canonical(value) == "\"a\\\"b\\\\c\\n\\t\\u0001/é\x7f\"");
}

TEST_CASE("parse_canonical accepts exactly the canonical encoding")
{
  const std::string line = R"({"a":[1,-2,"x"],"b":{"c":0}})";
  CHECK(json::parse_canonical(line).has_value());
  SUBCASE("whitespace")
  {
    CHECK_FALSE(json::parse_canonical(R"({"a": 1})"));
  }
  SUBCASE("key order")
  {
    CHECK_FALSE(json::parse_canonical(R"({"b":1,"a":2})"));
  }
  SUBCASE("duplicate keys")
  {
    auto result = json::parse_canonical(R"({"a":1,"a":1})");
    REQUIRE_FALSE(result);
    CHECK(result.error().message.find("duplicate key") != std::string::npos);
  }
  SUBCASE("floats and exponents")
  {
    CHECK_FALSE(json::parse_canonical(R"({"a":1.0})"));
    CHECK_FALSE(json::parse_canonical(R"({"a":1e3})"));
  }
  SUBCASE("alternative escapes")
  {
    CHECK_FALSE(json::parse_canonical(R"({"a":"\u0041"})"));
    CHECK_FALSE(json::parse_canonical(R"({"a":"\/"})"));
  }
  SUBCASE("invalid UTF-8")
  {
    CHECK_FALSE(json::parse_canonical("{\"a\":\"\xff\"}"));
  }
  SUBCASE("trailing bytes")
  {
    CHECK_FALSE(json::parse_canonical(line + "\n"));
  }
}

TEST_CASE("parse_strict finds duplicates in nested objects")
{
  CHECK_FALSE(json::parse_strict(R"({"x":{"a":1, "a":2}})"));
  CHECK(json::parse_strict(R"({"x":{"a":1}, "y":{"a":2}})").has_value());
}

TEST_CASE("a number too large for a double is invalid input, not an exception")
{
  // Found by fuzz/canonical_json.cpp: nlohmann throws out_of_range for it.
  auto parsed = json::parse_canonical(R"({"a":[1,27e526]})");
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().code == Errc::invalid_input);
  CHECK_FALSE(json::parse_strict("1e999"));
}

TEST_SUITE_END();
