// Member cards (docs/formats.md section 2.2).
#include "fuzz.hpp"

#include <custody/keys/identity.hpp>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  custody::fuzz::start();
  auto card = custody::identity::parse_card(custody::fuzz::text(data, size));
  if (card) {
    (void)card->key_id();
  }
  return 0;
}
