// The places list (init --places).
#include "fuzz.hpp"

#include <custody/records/records.hpp>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  (void)custody::records::Places::parse(custody::fuzz::text(data, size));
  return 0;
}
