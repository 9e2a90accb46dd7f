// EXIF facts with libexiv2 0.27. Its headers declare std::auto_ptr, deprecated
// since C++11 and still shipped by libstdc++: the warning is silenced for this
// file alone rather than for the whole library.
#include <custody/media/media_exif.hpp>

#if defined(__GNUC__)
#  pragma GCC diagnostic push
#  pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
#include <cmath>
#include <exiv2/exiv2.hpp>
#include <memory>
#include <string>

namespace custody::media::detail {

namespace {

// One rational of an EXIF value as a double, or nothing for a zero or
// negative denominator (a corrupt or hostile file).
std::optional<double>
rational_at(const Exiv2::Exifdatum& datum, long index)
{
  const Exiv2::Rational r = datum.toRational(index);
  if (r.second <= 0) {
    return std::nullopt;
  }
  return static_cast<double>(r.first) / static_cast<double>(r.second);
}

Exiv2::ExifData::const_iterator
find(const Exiv2::ExifData& exif, const char* key)
{
  // An ExifKey for a tag this exiv2 does not know throws; treat it as absent.
  try {
    return exif.findKey(Exiv2::ExifKey(key));
  } catch (...) {
    return exif.end();
  }
}

std::optional<std::string>
string_of(const Exiv2::ExifData& exif, const char* key)
{
  auto it = find(exif, key);
  if (it == exif.end()) {
    return std::nullopt;
  }
  std::string value = it->toString();
  // EXIF ASCII values are NUL-padded and often space-padded.
  while (!value.empty() && (value.back() == '\0' || value.back() == ' ')) {
    value.pop_back();
  }
  if (value.empty()) {
    return std::nullopt;
  }
  return value;
}

// Degrees, minutes, seconds and a hemisphere reference as signed decimal
// degrees, within `limit`.
std::optional<double>
coordinate(const Exiv2::ExifData& exif,
           const char* key,
           const char* ref_key,
           char negative_ref,
           double limit)
{
  auto it = find(exif, key);
  if (it == exif.end() || it->count() != 3) {
    return std::nullopt;
  }
  auto degrees = rational_at(*it, 0);
  auto minutes = rational_at(*it, 1);
  auto seconds = rational_at(*it, 2);
  auto ref = string_of(exif, ref_key);
  if (!degrees || !minutes || !seconds || !ref || ref->size() != 1) {
    return std::nullopt;
  }
  double value = *degrees + *minutes / 60.0 + *seconds / 3600.0;
  if ((*ref)[0] == negative_ref) {
    value = -value;
  }
  if (!std::isfinite(value) || std::fabs(value) > limit) {
    return std::nullopt;
  }
  return value;
}

} // namespace

ExifFacts
read_exif(const fs::Path& file) noexcept
{
  ExifFacts facts;
  try {
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    Exiv2::LogMsg::setHandler(nullptr);
    // A FileIo, not ImageFactory::open(path): exiv2 would fetch a path that
    // looks like a URL.
    Exiv2::BasicIo::AutoPtr io(new Exiv2::FileIo(file.string()));
    Exiv2::Image::AutoPtr image = Exiv2::ImageFactory::open(io);
    if (image.get() == nullptr) {
      return facts;
    }
    image->readMetadata();
    if (image->pixelWidth() > 0 && image->pixelHeight() > 0) {
      facts.pixel_width = static_cast<long>(image->pixelWidth());
      facts.pixel_height = static_cast<long>(image->pixelHeight());
    }
    const Exiv2::ExifData& exif = image->exifData();
    if (exif.empty()) {
      return facts;
    }
    facts.date_time_original = string_of(exif, "Exif.Photo.DateTimeOriginal");
    facts.offset_time_original =
      string_of(exif, "Exif.Photo.OffsetTimeOriginal");
    facts.make = string_of(exif, "Exif.Image.Make");
    facts.model = string_of(exif, "Exif.Image.Model");
    facts.latitude = coordinate(
      exif, "Exif.GPSInfo.GPSLatitude", "Exif.GPSInfo.GPSLatitudeRef", 'S', 90);
    facts.longitude = coordinate(exif,
                                 "Exif.GPSInfo.GPSLongitude",
                                 "Exif.GPSInfo.GPSLongitudeRef",
                                 'W',
                                 180);
    if (auto it = find(exif, "Exif.GPSInfo.GPSAltitude");
        it != exif.end() && it->count() == 1) {
      auto altitude = rational_at(*it, 0);
      auto ref = find(exif, "Exif.GPSInfo.GPSAltitudeRef");
      if (altitude && std::isfinite(*altitude) && std::fabs(*altitude) < 1e6) {
        const bool below =
          ref != exif.end() && ref->count() == 1 && ref->toLong(0) == 1;
        facts.altitude = below ? -*altitude : *altitude;
      }
    }
    if (auto it = find(exif, "Exif.Image.Orientation");
        it != exif.end() && it->count() == 1) {
      const long orientation = it->toLong(0);
      if (orientation >= 1 && orientation <= 8) {
        facts.orientation = orientation;
      }
    }
  } catch (...) {
    // exiv2 reports a corrupt file, an unsupported format and its own bugs by
    // throwing (Exiv2::AnyError and std exceptions): whatever was read so far
    // stands.
  }
  return facts;
}

} // namespace custody::media::detail

#if defined(__GNUC__)
#  pragma GCC diagnostic pop
#endif
