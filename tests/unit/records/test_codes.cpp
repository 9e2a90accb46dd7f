// Interned codes: a statistics row's fields read as their text, equal codes
// are one, and rows built anywhere share them.
#include <custody/records/codes.hpp>
#include <custody/records/index.hpp>

#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

using custody::index::Code;
using custody::index::CodeList;

TEST_SUITE_BEGIN("index");

TEST_CASE("a code reads as its text and equal codes are one")
{
  const Code first("violence.denial_of_care.pep_refused");
  const std::string text = "violence.denial_of_care.pep_refused";
  const Code second(text);
  CHECK(first == second);
  CHECK(first.identity() == second.identity());
  CHECK(first == text);
  CHECK(first.str() == text);
  CHECK(first.size() == text.size());
  CHECK(first.substr(0, 8) == "violence");
  const std::string& as_string = first;
  CHECK(as_string == text);

  const Code other("violence.physical");
  CHECK_FALSE(first == other);
  CHECK(first.identity() != other.identity());
  CHECK(first < other); // by text: "denial" before "physical"

  const Code empty;
  CHECK(empty.empty());
  CHECK(empty == Code(""));
  CHECK(empty == std::string());
}

TEST_CASE("a code list reads as its codes, in order, and equal lists are one")
{
  const CodeList list{"a.one", "b.two"};
  const CodeList same(std::vector<std::string>{"a.one", "b.two"});
  const CodeList reversed{"b.two", "a.one"};
  CHECK(list == same);
  CHECK(list.identity() == same.identity());
  CHECK_FALSE(list == reversed);
  REQUIRE(list.size() == 2);
  CHECK(list[0] == "a.one");
  CHECK(list[1] == "b.two");
  CHECK(list == std::vector<std::string>{"a.one", "b.two"});
  const std::vector<std::string>& as_vector = list;
  CHECK(as_vector.front() == "a.one");

  const CodeList empty;
  CHECK(empty.empty());
  CHECK(empty == CodeList(std::vector<std::string>{}));
  CHECK(empty.begin() == empty.end());
}

TEST_CASE(
  "a row's fields are replaced, never changed in place, and copies share them")
{
  custody::index::FactsRow row;
  row.population = "population.trans_woman";
  row.violence_types = {"violence.physical.beating", "violence.sexual.rape"};
  const auto copy = row;
  row.violence_types = {"violence.physical.beating"};
  CHECK(copy.violence_types.size() == 2);
  CHECK(row.violence_types.size() == 1);
  CHECK(copy.population.identity() == row.population.identity());
}

TEST_CASE("codes interned from several threads at once are still one each")
{
  std::vector<const void*> seen(4, nullptr);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&seen, t] {
      for (int i = 0; i < 2000; ++i) {
        const Code code("outcome.code-" + std::to_string(i % 50));
        if (i % 50 == 7) {
          seen[t] = code.identity();
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  for (const void* identity : seen) {
    CHECK(identity == seen.front());
  }
}

TEST_SUITE_END();
