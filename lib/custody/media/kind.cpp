// Attachment kinds (kind.hpp).
#include <custody/media/kind.hpp>

#include <algorithm>
#include <cctype>
#include <initializer_list>

namespace custody::media {

namespace {

bool
listed(std::string_view extension, std::initializer_list<std::string_view> list)
{
  return std::find(list.begin(), list.end(), extension) != list.end();
}

} // namespace

bool
is_kind(std::string_view kind)
{
  return std::find(std::begin(k_kinds), std::end(k_kinds), kind)
         != std::end(k_kinds);
}

std::string
kind_of(const std::filesystem::path& file, const json::Json& facts)
{
  const std::string mime = facts.value("mime", "");
  if (mime.starts_with("video/")) {
    return "video";
  }
  if (mime.starts_with("audio/")) {
    return "audio";
  }
  if (mime.starts_with("image/")) {
    return "photo";
  }
  // Otherwise (a PDF, or bytes libmagic cannot name) the file's name may
  // still say what it is.
  std::string extension = file.extension().string();
  std::transform(
    extension.begin(), extension.end(), extension.begin(), [](unsigned char c) {
      return static_cast<char>(std::tolower(c));
    });
  if (listed(extension, {".mp4", ".mov", ".mkv", ".webm", ".avi", ".3gp"})) {
    return "video";
  }
  if (listed(extension,
             {".mp3",
              ".wav",
              ".ogg",
              ".oga",
              ".opus",
              ".m4a",
              ".aac",
              ".amr",
              ".flac"})) {
    return "audio";
  }
  if (listed(
        extension,
        {".jpg", ".jpeg", ".png", ".heic", ".webp", ".gif", ".tif", ".tiff"})) {
    return "photo";
  }
  return "document";
}

} // namespace custody::media
