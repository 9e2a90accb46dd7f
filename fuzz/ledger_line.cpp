// One ledger line (docs/formats.md section 4.1, invariant 3).
#include "fuzz.hpp"

#include <custody/ledger/ledger.hpp>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const auto line = custody::fuzz::text(data, size);
  auto entry = custody::ledger::decode(line);
  if (entry && custody::ledger::encode(*entry) != line) {
    std::abort(); // a decoded line is canonical
  }
  return 0;
}
