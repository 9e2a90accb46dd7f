// Media facts: libmagic, libavformat and libexiv2 read in the keyless child,
// custody-media (describe). The parent's side is probe.cpp.
#include <custody/base/utf8.hpp>
#include <custody/media/media.hpp>
#include <custody/media/media_exif.hpp>

#include <fmt/std.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/dict.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
}
#include <fcntl.h>
#include <magic.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace custody::media {

namespace {

// The demuxers libavformat may use (docs/media.md): the containers phones,
// cameras, recorders and messengers write. Left out on purpose: playlists and
// concatenation (hls, concat, dash), which open other files or URLs, and
// image2, which reads numbered file sequences named by a pattern.
constexpr const char* k_format_whitelist =
  "mov,mp4,matroska,webm,avi,ogg,wav,w64,mp3,flac,aac,amr,amrnb,amrwb,asf,"
  "mpegts,mpeg,flv,caf,aiff,jpeg_pipe,png_pipe,webp_pipe,gif,bmp_pipe,"
  "tiff_pipe";

// How much of a tag value is looked at before sanitising, so a hostile
// megabyte-long tag costs nothing.
constexpr std::size_t k_max_raw_bytes = 4 * k_max_string_bytes;

using fs::Fd;

// ---- describe: libmagic ----

Result<std::string>
mime_type(int fd)
{
  magic_t cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
  if (cookie == nullptr) {
    return fail(Errc::invalid_input, "libmagic cannot start");
  }
  std::string mime;
  if (magic_load(cookie, nullptr) == 0) {
    if (const char* type = magic_descriptor(cookie, fd); type != nullptr) {
      mime = type;
    }
  }
  magic_close(cookie);
  if (lseek(fd, 0, SEEK_SET) != 0) {
    return fail(Errc::io, "cannot rewind the file");
  }
  if (mime.empty()) {
    return fail(Errc::invalid_input, "libmagic cannot read the file type");
  }
  return sanitize(mime);
}

// ---- describe: libavformat ----

// libavformat reads through this descriptor, not a URL: no protocol is
// involved and the file's name (which may hold `%d` or `:`) cannot change
// what is opened.
int
read_fd(void* opaque, std::uint8_t* buffer, int size)
{
  const int fd = *static_cast<int*>(opaque);
  for (;;) {
    const ssize_t n = ::read(fd, buffer, static_cast<std::size_t>(size));
    if (n > 0) {
      return static_cast<int>(n);
    }
    if (n == 0) {
      return AVERROR_EOF;
    }
    if (errno != EINTR) {
      return AVERROR(EIO);
    }
  }
}

std::int64_t
seek_fd(void* opaque, std::int64_t offset, int whence)
{
  const int fd = *static_cast<int*>(opaque);
  if ((whence & AVSEEK_SIZE) != 0) {
    struct stat st
    {
    };
    return fstat(fd, &st) == 0 ? static_cast<std::int64_t>(st.st_size) : -1;
  }
  whence &= ~AVSEEK_FORCE;
  const off_t at = lseek(fd, static_cast<off_t>(offset), whence);
  return at < 0 ? AVERROR(EIO) : static_cast<std::int64_t>(at);
}

struct AvInput
{
  AVFormatContext* context = nullptr;
  AVIOContext* io = nullptr;
  AvInput() = default;
  AvInput(const AvInput&) = delete;
  AvInput& operator=(const AvInput&) = delete;
  AvInput(AvInput&&) = delete;
  AvInput& operator=(AvInput&&) = delete;
  ~AvInput()
  {
    avformat_close_input(&context);
    if (io != nullptr) {
      av_freep(static_cast<void*>(&io->buffer));
      avio_context_free(&io);
    }
  }
};

std::optional<std::string>
tag(const AVDictionary* metadata, const char* key)
{
  const AVDictionaryEntry* entry = av_dict_get(metadata, key, nullptr, 0);
  if (entry == nullptr || entry->value == nullptr || entry->value[0] == '\0') {
    return std::nullopt;
  }
  return std::string(entry->value, strnlen(entry->value, k_max_raw_bytes));
}

std::optional<std::string>
first_tag(const AVDictionary* metadata, std::initializer_list<const char*> keys)
{
  for (const char* key : keys) {
    if (auto value = tag(metadata, key)) {
      return value;
    }
  }
  return std::nullopt;
}

// A decimal string with `places` fraction digits, never "-0.000".
std::string
decimal(double value, int places)
{
  std::string text = fmt::format("{:.{}f}", value, places);
  if (text.front() == '-'
      && text.find_first_not_of("-0.") == std::string::npos) {
    text.erase(0, 1);
  }
  return text;
}

// A date and time from a container tag or EXIF, as RFC 3339 without fraction:
// "2025-03-14T21:40:00Z", "2025-03-15T09:12:30+03:00", or without a zone when
// the file does not give one ("2025-03-15T09:12:30", the camera's clock).
// Anything else is not reported.
std::optional<std::string>
date_time(const std::string& text, const std::string& zone_text = {})
{
  static const std::regex pattern(
    R"(^(\d{4})[-:](\d{2})[-:](\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?)"
    R"((Z|[+-]\d{2}:?\d{2})?$)");
  static const std::regex zone_pattern(R"(^(Z|[+-]\d{2}:?\d{2})$)");
  std::smatch m;
  if (text.size() > 64 || !std::regex_match(text, m, pattern)) {
    return std::nullopt;
  }
  const int month = std::stoi(m[2].str());
  const int day = std::stoi(m[3].str());
  if (m[1].str() == "0000" || month < 1 || month > 12 || day < 1 || day > 31
      || std::stoi(m[4].str()) > 23 || std::stoi(m[5].str()) > 59
      || std::stoi(m[6].str()) > 60) {
    return std::nullopt;
  }
  std::string zone = m[8].str();
  if (zone.empty() && std::regex_match(zone_text, zone_pattern)) {
    zone = zone_text;
  }
  if (zone.size() == 5) { // +0300
    zone.insert(3, ":");
  }
  return fmt::format("{}-{}-{}T{}:{}:{}{}",
                     m[1].str(),
                     m[2].str(),
                     m[3].str(),
                     m[4].str(),
                     m[5].str(),
                     m[6].str(),
                     zone);
}

struct Position
{
  double latitude = 0;
  double longitude = 0;
  std::optional<double> altitude;
};

// An ISO 6709 point as phones write it in the `location` tag, in decimal
// degrees: "-20.1234+075.4321+12.500/" (altitude optional).
std::optional<Position>
iso6709(const std::string& text)
{
  static const std::regex pattern(
    R"(^([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)([+-]\d+(?:\.\d+)?)?(?:CRS[^/]*)?/?$)");
  std::smatch m;
  if (text.size() > 64 || !std::regex_match(text, m, pattern)) {
    return std::nullopt;
  }
  Position position;
  position.latitude = std::stod(m[1].str());
  position.longitude = std::stod(m[2].str());
  if (m[3].matched) {
    position.altitude = std::stod(m[3].str());
  }
  if (std::fabs(position.latitude) > 90 || std::fabs(position.longitude) > 180
      || (position.altitude && std::fabs(*position.altitude) >= 1e6)) {
    return std::nullopt;
  }
  return position;
}

json::Json
gps_json(double latitude, double longitude, std::optional<double> altitude)
{
  json::Json gps = json::Json::object();
  gps["latitude"] = decimal(latitude, 7);
  gps["longitude"] = decimal(longitude, 7);
  if (altitude && std::isfinite(*altitude)) {
    gps["altitude"] = decimal(*altitude, 2);
  }
  return gps;
}

const char*
stream_type(AVMediaType type)
{
  switch (type) {
  case AVMEDIA_TYPE_VIDEO:
    return "video";
  case AVMEDIA_TYPE_AUDIO:
    return "audio";
  case AVMEDIA_TYPE_SUBTITLE:
    return "subtitle";
  case AVMEDIA_TYPE_DATA:
    return "data";
  case AVMEDIA_TYPE_ATTACHMENT:
    return "attachment";
  default:
    return "unknown";
  }
}

// Adds what libavformat says of the file opened as `fd` to `facts`; a file
// it cannot open adds nothing.
void
read_container(int fd, json::Json& facts)
{
  av_log_set_level(AV_LOG_QUIET);
  constexpr int k_buffer_size = 64 * 1024;
  AvInput input;
  int descriptor = fd;
  auto* buffer = static_cast<unsigned char*>(av_malloc(k_buffer_size));
  if (buffer == nullptr) {
    return;
  }
  input.io = avio_alloc_context(
    buffer, k_buffer_size, 0, &descriptor, read_fd, nullptr, seek_fd);
  if (input.io == nullptr) {
    av_free(buffer);
    return;
  }
  input.context = avformat_alloc_context();
  if (input.context == nullptr) {
    return;
  }
  input.context->pb = input.io;
  input.context->flags |= AVFMT_FLAG_CUSTOM_IO;
  AVDictionary* options = nullptr;
  av_dict_set(&options, "format_whitelist", k_format_whitelist, 0);
  // No protocol at all: a demuxer that tries to open another file or URL
  // fails instead.
  av_dict_set(&options, "protocol_whitelist", "none", 0);
  const int opened = avformat_open_input(&input.context, "", nullptr, &options);
  av_dict_free(&options);
  if (opened < 0) {
    return; // avformat_open_input freed the context on failure
  }
  if (avformat_find_stream_info(input.context, nullptr) < 0) {
    return;
  }
  const AVFormatContext& ctx = *input.context;
  facts["container"] = sanitize(ctx.iformat->name);
  if (ctx.duration != AV_NOPTS_VALUE && ctx.duration >= 0) {
    const std::int64_t ms = (ctx.duration + 500) / 1000;
    facts["duration_seconds"] = fmt::format("{}.{:03}", ms / 1000, ms % 1000);
  }
  json::Json streams = json::Json::array();
  for (unsigned i = 0; i < ctx.nb_streams && i < k_max_streams; ++i) {
    const AVCodecParameters& par = *ctx.streams[i]->codecpar;
    json::Json stream = json::Json::object();
    stream["type"] = stream_type(par.codec_type);
    stream["codec"] = sanitize(avcodec_get_name(par.codec_id));
    if (par.codec_type == AVMEDIA_TYPE_VIDEO && par.width > 0
        && par.height > 0) {
      stream["width"] = par.width;
      stream["height"] = par.height;
    }
    if (par.codec_type == AVMEDIA_TYPE_AUDIO) {
      if (par.sample_rate > 0) {
        stream["sample_rate"] = par.sample_rate;
      }
      if (par.ch_layout.nb_channels > 0) {
        stream["channels"] = par.ch_layout.nb_channels;
      }
    }
    streams.push_back(std::move(stream));
  }
  facts["streams"] = std::move(streams);

  json::Json& capture = facts["capture"];
  const AVDictionary* tags = ctx.metadata;
  if (auto created = first_tag(
        tags, {"com.apple.quicktime.creationdate", "creation_time", "date"})) {
    if (auto normal = date_time(*created)) {
      capture["created"] = *normal;
    }
  }
  if (auto location =
        first_tag(tags, {"location", "com.apple.quicktime.location.ISO6709"})) {
    if (auto position = iso6709(*location)) {
      capture["gps"] =
        gps_json(position->latitude, position->longitude, position->altitude);
    }
  }
  if (auto make = first_tag(tags, {"com.apple.quicktime.make", "make"})) {
    capture["make"] = sanitize(*make);
  }
  if (auto model = first_tag(tags, {"com.apple.quicktime.model", "model"})) {
    capture["model"] = sanitize(*model);
  }
}

// Adds what libexiv2 says of a still image; its facts win over the
// container's, which for an image are none.
void
read_image(const fs::Path& file, json::Json& facts)
{
  const detail::ExifFacts exif = detail::read_exif(file);
  json::Json image = json::Json::object();
  if (exif.pixel_width && exif.pixel_height) {
    image["width"] = *exif.pixel_width;
    image["height"] = *exif.pixel_height;
  }
  if (exif.orientation) {
    image["orientation"] = *exif.orientation;
  }
  if (!image.empty()) {
    facts["image"] = std::move(image);
  }
  json::Json& capture = facts["capture"];
  if (exif.date_time_original) {
    if (auto created = date_time(exif.date_time_original->substr(0, 64),
                                 exif.offset_time_original.value_or(""))) {
      capture["created"] = *created;
    }
  }
  if (exif.latitude && exif.longitude) {
    capture["gps"] = gps_json(*exif.latitude, *exif.longitude, exif.altitude);
  }
  if (exif.make) {
    capture["make"] = sanitize(*exif.make);
  }
  if (exif.model) {
    capture["model"] = sanitize(*exif.model);
  }
}

} // namespace

