// Photo redaction in the keyless child (docs/formats.md 6.6.1): the parent
// writes the options and the image into a memory file that becomes the
// child's standard input; the child (`custody __redact-photo`, cmd/child.cpp)
// runs redact_photo and prints the report and the image, or the error. No
// key, no name on a disk, no identity value on a command line.
#pragma once

#include <custody/redact/photo.hpp>
#include <custody/sys/fs.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace custody::redact {

inline constexpr std::string_view k_photo_subcommand = "__redact-photo";

// What the child reads: one line of canonical JSON (the options), then the
// image's bytes.
[[nodiscard]] std::string photo_request(const PhotoOptions& options,
                                        ByteView image);

// The child's whole work on what it read: the bytes it prints (the report as
// one line of canonical JSON and the image, or {"error": {"code", "message"}}
// as one line) and the status it exits with (0, or the error's). Never
// prints, never exits: cmd/child.cpp does.
struct ChildReply
{
  std::string output;
  Errc code = Errc::internal;
  bool ok = false;
};
ChildReply run_photo_request(ByteView request);

// The parent: runs `executable __redact-photo` with `request_file` (a memory
// file holding photo_request()) as its standard input, under the spawn rules
// (no shell, no inherited descriptor or environment, a deadline, a cap on its
// output), and reads its reply back. The child's own error comes back as it
// was (a region outside the image is Errc::invalid_input naming it); a crash
// or a timeout is Errc::invalid_input saying so.
[[nodiscard]] Result<PhotoRedaction>
redact_photo_in_child(const fs::Path& executable,
                      const std::string& request_file,
                      std::chrono::milliseconds timeout);

} // namespace custody::redact
