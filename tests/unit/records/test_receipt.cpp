// Receipts and the references a user types for a record (docs/formats.md
// 6.2.2).
#include <custody/records/receipt.hpp>
#include <custody/records/records.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

using namespace custody;

TEST_SUITE_BEGIN("receipt");

namespace {

const std::string k_alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

std::string
symbols_of(const std::string& receipt)
{
  std::string symbols;
  for (const char c : receipt) {
    if (c != '-') {
      symbols += c;
    }
  }
  return symbols;
}

bool
names(const std::vector<records::IdRange>& ranges, const std::string& id)
{
  for (const auto& range : ranges) {
    if (range.low <= id && id <= range.high) {
      return true;
    }
  }
  return false;
}

} // namespace

TEST_CASE("a receipt is the id's first 50 bits in Crockford base32 and a "
          "check symbol, grouped 4-4-3")
{
  // Computed with the recipe of docs/formats.md 6.2.2.
  CHECK(records::receipt_of("3f2a9c1e0d5b47a8b6e2c9d40f1a7e53")
        == "7WN9-R7GD-BDK");
  CHECK(records::receipt_of(std::string(32, '0')) == "0000-0000-000");
  const std::string id = records::new_record_id();
  const std::string receipt = records::receipt_of(id);
  REQUIRE(receipt.size() == 13);
  CHECK(receipt[4] == '-');
  CHECK(receipt[9] == '-');
  auto parsed = records::parse_reference(receipt);
  REQUIRE(parsed);
  CHECK(names(*parsed, id));
  const records::IdRange range = records::receipt_range(id);
  CHECK(range.low <= id);
  CHECK(id <= range.high);
  CHECK(range.low.substr(0, 12) == id.substr(0, 12));
}

TEST_CASE("a receipt reads in either case, without hyphens, with I, L and O")
{
  const std::string id = "3f2a9c1e0d5b47a8b6e2c9d40f1a7e53";
  for (const std::string typed :
       {"7WN9-R7GD-BDK", "7wn9r7gdbdk", "7wN9-r7gd-bDk", "7WN9R7GDBDK"}) {
    auto parsed = records::parse_reference(typed);
    REQUIRE(parsed);
    CHECK(names(*parsed, id));
  }
  const std::string zero = records::receipt_of(std::string(32, '0'));
  auto read = records::parse_reference("OOOO-oooo-000");
  REQUIRE(read);
  CHECK(names(*read, std::string(32, '0')));
  CHECK(zero == "0000-0000-000");
}

TEST_CASE("the check symbol catches every single wrong symbol and every swap "
          "of neighbours")
{
  for (int round = 0; round < 20; ++round) {
    const std::string symbols =
      symbols_of(records::receipt_of(records::new_record_id()));
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      for (const char c : k_alphabet) {
        if (c == symbols[i]) {
          continue;
        }
        std::string typo = symbols;
        typo[i] = c;
        auto parsed = records::parse_reference(typo);
        // A text of hex digits is still read as a prefix; never as the
        // receipt.
        if (parsed) {
          for (const auto& range : *parsed) {
            CHECK(range.reading != records::IdRange::Reading::receipt);
          }
        } else {
          CHECK(parsed.error().message.find("check symbol")
                != std::string::npos);
        }
      }
      if (i + 1 < symbols.size() && symbols[i] != symbols[i + 1]) {
        std::string swapped = symbols;
        std::swap(swapped[i], swapped[i + 1]);
        auto parsed = records::parse_reference(swapped);
        if (parsed) {
          for (const auto& range : *parsed) {
            CHECK(range.reading != records::IdRange::Reading::receipt);
          }
        }
      }
    }
  }
}

TEST_CASE("ids, prefixes and receipts are told apart; anything else is "
          "refused")
{
  const std::string id = "3f2a9c1e0d5b47a8b6e2c9d40f1a7e53";
  auto whole = records::parse_reference(id);
  REQUIRE(whole);
  REQUIRE(whole->size() == 1);
  CHECK(whole->front().reading == records::IdRange::Reading::id);
  CHECK(whole->front().low == id);
  CHECK(whole->front().high == id);
  auto prefix = records::parse_reference(id.substr(0, 8));
  REQUIRE(prefix);
  CHECK(prefix->front().reading == records::IdRange::Reading::prefix);
  CHECK(names(*prefix, id));
  for (const std::string& bad : std::vector<std::string>{"",
                                                         "3f2a9c1",
                                                         "3F2A9C1E",
                                                         "zz",
                                                         "7WN9-R7GD-BD",
                                                         "7WN9-R7GD-BDKK",
                                                         "7WN9-R7GD-BDU",
                                                         id + "0"}) {
    auto parsed = records::parse_reference(bad);
    CHECK_FALSE(parsed);
    if (!parsed) {
      CHECK(parsed.error().code == Errc::invalid_input);
      CHECK(parsed.error().remedy == Remedy::use_record_id);
    }
  }
}

TEST_CASE("near references: ids one digit or one swap away, receipts one "
          "symbol or one swap away that pass the check")
{
  const std::string id = records::new_record_id();
  std::string wrong = id;
  wrong[9] = wrong[9] == 'a' ? 'b' : 'a';
  CHECK(names(records::near_references(wrong), id));
  std::string swapped = id;
  if (swapped[3] != swapped[4]) {
    std::swap(swapped[3], swapped[4]);
    CHECK(names(records::near_references(swapped), id));
  }
  std::string receipt = records::receipt_of(id);
  std::string typo = receipt;
  typo[6] = typo[6] == 'Q' ? 'R' : 'Q';
  const auto near = records::near_references(typo);
  CHECK(names(near, id));
  for (const auto& range : near) {
    CHECK(range.reading == records::IdRange::Reading::receipt);
  }
  CHECK(records::near_references("not a reference").empty());
}

TEST_SUITE_END();