std::string
sanitize(std::string_view text)
{
  constexpr std::string_view k_replacement = "\xEF\xBF\xBD"; // U+FFFD
  text = text.substr(0, k_max_raw_bytes);
  std::string out;
  while (!text.empty()) {
    const std::size_t good = utf8::first_invalid(text).value_or(text.size());
    for (std::size_t i = 0; i < good;) {
      const auto byte = static_cast<unsigned char>(text[i]);
      if (byte < 0x20 || byte == 0x7F) {
        out += k_replacement;
        ++i;
      } else if (byte == 0xC2 && i + 1 < good
                 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
        out += k_replacement; // a C1 control, U+0080-U+009F
        i += 2;
      } else {
        out += text[i];
        ++i;
      }
    }
    if (good < text.size()) {
      out += k_replacement;
      text.remove_prefix(good + 1);
    } else {
      text = {};
    }
  }
  if (out.size() > k_max_string_bytes) {
    std::size_t cut = k_max_string_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0U) == 0x80U) {
      --cut;
    }
    out.resize(cut);
  }
  return out;
}

Result<json::Json>
describe(const fs::Path& file)
{
  // O_NONBLOCK so that opening a FIFO does not wait for a writer; it is then
  // refused as not a regular file.
  Fd fd(::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    return tl::unexpected(fs::errno_error("open", file, errno));
  }
  struct stat st
  {
  };
  if (fstat(fd.get(), &st) != 0) {
    return tl::unexpected(fs::errno_error("stat", file, errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return fail(Errc::invalid_input, "{} is not a regular file", file);
  }
  const int flags = fcntl(fd.get(), F_GETFL);
  if (flags >= 0) {
    fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  }

  json::Json facts = json::Json::object();
  CUSTODY_ASSIGN_CTX(mime, mime_type(fd.get()), fmt::format("{}", file));
  facts["mime"] = mime;
  facts["streams"] = json::Json::array();
  facts["capture"] = json::Json::object();
  read_container(fd.get(), facts);
  if (mime.rfind("image/", 0) == 0) {
    read_image(file, facts);
  }
  return facts;
}

} // namespace custody::media
