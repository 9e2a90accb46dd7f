// SHA-256, HKDF and HMAC against their RFC test vectors.
#include <custody/crypto/crypto.hpp>

#include <doctest/doctest.h>

using namespace custody;

TEST_SUITE_BEGIN("crypto");

TEST_CASE("sha256 of the empty string and of abc (FIPS 180-2)")
{
  CHECK(to_hex(sha256(""))
        == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(to_hex(sha256("abc"))
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 incremental;
  incremental.update(as_bytes("a"));
  incremental.update(as_bytes("bc"));
  CHECK(incremental.finish() == sha256("abc"));
}

TEST_CASE("hkdf-sha256 matches RFC 5869 test case 1")
{
  const Bytes ikm(22, 0x0b);
  const Bytes salt = *from_hex("000102030405060708090a0b0c");
  const Bytes info = *from_hex("f0f1f2f3f4f5f6f7f8f9");
  const auto okm = hkdf_sha256(ikm, salt, as_text(info), 42);
  CHECK(to_hex(okm.view())
        == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf340"
           "07208d5b887185865");
}

TEST_CASE("hmac-sha256 matches RFC 4231 test case 2")
{
  CHECK(to_hex(hmac_sha256(as_bytes("Jefe"),
                           as_bytes("what do ya want for nothing?")))
        == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_SUITE_END();
