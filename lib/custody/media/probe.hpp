// Media facts, the parent's side (docs/media.md): the keyless child that reads
// a file's media facts, run and checked. Links no media parser: FFmpeg,
// libexiv2 and libmagic are loaded only by the child (custody-media, over
// media.hpp), never by the process that holds keys.
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/base/error.hpp>
#include <custody/sys/fs.hpp>

#include <chrono>
#include <cstddef>
#include <string_view>

namespace custody::media {

// The most bytes probe() accepts from the child on its standard output.
inline constexpr std::size_t k_max_output_bytes = std::size_t{1} << 20U;
// The helper's command probe() runs (cmd/media/main.cpp).
inline constexpr std::string_view k_subcommand = "facts";
// The schema of a facts object, built into the binary.
inline constexpr std::string_view k_schema = "output/media_facts.json";

// Runs `executable facts FILE` as a child process (posix_spawn; no
// shell; a minimal environment; stdin /dev/null; stdout captured up to
// k_max_output_bytes; stderr discarded; no descriptor but those three
// inherited; killed after `timeout`), and returns the JSON it printed. A child
// that crashes, times out, exits non-zero, prints too much or prints anything
// but the canonical encoding of a facts object that validates against
// k_schema gives an Errc::invalid_input error saying which (never the file's
// content). Errc::io when the child cannot be started.
[[nodiscard]] Result<json::Json> probe(const fs::Path& executable,
                                       const fs::Path& file,
                                       std::chrono::milliseconds timeout);

} // namespace custody::media
