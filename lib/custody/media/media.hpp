// Media facts (docs/media.md): what a file's container and metadata say about
// it, read by parsers that run in a child process holding no keys
// (docs/design.md section 9). This header is the child's (custody_media_read,
// linked only into custody-media); the parent's is probe.hpp.
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/base/error.hpp>
#include <custody/sys/fs.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace custody::media {

// The longest string value a facts object holds, in bytes of UTF-8 (file
// values are cut at a code point boundary).
inline constexpr std::size_t k_max_string_bytes = 256;
// The most streams a facts object lists; a container may declare thousands.
inline constexpr std::size_t k_max_streams = 64;
// In-process reading of a file's media facts with libmagic (MIME type),
// FFmpeg's libavformat (container, streams, codecs, duration, resolution,
// sample rate, container tags such as creation_time and location/ISO 6709 GPS,
// make/model tags) and libexiv2 (still images: EXIF DateTimeOriginal, GPS
// lat/lon/alt as signed decimal degrees, Make, Model, orientation, pixel
// size). Never modifies the file. Only the child process calls this: these
// parsers are the attack surface of untrusted files.
//
// The result has the shape of docs/media.md and schemas/output/media_facts.json
// and is canonical-JSON safe (no floating-point numbers: fractional values are
// decimal strings). A file that no parser recognises still gives facts (its
// MIME type, no streams). Fails with Errc::not_found when `file` does not
// exist, Errc::invalid_input when it is not a regular file or libmagic cannot
// start, Errc::io when it cannot be opened.
[[nodiscard]] Result<json::Json> describe(const fs::Path& file);

// `text` made safe to keep and print: invalid UTF-8 and control characters
// (C0, DEL, C1) become U+FFFD, and the result is cut to at most
// k_max_string_bytes bytes at a code point boundary.
std::string sanitize(std::string_view text);

} // namespace custody::media
