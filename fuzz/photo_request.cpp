// The request custody-media reads on its standard input (redact/photo_serve):
// one line of options as JSON, then the image. Whatever the bytes, the reply
// is either an error line naming a known code other than internal, or a report
// line that the parent's reader accepts followed by an image; anything else
// aborts. Images are small (libFuzzer's inputs), so a full redaction is fast.
#include "fuzz.hpp"

#include <custody/redact/photo.hpp>
#include <custody/redact/photo_serve.hpp>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <string_view>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace custody;
  fuzz::start();
  const auto reply = redact::run_photo_request(fuzz::bytes(data, size));
  const std::string_view output(reply.output);
  const auto end = output.find('\n');
  if (end == std::string_view::npos) {
    std::abort();
  }
  const auto line =
    nlohmann::json::parse(output.substr(0, end), nullptr, false);
  if (line.is_discarded() || !line.is_object()) {
    std::abort();
  }
  if (!reply.ok) {
    // Errc::internal is a check failing on our own encoder's output: a bug.
    if (reply.code == Errc::internal || !line.contains("error")
        || end + 1 != output.size()) {
      std::abort();
    }
    return 0;
  }
  if (!redact::photo_report_from_json(line) || end + 1 == output.size()) {
    std::abort();
  }
  return 0;
}
