// Internal to media.cpp: the EXIF facts of a still image, read with libexiv2
// in a translation unit of its own (exiv2 0.27's headers use std::auto_ptr).
#pragma once

#include <custody/sys/fs.hpp>

#include <optional>
#include <string>

namespace custody::media::detail {

// What libexiv2 reads of a still image; each member empty when the file does
// not carry it or carries something out of range. Strings are raw bytes from
// the file, not yet sanitised.
struct ExifFacts
{
  std::optional<std::string> date_time_original;   // "YYYY:MM:DD HH:MM:SS"
  std::optional<std::string> offset_time_original; // "+03:00"
  std::optional<double> latitude;  // signed decimal degrees, north positive
  std::optional<double> longitude; // signed decimal degrees, east positive
  std::optional<double> altitude;  // metres, below sea level negative
  std::optional<std::string> make;
  std::optional<std::string> model;
  std::optional<long> orientation; // EXIF Orientation, 1-8
  std::optional<long> pixel_width;
  std::optional<long> pixel_height;
};

// Reads the EXIF of `file` through an Exiv2::FileIo (never a URL, never
// written). Any exception exiv2 throws gives empty facts; never throws.
ExifFacts read_exif(const fs::Path& file) noexcept;

} // namespace custody::media::detail
