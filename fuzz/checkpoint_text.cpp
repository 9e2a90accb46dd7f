// Checkpoint bodies (docs/formats.md section 12.2).
#include "fuzz.hpp"

#include <custody/ledger/checkpoint.hpp>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  (void)custody::checkpoint::parse(custody::fuzz::text(data, size));
  return 0;
}
