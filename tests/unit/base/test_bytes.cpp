// Hex and base64 encodings: canonical forms only.
#include <custody/base/bytes.hpp>

#include <doctest/doctest.h>

using namespace custody;

TEST_SUITE_BEGIN("bytes");

TEST_CASE("hex round-trips and rejects uppercase and odd lengths")
{
  const Bytes data{0x00, 0xab, 0xff};
  CHECK(to_hex(data) == "00abff");
  CHECK(*from_hex("00abff") == data);
  CHECK_FALSE(from_hex("00ABFF"));
  CHECK_FALSE(from_hex("abc"));
  CHECK_FALSE(from_hex("zz"));
  CHECK_FALSE(digest_from_hex("00"));
  CHECK(from_hex("")->empty()); // no null pointer reaches libsodium (UBSan)
  CHECK(to_hex(Bytes{}).empty());
}

TEST_CASE("unpadded base64 rejects padding and non-canonical trailing bits")
{
  CHECK(to_base64(as_bytes("a"), Padding::no) == "YQ");
  CHECK(to_base64(as_bytes("a"), Padding::yes) == "YQ==");
  CHECK(from_base64("YQ", Padding::no).has_value());
  CHECK_FALSE(from_base64("YQ==", Padding::no));
  CHECK_FALSE(from_base64("YR", Padding::no)); // low bits set
  CHECK(from_base64("YQ==", Padding::yes).has_value());
  CHECK_FALSE(from_base64("YQ", Padding::yes));
  CHECK_FALSE(from_base64("Y Q", Padding::no));
}

TEST_SUITE_END();
