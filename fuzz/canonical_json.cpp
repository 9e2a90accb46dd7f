// Canonical JSON (docs/formats.md section 3): ledger lines, payloads, headers.
#include "fuzz.hpp"

#include <custody/base/canonical_json.hpp>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  auto parsed = custody::json::parse_canonical(custody::fuzz::text(data, size));
  if (parsed) {
    // Canonical text re-encodes to itself.
    if (custody::json::canonical(*parsed) != custody::fuzz::text(data, size)) {
      std::abort();
    }
  }
  return 0;
}
