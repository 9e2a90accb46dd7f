// Payload documents: padding and the commitments a clerk recomputes.
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/store.hpp>

#include <doctest/doctest.h>

using namespace custody;

TEST_SUITE_BEGIN("store");

TEST_CASE("payloads pad to a power of two of at least 1 KiB")
{
  CHECK(store::pad(Bytes(0)).size() == 1024);
  CHECK(store::pad(Bytes(1024)).size() == 1024);
  CHECK(store::pad(Bytes(1025)).size() == 2048);
  CHECK(store::pad(Bytes(5000)).size() == 8192);
  const Bytes padded = store::pad(as_bytes("{}"));
  CHECK(padded[0] == '{');
  CHECK(padded[2] == 0);
}

TEST_CASE("the commitment is the text form a clerk recomputes with printf and "
          "sha256sum")
{
  const std::string salt(64, 'a');
  // printf 'custody-commit-v1:%s:%s' aaaa...(64) "$(printf x | sha256sum | cut
  // -d' ' -f1)" | sha256sum
  const std::string text =
    "custody-commit-v1:" + salt + ":" + to_hex(sha256("x"));
  CHECK(store::commitment(salt, sha256("x")) == sha256(text));
}

TEST_CASE("Padmé pads by at most 12 % and keeps only the top bits")
{
  // The values of the PURBs paper's definition, worked by hand: E = floor(log2
  // L), S = floor(log2 E) + 1, the low E - S bits are rounded up.
  CHECK(store::padme(0) == 0);
  CHECK(store::padme(1) == 1);
  CHECK(store::padme(9) == 10);      // E 3, S 2: one low bit
  CHECK(store::padme(1000) == 1024); // E 9, S 4: five low bits
  CHECK(store::padme(1024) == 1024);
  CHECK(store::padme(1025) == 1088);       // E 10, S 4: six low bits
  CHECK(store::padme(5000000) == 5111808); // E 22, S 5: 17 low bits
  CHECK(store::padme(2147483648ULL) == 2147483648ULL);
  for (std::uint64_t length = 2; length < 5000000; length = length * 3 + 7) {
    const auto padded = store::padme(length);
    CHECK(padded >= length);
    CHECK(static_cast<double>(padded - length)
          <= 0.12 * static_cast<double>(length));
  }
}

TEST_SUITE_END();
