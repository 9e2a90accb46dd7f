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

TEST_SUITE_END();
