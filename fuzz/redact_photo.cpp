// The photo redaction over any bytes: the container walks, Exiv2's reading
// of the orientation and the size, OpenCV's decoders, then the detectors and
// the checks on what decodes. Either the input is refused as invalid, or the
// output passed every check (an Errc::internal is a check failing on our own
// encoder's output: a bug). Images are held to a megapixel to keep it fast.
#include "fuzz.hpp"

#include <custody/redact/photo.hpp>

#include <cstdlib>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace custody;
  fuzz::start();
  static const redact::PhotoOptions options = [] {
    redact::PhotoOptions out;
    out.blazeface_model = CUSTODY_BLAZEFACE_MODEL;
    out.max_pixels = 1'000'000;
    out.canaries = {"Jane Doe"};
    return out;
  }();
  const auto result = redact::redact_photo(fuzz::bytes(data, size), options);
  if (!result) {
    if (result.error().code != Errc::invalid_input) {
      std::abort();
    }
    return 0;
  }
  if (result->output.empty() || result->masks.size() < result->regions.size()) {
    std::abort();
  }
  return 0;
}
