// The kind of an attachment (audio, video, photo, document): what a file's
// media facts say it is, or failing that its name.
#pragma once

#include <custody/base/canonical_json.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace custody::media {

inline constexpr std::string_view k_kinds[] = {
  "audio", "video", "photo", "document"};

bool is_kind(std::string_view kind);

// From the MIME type in `facts` (media::describe's output), else from the
// file name's extension; "document" when neither says.
std::string kind_of(const std::filesystem::path& file, const json::Json& facts);

} // namespace custody::media
