// Bech32 (age recipients and identities).
#include "fuzz.hpp"

#include <custody/crypto/age/age.hpp>
#include <custody/crypto/bech32.hpp>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  custody::fuzz::start();
  const auto input = custody::fuzz::text(data, size);
  (void)custody::bech32::decode(input);
  (void)custody::age::X25519Recipient::parse(input);
  (void)custody::age::X25519Identity::parse(input);
  return 0;
}
