// Photo redaction in the keyless child (docs/formats.md 6.6.1), the parent's
// side: the parent writes the options and the image into a memory file that
// becomes the child's standard input; the child (`custody-media redact-photo`,
// photo_serve.hpp) runs redact_photo and prints the report and the image, or
// the error. No key, no name on a disk, no identity value on a command line.
// The parent links no image library: this is all it knows of the child.
#pragma once

#include <custody/redact/photo.hpp>
#include <custody/sys/fs.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace custody::redact {

// The helper's command that redacts a photo (cmd/media/main.cpp).
inline constexpr std::string_view k_photo_subcommand = "redact-photo";

// What the child reads: one line of canonical JSON (the options), then the
// image's bytes.
[[nodiscard]] std::string photo_request(const PhotoOptions& options,
                                        ByteView image);

// Runs `executable redact-photo` with `request_file` (a memory
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
