// Photo redaction in the keyless child, the child's side (docs/formats.md
// 6.6.1): what `custody-media redact-photo` does with the request the parent
// wrote (photo_child.hpp). Linked only into custody-media, with OpenCV.
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/base/error.hpp>
#include <custody/redact/photo.hpp>

#include <string>

namespace custody::redact {

// The child's whole work on what it read: the bytes it prints (the report as
// one line of canonical JSON and the image, or {"error": {"code", "message"}}
// as one line) and the status it exits with (0, or the error's). Never
// prints, never exits: cmd/media/main.cpp does.
struct ChildReply
{
  std::string output;
  Errc code = Errc::internal;
  bool ok = false;
};
ChildReply run_photo_request(ByteView request);

} // namespace custody::redact
