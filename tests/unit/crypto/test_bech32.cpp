// Bech32 against BIP 173's test strings, plus the rules age relies on.
#include <custody/crypto/bech32.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace custody;

TEST_SUITE_BEGIN("bech32");

namespace {

std::string
to_lower_ascii(std::string text)
{
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

} // namespace

TEST_CASE("BIP 173 valid strings decode and re-encode to themselves")
{
  const std::string valid[] = {
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedchar"
    "actersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11" + std::string(82, 'q') + "c8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
  };
  for (const auto& text : valid) {
    CAPTURE(text);
    auto decoded = bech32::decode(text);
    REQUIRE(decoded);
    const bool upper = text == "A12UEL5L";
    auto encoded =
      bech32::encode(decoded->hrp,
                     decoded->data.view(),
                     upper ? bech32::Case::upper : bech32::Case::lower);
    REQUIRE(encoded);
    CHECK(*encoded == text);
  }
}

TEST_CASE("BIP 173 invalid strings are rejected")
{
  const std::string invalid[] = {
    std::string("\x20") + "1nwldj5",  // hrp character out of range
    std::string("\x7f") + "1axkwrx",  // hrp character out of range
    std::string("\x80") + "1eym55h",  // hrp character out of range
    "pzry9x0s0muk",                   // no separator
    "1pzry9x0s0muk",                  // empty hrp
    "x1b4n0q5v",                      // invalid data character
    "li1dgmt3",                       // checksum too short
    std::string("de1lg7wt") + "\xff", // invalid character in checksum
    "A1G7SGD8", // checksum computed over the upper-case hrp
    "10a06t8",  // empty hrp
    "1qzzfhee", // empty hrp
  };
  for (const auto& text : invalid) {
    CAPTURE(text);
    const auto decoded = bech32::decode(text);
    REQUIRE_FALSE(decoded);
    CHECK(decoded.error().code == Errc::invalid_input);
  }
}

TEST_CASE("strings over 90 characters are accepted, as age requires")
{
  // BIP 173 rejects this one only for its length (91 characters).
  const std::string text = "an84characterslonghumanreadablepartthatcontainsthen"
                           "umber1andtheexcludedcharactersbio1569pvx";
  CHECK(text.size() == 91);
  CHECK(bech32::decode(text));
}

TEST_CASE("mixed case is rejected and upper case is checksummed as lower case")
{
  CHECK_FALSE(bech32::decode("A12uEL5L"));
  const Bytes data = {0x00, 0x01, 0x02, 0xfe, 0xff};
  auto lower = bech32::encode("test", data, bech32::Case::lower);
  auto upper = bech32::encode("test", data, bech32::Case::upper);
  REQUIRE(lower);
  REQUIRE(upper);
  CHECK(to_lower_ascii(*upper) == *lower);
  auto decoded = bech32::decode(*upper);
  REQUIRE(decoded);
  CHECK(decoded->hrp == "TEST");
  CHECK(Bytes(decoded->data.view().begin(), decoded->data.view().end())
        == data);
}

TEST_CASE("a flipped character fails the checksum")
{
  auto encoded = bech32::encode("age", Bytes(32, 0x42), bech32::Case::lower);
  REQUIRE(encoded);
  std::string text = *encoded;
  text[10] = text[10] == 'q' ? 'p' : 'q';
  CHECK_FALSE(bech32::decode(text));
}

TEST_CASE("non-zero padding bits are rejected")
{
  // One byte is 8 bits: two 5-bit values, the last with 2 padding bits.
  // Re-encoding the same values with a padding bit set gives a string with a
  // valid checksum but invalid padding.
  auto good = bech32::encode("a", Bytes{0xff}, bech32::Case::lower);
  REQUIRE(good);
  CHECK(*good == "a1lu9cgf6y");
  // "a1ll" + checksum: values 31,31 keep the low padding bits set.
  CHECK_FALSE(bech32::decode("a1llttal5m"));
}

TEST_CASE("encode rejects a bad human-readable part")
{
  CHECK_FALSE(bech32::encode("", Bytes{}, bech32::Case::lower));
  CHECK_FALSE(bech32::encode("Age", Bytes{}, bech32::Case::lower));
  CHECK_FALSE(bech32::encode("a b", Bytes{}, bech32::Case::lower));
}

TEST_CASE("encode_secret matches encode")
{
  const Bytes data(32, 0x5a);
  auto plain = bech32::encode("AGE-SECRET-KEY-", data, bech32::Case::upper);
  auto secret =
    bech32::encode_secret("AGE-SECRET-KEY-", data, bech32::Case::upper);
  REQUIRE(plain);
  REQUIRE(secret);
  CHECK(secret->text() == *plain);
}

TEST_SUITE_END();
