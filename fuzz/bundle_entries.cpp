// A court bundle's data/records/<id>/entries.json (docs/formats.md section 14):
// refused as invalid input, or entries whose fields keep the parser's promises.
#include "fuzz.hpp"

#include <custody/verify/bundle.hpp>

#include <set>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const auto text = custody::fuzz::text(data, size);
  auto parsed = custody::verify::parse_bundle_entries(text);
  if (!parsed) {
    if (parsed.error().code != custody::Errc::invalid_input) {
      std::abort(); // anything wrong with the text is invalid input
    }
    return 0;
  }
  std::set<std::uint64_t> seqs;
  for (const auto& entry : parsed->entries) {
    if (!seqs.insert(entry.seq).second) {
      std::abort(); // seqs are unique
    }
    std::set<std::size_t> indices;
    for (const auto& payload : entry.payloads) {
      if (!indices.insert(payload.index).second
          || payload.commit.size() != 64) {
        std::abort(); // indices unique, commits 64 hex
      }
      using Kind = custody::verify::BundlePayload::Kind;
      if (payload.kind == Kind::media
          && (payload.media_sha256.size() != 64
              || payload.media_salt.size() != 64)) {
        std::abort();
      }
    }
  }
  return 0;
}
