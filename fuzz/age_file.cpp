// age files decrypted with an X25519 identity, and age identity files.
#include "fuzz.hpp"

#include <custody/crypto/age/age.hpp>

#include <array>
#include <span>

namespace {

const custody::age::X25519Identity&
identity()
{
  // A fixed identity, so that seeds made for it (fuzz/corpus/age_file/)
  // reach the payload.
  static const auto fixed = *custody::age::X25519Identity::parse(
    "AGE-SECRET-KEY-"
    "1083NP0G6DWRLQKPCXVVUV0FK5RGU870KSKDRPMCAXDKUKSETY3RQ6JWVLZ");
  return fixed;
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  custody::fuzz::start();
  (void)custody::age::decrypt(
    custody::fuzz::bytes(data, size),
    std::span<const custody::age::X25519Identity>(&identity(), 1));
  (void)custody::age::parse_identity_file(custody::fuzz::text(data, size));
  return 0;
}
