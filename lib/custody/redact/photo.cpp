// Photo redaction: OpenCV decodes, detects and encodes; Exiv2 reads the
// orientation and reads the output back; the container walks and the checks
// are ours (docs REDACTION.md sections 4.1 and 5).
#include <custody/crypto/crypto.hpp>
#include <custody/redact/photo.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <exception>
#include <exiv2/exiv2.hpp>
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <optional>
#include <utility>

namespace custody::redact {

namespace {

// Cascades and the model are a few MB at most.
constexpr std::uint64_t k_max_model_size = 64ULL << 20U;
// OpenCV takes the encoded size as an int.
constexpr std::size_t k_max_input = 1ULL << 30U;
// Canaries shorter than this occur by chance in compressed data.
constexpr std::size_t k_min_canary = 4;
// The JPEG block grid masks are grown out to: one 4:2:0 MCU.
constexpr int k_jpeg_grid = 16;
// After JPEG encoding, a solid black mask on the 16-pixel grid decodes to
// exact black inside, and its one-pixel rim takes a share of the neighbouring
// block's colour (libjpeg upsamples 4:2:0 chroma by interpolation): at most
// 32 levels measured at quality 50 to 100 on the test photos. A rim one pixel
// wide carries no face; the interior must be exact.
constexpr int k_jpeg_rim_bound = 48;
constexpr double k_blazeface_threshold = 0.5;
constexpr float k_nms_iou = 0.3F;
constexpr int k_blazeface_size = 128;

enum class Container { jpeg, png, webp };

std::optional<Container>
sniff(ByteView data)
{
  if (data.size() >= 3 && data[0] == 0xFF && data[1] == 0xD8
      && data[2] == 0xFF) {
    return Container::jpeg;
  }
  static constexpr std::array<std::uint8_t, 8> png_magic = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (data.size() >= 8
      && std::equal(png_magic.begin(), png_magic.end(), data.begin())) {
    return Container::png;
  }
  if (data.size() >= 12 && std::memcmp(data.data(), "RIFF", 4) == 0
      && std::memcmp(data.data() + 8, "WEBP", 4) == 0) {
    return Container::webp;
  }
  return std::nullopt;
}

// The markers of a JPEG up to the primary image's EOI.
struct JpegWalk
{
  std::size_t end = 0; // just past EOI
  std::vector<std::uint8_t> markers;
  bool jfif_thumbnail = false;
};

Result<JpegWalk>
walk_jpeg(ByteView data)
{
  JpegWalk out;
  std::size_t pos = 2;
  const auto size = data.size();
  while (true) {
    if (pos >= size) {
      return fail(Errc::invalid_input, "the JPEG ends before its end marker");
    }
    if (data[pos] != 0xFF) {
      return fail(
        Errc::invalid_input, "the JPEG has no marker at byte {}", pos);
    }
    while (pos < size && data[pos] == 0xFF) {
      ++pos;
    }
    if (pos >= size) {
      return fail(Errc::invalid_input, "the JPEG ends before its end marker");
    }
    const std::uint8_t marker = data[pos++];
    out.markers.push_back(marker);
    if (marker == 0xD9) {
      out.end = pos;
      return out;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      continue;
    }
    if (pos + 2 > size) {
      return fail(Errc::invalid_input, "the JPEG ends inside a segment");
    }
    const std::size_t length = (std::size_t{data[pos]} << 8U) | data[pos + 1];
    if (length < 2 || pos + length > size) {
      return fail(Errc::invalid_input,
                  "the JPEG segment at byte {} runs past the end",
                  pos);
    }
    if (marker == 0xE0 && length >= 16
        && std::memcmp(data.data() + pos + 2, "JFIF\0", 5) == 0) {
      out.jfif_thumbnail = data[pos + 14] != 0 || data[pos + 15] != 0;
    }
    pos += length;
    if (marker != 0xDA) {
      continue;
    }
    // Entropy-coded data: a 0xFF is followed by a stuffed 0, a restart
    // marker, fill bytes or the next marker.
    while (true) {
      if (pos + 1 >= size) {
        return fail(Errc::invalid_input, "the JPEG ends inside its image data");
      }
      if (data[pos] != 0xFF) {
        ++pos;
        continue;
      }
      const auto next = data[pos + 1];
      if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
        pos += 2;
        continue;
      }
      if (next == 0xFF) {
        ++pos;
        continue;
      }
      break;
    }
  }
}

std::uint32_t
big_endian32(const std::uint8_t* p)
{
  return (std::uint32_t{p[0]} << 24U) | (std::uint32_t{p[1]} << 16U)
         | (std::uint32_t{p[2]} << 8U) | std::uint32_t{p[3]};
}

// The chunk types of a PNG up to IEND, and the offset just past it.
struct PngWalk
{
  std::size_t end = 0;
  std::vector<std::string> chunks;
};

Result<PngWalk>
walk_png(ByteView data)
{
  PngWalk out;
  std::size_t pos = 8;
  while (true) {
    if (pos + 12 > data.size()) {
      return fail(Errc::invalid_input, "the PNG ends before its IEND chunk");
    }
    const std::uint64_t length = big_endian32(data.data() + pos);
    std::string type(reinterpret_cast<const char*>(data.data() + pos + 4), 4);
    if (length > 0x7FFFFFFFU || pos + 12 + length > data.size()) {
      return fail(
        Errc::invalid_input, "the PNG chunk at byte {} runs past the end", pos);
    }
    pos += 12 + length;
    out.chunks.push_back(type);
    if (type == "IEND") {
      out.end = pos;
      return out;
    }
  }
}

// Where the image ends, refusing a truncated one. Bytes after the end are
// allowed in the input (they are dropped) and refused in the output.
Result<std::size_t>
image_end(ByteView data, Container container)
{
  switch (container) {
  case Container::jpeg: {
    auto walk = walk_jpeg(data);
    if (!walk) {
      return tl::unexpected(walk.error());
    }
    return walk->end;
  }
  case Container::png: {
    auto walk = walk_png(data);
    if (!walk) {
      return tl::unexpected(walk.error());
    }
    return walk->end;
  }
  case Container::webp: {
    const std::uint64_t riff =
      std::uint64_t{data[4]} | (std::uint64_t{data[5]} << 8U)
      | (std::uint64_t{data[6]} << 16U) | (std::uint64_t{data[7]} << 24U);
    if (8 + riff > data.size()) {
      return fail(Errc::invalid_input,
                  "the WebP image is truncated: {} bytes of {}",
                  data.size(),
                  8 + riff);
    }
    return static_cast<std::size_t>(8 + riff);
  }
  }
  return fail(Errc::internal, "unknown container");
}

struct Metadata
{
  int orientation = 1;
  std::uint64_t width = 0;
  std::uint64_t height = 0;
  bool exif = false;
  bool xmp = false;
  bool iptc = false;
  bool icc = false;
  bool comment = false;
};

void
mute_libraries()
{
  static const bool muted = [] {
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
    Exiv2::LogMsg::setHandler(nullptr);
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    return true;
  }();
  (void)muted;
}

Result<Metadata>
read_metadata(ByteView data, std::string_view what)
{
  try {
    auto image =
      Exiv2::ImageFactory::open(data.data(), static_cast<long>(data.size()));
    if (image.get() == nullptr) {
      return fail(Errc::invalid_input, "{}: not an image Exiv2 reads", what);
    }
    image->readMetadata();
    Metadata out;
    out.width = static_cast<std::uint64_t>(std::max(0, image->pixelWidth()));
    out.height = static_cast<std::uint64_t>(std::max(0, image->pixelHeight()));
    const auto& exif = image->exifData();
    out.exif = !exif.empty();
    out.xmp = !image->xmpData().empty() || !image->xmpPacket().empty();
    out.iptc = !image->iptcData().empty();
    out.icc = image->iccProfileDefined();
    out.comment = !image->comment().empty();
    const auto found = exif.findKey(Exiv2::ExifKey("Exif.Image.Orientation"));
    if (found != exif.end() && found->count() > 0) {
      const auto value = found->toLong(0);
      out.orientation = value >= 1 && value <= 8 ? static_cast<int>(value) : 1;
    }
    return out;
  } catch (const std::exception& e) {
    return fail(Errc::invalid_input,
                "{}: its metadata cannot be read ({})",
                what,
                e.what());
  }
}

// The pixels as the camera meant them to be seen (EXIF orientation 1 to 8).
cv::Mat
upright(const cv::Mat& image, int orientation)
{
  cv::Mat out;
  switch (orientation) {
  case 2:
    cv::flip(image, out, 1);
    break;
  case 3:
    cv::rotate(image, out, cv::ROTATE_180);
    break;
  case 4:
    cv::flip(image, out, 0);
    break;
  case 5:
    cv::transpose(image, out);
    break;
  case 6:
    cv::rotate(image, out, cv::ROTATE_90_CLOCKWISE);
    break;
  case 7:
    cv::transpose(image, out);
    cv::rotate(out, out, cv::ROTATE_180);
    break;
  case 8:
    cv::rotate(image, out, cv::ROTATE_90_COUNTERCLOCKWISE);
    break;
  default:
    out = image;
  }
  return out;
}

// 8-bit BGR: grey expanded, 16 bits scaled down, alpha composited onto
// black, so that what transparent pixels hide does not show in the output.
Result<cv::Mat>
flatten(const cv::Mat& decoded)
{
  cv::Mat eight = decoded;
  if (decoded.depth() == CV_16U) {
    decoded.convertTo(eight, CV_8U, 1.0 / 257.0);
  } else if (decoded.depth() != CV_8U) {
    return fail(Errc::invalid_input,
                "the image has samples of a depth photos do not use");
  }
  cv::Mat out;
  switch (eight.channels()) {
  case 1:
    cv::cvtColor(eight, out, cv::COLOR_GRAY2BGR);
    return out;
  case 3:
    return eight;
  case 4: {
    std::vector<cv::Mat> planes;
    cv::split(eight, planes);
    const cv::Mat alpha = planes[3];
    planes.pop_back();
    cv::merge(planes, out);
    cv::Mat alpha3;
    cv::cvtColor(alpha, alpha3, cv::COLOR_GRAY2BGR);
    // out * alpha / 255, rounded: zero where fully transparent.
    cv::multiply(out, alpha3, out, 1.0 / 255.0);
    return out;
  }
  default:
    return fail(Errc::invalid_input,
                "the image has {} channels, not 1, 3 or 4",
                eight.channels());
  }
}

Box
to_box(const cv::Rect& r)
{
  return {r.x, r.y, r.width, r.height};
}

cv::Rect
to_rect(const Box& b)
{
  return {b.x, b.y, b.width, b.height};
}

struct Loaded
{
  Bytes bytes;
  std::string sha256;
};

Result<Loaded>
load_file(const std::string& path, std::string_view what)
{
  if (path.empty()) {
    return fail(Errc::not_found, "the {} has no path", what);
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return make_error(Errc::not_found,
                      fmt::format("the {} {} does not exist", what, path),
                      "install opencv-data, and the BlazeFace model with the "
                      "project's setup script");
  }
  auto bytes = fs::read_file(path, k_max_model_size, fs::Origin::user);
  if (!bytes) {
    return tl::unexpected(bytes.error());
  }
  Loaded out;
  out.sha256 = sha256_hex(*bytes);
  out.bytes = std::move(*bytes);
  return out;
}

enum class Pass {
  image,    // the upright image
  mirrored, // flipped left to right: the profile cascades know one side
  doubled,  // upscaled twice: faces of about 28 pixels (small photos only)
};

struct CascadeSpec
{
  const char* name;
  bool lbp;
  const char* file;
  Pass pass;
};

constexpr std::array<CascadeSpec, 9> k_cascades = {{
  {"haar_frontalface_default",
   false,
   "haarcascade_frontalface_default.xml",
   Pass::image},
  {"haar_frontalface_alt2",
   false,
   "haarcascade_frontalface_alt2.xml",
   Pass::image},
  {"lbp_frontalface_improved",
   true,
   "lbpcascade_frontalface_improved.xml",
   Pass::image},
  {"haar_profileface", false, "haarcascade_profileface.xml", Pass::image},
  {"haar_profileface_mirrored",
   false,
   "haarcascade_profileface.xml",
   Pass::mirrored},
  {"lbp_profileface", true, "lbpcascade_profileface.xml", Pass::image},
  {"lbp_profileface_mirrored",
   true,
   "lbpcascade_profileface.xml",
   Pass::mirrored},
  {"haar_frontalface_alt2_2x",
   false,
   "haarcascade_frontalface_alt2.xml",
   Pass::doubled},
  {"lbp_frontalface_improved_2x",
   true,
   "lbpcascade_frontalface_improved.xml",
   Pass::doubled},
}};

// Images up to this size also get the upscaled passes (REDACTION.md section
// 2.2: below about 30 pixels the cascades miss faces). Measured here on the
// astronaut scaled down (a found box overlapping the face by IoU > 0.3): at
// 32 pixels only alt2 and LBP improved at twice the size find it, at 28 only
// LBP improved doubled, at 24 none (Haar default gives a loose box around
// the head at either size).
// Above it the pass would cost four times the largest pass; BlazeFace's
// windows look for small faces there.
constexpr std::uint64_t k_doubled_max_pixels = 2'000'000;

// The grey image each pass looks at.
struct Passes
{
  cv::Mat image;
  cv::Mat mirrored;
  cv::Mat doubled; // empty above k_doubled_max_pixels
};

Result<DetectorResult>
run_cascade(const CascadeSpec& spec,
            const PhotoOptions& options,
            const Passes& passes)
{
  DetectorResult out;
  out.name = spec.name;
  out.file = (spec.lbp ? options.lbp_dir : options.haar_dir) + "/" + spec.file;
  auto loaded = load_file(out.file, "cascade");
  if (!loaded) {
    return tl::unexpected(loaded.error());
  }
  out.sha256 = loaded->sha256;
  cv::CascadeClassifier cascade;
  const std::string text(loaded->bytes.begin(), loaded->bytes.end());
  cv::FileStorage storage(text,
                          cv::FileStorage::READ | cv::FileStorage::MEMORY);
  if (!cascade.read(storage.getFirstTopLevelNode()) || cascade.empty()) {
    return fail(
      Errc::invalid_input, "the cascade {} cannot be loaded", out.file);
  }
  const cv::Mat& gray = spec.pass == Pass::mirrored  ? passes.mirrored
                        : spec.pass == Pass::doubled ? passes.doubled
                                                     : passes.image;
  std::vector<cv::Rect> found;
  // Recall before precision (REDACTION.md section 4.1): a false positive
  // costs a black box, a miss costs a face.
  cascade.detectMultiScale(gray, found, 1.1, 3, 0, cv::Size(20, 20));
  for (auto r : found) {
    if (spec.pass == Pass::mirrored) {
      r.x = gray.cols - r.x - r.width;
    } else if (spec.pass == Pass::doubled) {
      // Halved outward, so that the box still holds what was found.
      const int x1 = (r.x + r.width + 1) / 2;
      const int y1 = (r.y + r.height + 1) / 2;
      r.x /= 2;
      r.y /= 2;
      r.width = x1 - r.x;
      r.height = y1 - r.y;
    }
    out.boxes.push_back(to_box(r));
  }
  return out;
}

float
sigmoid(float x)
{
  return 1.0F / (1.0F + std::exp(-x));
}

// BlazeFace (front, 128 by 128) on one window of the image: the window
// letterboxed onto a black square, NHWC floats in [-1, 1], RGB. Two heads:
// 16 by 16 cells with 2 anchors and 8 by 8 cells with 6; each anchor has a
// score and 16 regressors (box centre and size in input pixels, then six
// keypoints), as keijiro's Postprocess1Kernel.hlsl decodes them. Boxes and
// scores above the threshold are added, in image coordinates.
Result<void>
blazeface_window(cv::dnn::Net& net,
                 const cv::Mat& bgr,
                 const cv::Rect& window,
                 const std::string& file,
                 std::vector<cv::Rect>& rects,
                 std::vector<float>& scores)
{
  const int side = std::max(window.width, window.height);
  cv::Mat square(side, side, CV_8UC3, cv::Scalar::all(0));
  bgr(window).copyTo(square(cv::Rect(0, 0, window.width, window.height)));
  cv::Mat small;
  cv::resize(square,
             small,
             cv::Size(k_blazeface_size, k_blazeface_size),
             0,
             0,
             cv::INTER_AREA);
  cv::cvtColor(small, small, cv::COLOR_BGR2RGB);
  cv::Mat input;
  small.convertTo(input, CV_32FC3, 2.0 / 255.0, -1.0);
  const std::array<int, 4> shape = {1, k_blazeface_size, k_blazeface_size, 3};
  const cv::Mat blob(4, shape.data(), CV_32F, input.data);
  net.setInput(blob);
  std::vector<cv::Mat> heads;
  const std::vector<cv::String> names = {
    "Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0"};
  try {
    net.forward(heads, names);
  } catch (const cv::Exception& e) {
    return fail(Errc::invalid_input,
                "the BlazeFace model {} failed ({})",
                file,
                e.what());
  }
  struct Head
  {
    int cells;
    int anchors;
    const cv::Mat& scores;
    const cv::Mat& boxes;
  };
  const std::array<Head, 2> layout = {
    {{16, 2, heads[0], heads[2]}, {8, 6, heads[1], heads[3]}}};
  for (const auto& head : layout) {
    const auto count =
      static_cast<std::size_t>(head.cells) * head.cells * head.anchors;
    if (head.scores.total() != count || head.boxes.total() != count * 16
        || head.scores.type() != CV_32F || head.boxes.type() != CV_32F) {
      return fail(Errc::invalid_input,
                  "the BlazeFace model {} has outputs of another shape",
                  file);
    }
    const auto* s = head.scores.ptr<float>();
    const auto* b = head.boxes.ptr<float>();
    for (std::size_t i = 0; i < count; ++i) {
      const float score = sigmoid(s[i]);
      if (static_cast<double>(score) < k_blazeface_threshold) {
        continue;
      }
      const auto cell = static_cast<int>(i) / head.anchors;
      const int column = cell % head.cells;
      const int row = cell / head.cells;
      const double ax = (column + 0.5) / head.cells;
      const double ay = (row + 0.5) / head.cells;
      const auto at = [&](std::size_t k) {
        return static_cast<double>(b[i * 16 + k]) / k_blazeface_size;
      };
      const double cx = ax + at(0);
      const double cy = ay + at(1);
      const double w = at(2);
      const double h = at(3);
      rects.emplace_back(
        window.x + static_cast<int>(std::floor((cx - w / 2) * side)),
        window.y + static_cast<int>(std::floor((cy - h / 2) * side)),
        static_cast<int>(std::ceil(w * side)),
        static_cast<int>(std::ceil(h * side)));
      scores.push_back(score);
    }
  }
  return {};
}

// The windows BlazeFace looks at: the whole image, then squares of a half
// and a quarter of its short side, overlapping by half, so that a face a
// tenth of a window wide is seen in a group photo too (the model finds faces
// down to about a tenth of its input).
std::vector<cv::Rect>
blazeface_windows(cv::Size image)
{
  std::vector<cv::Rect> out = {cv::Rect(0, 0, image.width, image.height)};
  const int short_side = std::min(image.width, image.height);
  for (const int parts : {2, 4}) {
    const int side = short_side / parts;
    if (side < 2 * k_blazeface_size) {
      break;
    }
    const int stride = side / 2;
    const auto starts = [&](int length) {
      std::vector<int> at;
      for (int p = 0; p + side < length; p += stride) {
        at.push_back(p);
      }
      at.push_back(length - side);
      return at;
    };
    for (const int y : starts(image.height)) {
      for (const int x : starts(image.width)) {
        out.emplace_back(x, y, side, side);
      }
    }
  }
  return out;
}

Result<DetectorResult>
run_blazeface(const PhotoOptions& options, const cv::Mat& bgr)
{
  DetectorResult out;
  out.name = "blazeface_front_128";
  out.file = options.blazeface_model;
  auto loaded = load_file(out.file, "BlazeFace model");
  if (!loaded) {
    return tl::unexpected(loaded.error());
  }
  out.sha256 = loaded->sha256;
  cv::dnn::Net net;
  try {
    net = cv::dnn::readNetFromONNX(
      reinterpret_cast<const char*>(loaded->bytes.data()),
      loaded->bytes.size());
  } catch (const cv::Exception& e) {
    return fail(Errc::invalid_input,
                "the BlazeFace model {} cannot be loaded ({})",
                out.file,
                e.what());
  }
  std::vector<cv::Rect> rects;
  std::vector<float> scores;
  for (const auto& window : blazeface_windows(bgr.size())) {
    if (auto ok = blazeface_window(net, bgr, window, out.file, rects, scores);
        !ok) {
      return tl::unexpected(ok.error());
    }
  }
  std::vector<int> kept;
  cv::dnn::NMSBoxes(
    rects, scores, static_cast<float>(k_blazeface_threshold), k_nms_iou, kept);
  for (const int i : kept) {
    const auto r =
      rects[static_cast<std::size_t>(i)] & cv::Rect(0, 0, bgr.cols, bgr.rows);
    if (r.area() > 0) {
      out.boxes.push_back(to_box(r));
    }
  }
  return out;
}

// `box` grown by `margin` of its size on every side, clipped to the image,
// and for JPEG grown out to the codec's block grid.
cv::Rect
mask_of(const Box& box, double margin, cv::Size image, PhotoFormat format)
{
  const double dx = box.width * margin;
  const double dy = box.height * margin;
  auto x0 = static_cast<int>(std::floor(box.x - dx));
  auto y0 = static_cast<int>(std::floor(box.y - dy));
  auto x1 = static_cast<int>(std::ceil(box.x + box.width + dx));
  auto y1 = static_cast<int>(std::ceil(box.y + box.height + dy));
  if (format == PhotoFormat::jpeg) {
    x0 = x0 / k_jpeg_grid * k_jpeg_grid;
    y0 = y0 / k_jpeg_grid * k_jpeg_grid;
    x1 = (x1 + k_jpeg_grid - 1) / k_jpeg_grid * k_jpeg_grid;
    y1 = (y1 + k_jpeg_grid - 1) / k_jpeg_grid * k_jpeg_grid;
  }
  x0 = std::clamp(x0, 0, image.width);
  y0 = std::clamp(y0, 0, image.height);
  x1 = std::clamp(x1, 0, image.width);
  y1 = std::clamp(y1, 0, image.height);
  return {x0, y0, x1 - x0, y1 - y0};
}

void
apply_fill(cv::Mat& image, const cv::Rect& mask, Fill fill)
{
  cv::Mat roi = image(mask);
  switch (fill) {
  case Fill::solid:
    roi.setTo(cv::Scalar::all(0));
    break;
  case Fill::pixelate: {
    // 4 by 4 cells at most: 8 and 12 still let a cascade find the face
    // (REDACTION.md section 2.2).
    cv::Mat cells;
    cv::resize(roi,
               cells,
               cv::Size(std::min(4, mask.width), std::min(4, mask.height)),
               0,
               0,
               cv::INTER_AREA);
    cv::resize(cells, roi, roi.size(), 0, 0, cv::INTER_NEAREST);
    break;
  }
  case Fill::blur: {
    const double sigma = std::max(mask.width, mask.height) / 4.0;
    cv::Mat blurred;
    cv::GaussianBlur(roi, blurred, cv::Size(0, 0), sigma);
    blurred.copyTo(roi);
    break;
  }
  }
}

// The largest difference from black in any channel of `roi`.
int
max_level(const cv::Mat& roi)
{
  double most = 0;
  cv::minMaxLoc(roi.reshape(1), nullptr, &most);
  return static_cast<int>(most);
}

Result<void>
failed_check(std::string_view name, std::string_view detail)
{
  // Exit 1, as every output custody will not let out (issue 17: a failed
  // check leaves no output and exits 1).
  return make_error(
    Errc::unsafe,
    fmt::format("the redacted photo failed the check {}: {}", name, detail),
    "no output was made; keep the original and report this");
}

bool
contains(ByteView haystack, std::string_view needle)
{
  const auto* begin = reinterpret_cast<const char*>(haystack.data());
  return std::search(
           begin, begin + haystack.size(), needle.begin(), needle.end())
         != begin + haystack.size();
}

Result<void>
check_container(ByteView out, PhotoFormat format, PhotoRedaction& report)
{
  std::string detail;
  if (format == PhotoFormat::jpeg) {
    auto walk = walk_jpeg(out);
    if (!walk) {
      return failed_check("container", walk.error().message);
    }
    for (const auto marker : walk->markers) {
      const bool allowed = marker == 0xD8 || marker == 0xE0 || marker == 0xDB
                           || marker == 0xC4 || marker == 0xC0 || marker == 0xC1
                           || marker == 0xC2 || marker == 0xDD || marker == 0xDA
                           || marker == 0xD9
                           || (marker >= 0xD0 && marker <= 0xD7);
      if (!allowed) {
        return failed_check("container",
                            fmt::format("a JPEG marker 0x{:02X} outside the "
                                        "allow-list",
                                        marker));
      }
    }
    if (walk->jfif_thumbnail) {
      return failed_check("container", "a JFIF thumbnail");
    }
    if (walk->end != out.size()) {
      return failed_check(
        "container",
        fmt::format("{} bytes after the end marker", out.size() - walk->end));
    }
    detail = fmt::format("JPEG markers within SOI, APP0 JFIF without a "
                         "thumbnail, DQT, DHT, SOF, DRI, SOS, RST, EOI; "
                         "ends at EOI ({} bytes)",
                         out.size());
  } else {
    auto walk = walk_png(out);
    if (!walk) {
      return failed_check("container", walk.error().message);
    }
    for (const auto& chunk : walk->chunks) {
      if (chunk != "IHDR" && chunk != "PLTE" && chunk != "IDAT"
          && chunk != "IEND") {
        return failed_check(
          "container",
          fmt::format("a PNG chunk {} outside the allow-list", chunk));
      }
    }
    if (walk->end != out.size()) {
      return failed_check(
        "container",
        fmt::format("{} bytes after the IEND chunk", out.size() - walk->end));
    }
    detail = fmt::format(
      "PNG chunks within IHDR, PLTE, IDAT, IEND; ends at IEND ({} bytes)",
      out.size());
  }
  report.checks.push_back({"container", true, detail});
  return {};
}

Result<void>
check_metadata(ByteView out, PhotoRedaction& report)
{
  auto meta = read_metadata(out, "the redacted photo");
  if (!meta) {
    return failed_check("metadata", meta.error().message);
  }
  std::vector<std::string> found;
  if (meta->exif) {
    found.emplace_back("EXIF");
  }
  if (meta->xmp) {
    found.emplace_back("XMP");
  }
  if (meta->iptc) {
    found.emplace_back("IPTC");
  }
  if (meta->icc) {
    found.emplace_back("an ICC profile");
  }
  if (meta->comment) {
    found.emplace_back("a comment");
  }
  if (!found.empty()) {
    return failed_check("metadata",
                        fmt::format("Exiv2 reads {}", fmt::join(found, ", ")));
  }
  report.checks.push_back(
    {"metadata",
     true,
     "Exiv2 reads no EXIF, XMP, IPTC, ICC profile or comment"});
  return {};
}

Result<void>
check_canaries(ByteView out,
               const std::vector<std::string>& canaries,
               PhotoRedaction& report)
{
  std::size_t checked = 0;
  std::size_t short_ones = 0;
  for (std::size_t i = 0; i < canaries.size(); ++i) {
    const auto& canary = canaries[i];
    if (canary.size() < k_min_canary) {
      ++short_ones;
      continue;
    }
    ++checked;
    if (contains(out, canary)) {
      // The value itself is never echoed.
      return failed_check("canaries",
                          fmt::format("identity value {} of {} is in the "
                                      "output's bytes",
                                      i + 1,
                                      canaries.size()));
    }
  }
  if (short_ones > 0) {
    report.warnings.push_back(fmt::format(
      "{} identity values shorter than {} bytes were not looked for in the "
      "output (they occur by chance in compressed data)",
      short_ones,
      k_min_canary));
  }
  report.checks.push_back(
    {"canaries",
     checked > 0,
     fmt::format("{} identity values looked for, none found; {} too short",
                 checked,
                 short_ones)});
  return {};
}

Result<PhotoRedaction>
redact(ByteView input, const PhotoOptions& options)
{
  mute_libraries();
  if (input.empty()) {
    return fail(Errc::invalid_input, "the image is empty");
  }
  const auto container = sniff(input);
  if (!container) {
    return fail(Errc::invalid_input,
                "the image is not a JPEG, PNG or WebP (its first bytes say "
                "otherwise)");
  }
  if (input.size() > k_max_input) {
    return fail(Errc::invalid_input,
                "the image is {} bytes, more than the {} allowed",
                input.size(),
                k_max_input);
  }
  // Written so that a NaN margin is refused too.
  if (!(options.margin >= 0 && options.margin <= 4) || options.jpeg_quality < 1
      || options.jpeg_quality > 100) {
    return fail(Errc::invalid_input,
                "margin {} or JPEG quality {} out of range (0 to 4, 1 to 100)",
                options.margin,
                options.jpeg_quality);
  }
  auto end = image_end(input, *container);
  if (!end) {
    return tl::unexpected(end.error());
  }
  auto meta = read_metadata(input, "the image");
  if (!meta) {
    return tl::unexpected(meta.error());
  }
  if (meta->width * meta->height > options.max_pixels) {
    return fail(Errc::invalid_input,
                "the image is {} by {} pixels, more than the {} allowed",
                meta->width,
                meta->height,
                options.max_pixels);
  }

  PhotoRedaction report;
  report.input_sha256 = sha256_hex(input);
  report.opencv_version = CV_VERSION;
  report.exiv2_version = Exiv2::versionString();
  report.orientation = meta->orientation;
  report.fill = options.fill;
  report.margin = options.margin;
  report.format = options.format;
  report.jpeg_quality = options.jpeg_quality;
  report.regions = options.regions;

  // Exiv2 read the orientation; OpenCV must not apply it a second time.
  // Up to the end marker: whatever follows it is dropped unread. Unchanged,
  // so that an alpha channel is seen and flattened (below) rather than
  // dropped with the colours under transparent pixels left showing.
  const cv::Mat decoded =
    cv::imdecode(cv::_InputArray(input.data(), static_cast<int>(*end)),
                 cv::IMREAD_UNCHANGED | cv::IMREAD_IGNORE_ORIENTATION);
  if (decoded.empty()) {
    return fail(Errc::invalid_input, "the image cannot be decoded");
  }
  if (static_cast<std::uint64_t>(decoded.cols) * decoded.rows
      > options.max_pixels) {
    return fail(Errc::invalid_input,
                "the image is {} by {} pixels, more than the {} allowed",
                decoded.cols,
                decoded.rows,
                options.max_pixels);
  }
  auto flat = flatten(decoded);
  if (!flat) {
    return tl::unexpected(flat.error());
  }
  cv::Mat image = upright(*flat, meta->orientation);
  report.width = image.cols;
  report.height = image.rows;

  for (std::size_t i = 0; i < options.regions.size(); ++i) {
    const auto& r = options.regions[i];
    const std::int64_t right = std::int64_t{r.x} + r.width;
    const std::int64_t bottom = std::int64_t{r.y} + r.height;
    if (r.x < 0 || r.y < 0 || r.width <= 0 || r.height <= 0
        || right > image.cols || bottom > image.rows) {
      return fail(Errc::invalid_input,
                  "region {} ({},{},{},{}) is not inside the {} by {} image",
                  i + 1,
                  r.x,
                  r.y,
                  r.width,
                  r.height,
                  image.cols,
                  image.rows);
    }
  }

  cv::Mat gray;
  cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  Passes passes;
  const bool small =
    static_cast<std::uint64_t>(gray.cols) * gray.rows <= k_doubled_max_pixels;
  if (small) {
    // From the grey image before equalisation, as measured.
    cv::resize(gray, passes.doubled, cv::Size(), 2, 2, cv::INTER_LINEAR);
    cv::equalizeHist(passes.doubled, passes.doubled);
  }
  cv::equalizeHist(gray, gray);
  passes.image = gray;
  cv::flip(gray, passes.mirrored, 1);
  // The report lists the passes that ran: the doubled ones only on small
  // images.
  for (const auto& spec : k_cascades) {
    if (spec.pass == Pass::doubled && !small) {
      continue;
    }
    auto found = run_cascade(spec, options, passes);
    if (!found) {
      return tl::unexpected(found.error());
    }
    report.detectors.push_back(std::move(*found));
  }
  auto blaze = run_blazeface(options, image);
  if (!blaze) {
    return tl::unexpected(blaze.error());
  }
  report.detectors.push_back(std::move(*blaze));

  std::vector<Box> boxes = options.regions;
  for (const auto& detector : report.detectors) {
    boxes.insert(boxes.end(), detector.boxes.begin(), detector.boxes.end());
  }
  for (const auto& box : boxes) {
    const auto mask =
      mask_of(box, options.margin, image.size(), options.format);
    if (mask.area() == 0) {
      continue;
    }
    apply_fill(image, mask, options.fill);
    report.masks.push_back(to_box(mask));
  }

  if (options.fill == Fill::solid) {
    for (std::size_t i = 0; i < report.masks.size(); ++i) {
      const int level = max_level(image(to_rect(report.masks[i])));
      if (level != 0) {
        return tl::unexpected(
          failed_check(
            "mask_before_encoding",
            fmt::format("mask {} holds a level {} above black", i + 1, level))
            .error());
      }
    }
    report.checks.push_back(
      {"mask_before_encoding",
       true,
       fmt::format("{} masks all black (zero variance) before encoding",
                   report.masks.size())});
  } else {
    report.checks.push_back(
      {"mask_before_encoding",
       false,
       "the fill is not solid: the masks keep structure"});
    report.warnings.push_back(
      fmt::format("the {} fill is partly reversible: a face under it can be "
                  "recognised or restored",
                  fill_name(options.fill)));
  }

  std::vector<std::uint8_t> out;
  try {
    const bool ok =
      options.format == PhotoFormat::jpeg
        ? cv::imencode(
          ".jpg", image, out, {cv::IMWRITE_JPEG_QUALITY, options.jpeg_quality})
        : cv::imencode(".png", image, out, {cv::IMWRITE_PNG_COMPRESSION, 6});
    if (!ok || out.empty()) {
      return fail(Errc::internal, "OpenCV could not encode the redacted photo");
    }
  } catch (const cv::Exception& e) {
    return fail(Errc::internal,
                "OpenCV could not encode the redacted photo ({})",
                e.what());
  }

  // Read back what would be returned.
  const cv::Mat back =
    cv::imdecode(cv::Mat(1, static_cast<int>(out.size()), CV_8U, out.data()),
                 cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  if (back.empty() || back.cols != image.cols || back.rows != image.rows) {
    return tl::unexpected(failed_check("mask_after_encoding",
                                       "the output does not decode to the "
                                       "same size")
                            .error());
  }
  if (options.fill == Fill::solid) {
    const bool png = options.format == PhotoFormat::png;
    int worst_rim = 0;
    for (std::size_t i = 0; i < report.masks.size(); ++i) {
      const auto mask = to_rect(report.masks[i]);
      const auto inner = png ? mask
                             : cv::Rect(mask.x + 1,
                                        mask.y + 1,
                                        std::max(0, mask.width - 2),
                                        std::max(0, mask.height - 2));
      const int level = inner.area() > 0 ? max_level(back(inner)) : 0;
      const int rim = max_level(back(mask));
      worst_rim = std::max(worst_rim, rim);
      if (level != 0 || rim > (png ? 0 : k_jpeg_rim_bound)) {
        return tl::unexpected(
          failed_check("mask_after_encoding",
                       fmt::format("mask {} decodes with a level {} above "
                                   "black inside and {} on its rim (allowed: "
                                   "0 inside, {} on the rim)",
                                   i + 1,
                                   level,
                                   rim,
                                   png ? 0 : k_jpeg_rim_bound))
            .error());
      }
    }
    report.checks.push_back(
      {"mask_after_encoding",
       true,
       png ? fmt::format("{} masks decode exactly black (PNG is lossless)",
                         report.masks.size())
           : fmt::format("{} masks decode exactly black inside; the "
                         "one-pixel rims within {} levels (bound {}: JPEG's "
                         "chroma upsampling, masks on the 16-pixel grid)",
                         report.masks.size(),
                         worst_rim,
                         k_jpeg_rim_bound)});
  } else {
    report.checks.push_back(
      {"mask_after_encoding", false, "the fill is not solid"});
  }

  const ByteView view(out.data(), out.size());
  if (auto ok = check_container(view, options.format, report); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = check_metadata(view, report); !ok) {
    return tl::unexpected(ok.error());
  }
  if (auto ok = check_canaries(view, options.canaries, report); !ok) {
    return tl::unexpected(ok.error());
  }
  report.output_sha256 = sha256_hex(view);
  report.output = std::move(out);
  return report;
}

} // namespace

Result<PhotoRedaction>
redact_photo(ByteView input, const PhotoOptions& options)
{
  // OpenCV and Exiv2 throw; a throw here is refused input or a bug, never a
  // crash of the caller.
  try {
    return redact(input, options);
  } catch (const cv::Exception& e) {
    return fail(Errc::invalid_input, "OpenCV refused the image ({})", e.what());
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    return fail(Errc::invalid_input, "the image cannot be read ({})", e.what());
  }
}

} // namespace custody::redact
