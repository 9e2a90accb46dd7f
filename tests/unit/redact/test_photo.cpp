// Photo redaction: the public-domain faces of tests/fixtures/photos, made
// dirty in the test (EXIF with GPS and identity values, XMP, IPTC, a comment,
// a thumbnail of another picture, bytes after the end), redacted, then read
// back with Exiv2 and OpenCV: no metadata, no canary, the faces under black.
#include "temp_dir.hpp"

#include <custody/redact/photo.hpp>
#include <custody/sys/spawn.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <exiv2/exiv2.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

using namespace custody;
using redact::Box;

namespace {

const std::filesystem::path photos =
  std::filesystem::path(CUSTODY_TEST_FIXTURES) / "photos";

// Where REDACTION.md section 5 measured the faces.
constexpr Box astronaut_face{177, 67, 93, 93};
constexpr Box camera_face{185, 111, 82, 82};

const std::vector<std::string> planted = {
  "Jane Doe", "SN123456789", "GPS51.5007", "07700 900123"};

Bytes
read_fixture(const std::string& name)
{
  std::ifstream in(photos / name, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), {}};
}

redact::PhotoOptions
options()
{
  redact::PhotoOptions out;
  out.blazeface_model = CUSTODY_BLAZEFACE_MODEL;
  out.canaries = planted;
  return out;
}

cv::Mat
decode(ByteView bytes)
{
  return cv::imdecode(cv::Mat(1,
                              static_cast<int>(bytes.size()),
                              CV_8U,
                              const_cast<std::uint8_t*>(bytes.data())),
                      cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
}

Bytes
encode(const cv::Mat& image, const char* ext)
{
  std::vector<std::uint8_t> out;
  REQUIRE(cv::imencode(ext, image, out));
  return out;
}

// `jpeg` with planted metadata: EXIF GPS, camera serial and owner, XMP, IPTC,
// a comment, and an EXIF thumbnail of `thumbnail`.
Bytes
plant_metadata(const Bytes& jpeg, const Bytes& thumbnail, int orientation = 1)
{
  auto image =
    Exiv2::ImageFactory::open(jpeg.data(), static_cast<long>(jpeg.size()));
  REQUIRE(static_cast<bool>(image.get()));
  image->readMetadata();
  Exiv2::ExifData exif;
  exif["Exif.Image.Make"] = "Canary Camera Co";
  exif["Exif.Image.Model"] = "SN123456789 Model";
  exif["Exif.Image.Artist"] = "Jane Doe";
  exif["Exif.Photo.BodySerialNumber"] = "SN123456789";
  exif["Exif.Image.ImageDescription"] = "call 07700 900123";
  exif["Exif.Image.Orientation"] = static_cast<std::uint16_t>(orientation);
  exif["Exif.GPSInfo.GPSLatitudeRef"] = "N";
  exif["Exif.GPSInfo.GPSLatitude"] = "51/1 30/1 254/100";
  exif["Exif.GPSInfo.GPSLongitudeRef"] = "W";
  exif["Exif.GPSInfo.GPSLongitude"] = "0/1 7/1 2856/100";
  exif["Exif.GPSInfo.GPSProcessingMethod"] = "charset=Ascii GPS51.5007";
  Exiv2::ExifThumb thumb(exif);
  thumb.setJpegThumbnail(thumbnail.data(), static_cast<long>(thumbnail.size()));
  image->setExifData(exif);
  Exiv2::XmpData xmp;
  xmp["Xmp.dc.creator"] = "Jane Doe";
  xmp["Xmp.dc.description"] = "GPS51.5007";
  image->setXmpData(xmp);
  Exiv2::IptcData iptc;
  iptc["Iptc.Application2.Byline"] = "Jane Doe";
  image->setIptcData(iptc);
  image->setComment("Jane Doe 07700 900123");
  image->writeMetadata();
  auto& io = image->io();
  io.seek(0, Exiv2::BasicIo::beg);
  const auto buf = io.read(static_cast<long>(io.size()));
  return {buf.pData_, buf.pData_ + buf.size_};
}

// The astronaut as a JPEG with everything REDACTION.md says leaks: metadata,
// a thumbnail of another picture (the camera man) and bytes after the end.
Bytes
dirty_astronaut()
{
  const auto astronaut = decode(read_fixture("astronaut.png"));
  auto camera = decode(read_fixture("camera.png"));
  cv::resize(camera, camera, cv::Size(160, 160));
  auto out = plant_metadata(encode(astronaut, ".jpg"), encode(camera, ".jpg"));
  const std::string trailer = "motion photo of Jane Doe at GPS51.5007";
  out.insert(out.end(), trailer.begin(), trailer.end());
  return out;
}

bool
holds(ByteView bytes, std::string_view text)
{
  const auto* begin = reinterpret_cast<const char*>(bytes.data());
  return std::search(begin, begin + bytes.size(), text.begin(), text.end())
         != begin + bytes.size();
}

// Every pixel of `face` lies in some mask.
bool
covered(const Box& face, const std::vector<Box>& masks)
{
  for (int y = face.y; y < face.y + face.height; ++y) {
    for (int x = face.x; x < face.x + face.width; ++x) {
      const bool in = std::any_of(masks.begin(), masks.end(), [&](auto& m) {
        return x >= m.x && x < m.x + m.width && y >= m.y && y < m.y + m.height;
      });
      if (!in) {
        return false;
      }
    }
  }
  return true;
}

int
brightest(const cv::Mat& image, const Box& box)
{
  double most = 0;
  cv::minMaxLoc(
    image(cv::Rect(box.x, box.y, box.width, box.height)).clone().reshape(1),
    nullptr,
    &most);
  return static_cast<int>(most);
}

double
overlap(const Box& a, const Box& b)
{
  const cv::Rect ra(a.x, a.y, a.width, a.height);
  const cv::Rect rb(b.x, b.y, b.width, b.height);
  return static_cast<double>((ra & rb).area()) / (ra | rb).area();
}

const redact::DetectorResult*
detector(const redact::PhotoRedaction& report, std::string_view name)
{
  for (const auto& d : report.detectors) {
    if (d.name == name) {
      return &d;
    }
  }
  return nullptr;
}

bool
has_check(const redact::PhotoRedaction& report, std::string_view name)
{
  return std::any_of(report.checks.begin(),
                     report.checks.end(),
                     [&](const auto& c) { return c.name == name; });
}

} // namespace

TEST_SUITE_BEGIN("photo");

TEST_CASE("a dirty JPEG comes out with no metadata, thumbnail, trailer or "
          "canary, its face under black and the input untouched")
{
  const auto input = dirty_astronaut();
  const auto before = input;
  // The fixture really is dirty.
  for (const auto& canary : planted) {
    CHECK(holds(input, canary));
  }
  const auto result = redact::redact_photo(input, options());
  REQUIRE_MESSAGE(result, result.error().message);
  CHECK(input == before);

  const auto& out = result->output;
  CHECK(result->format == redact::PhotoFormat::jpeg);
  CHECK(result->width == 512);
  CHECK(result->height == 512);
  for (const auto& canary : planted) {
    CHECK_FALSE(holds(out, canary));
  }
  // Exiv2, independently of the library's own check.
  auto image =
    Exiv2::ImageFactory::open(out.data(), static_cast<long>(out.size()));
  image->readMetadata();
  CHECK(image->exifData().empty());
  CHECK(image->xmpData().empty());
  CHECK(image->iptcData().empty());
  CHECK_FALSE(image->iccProfileDefined());
  CHECK(image->comment().empty());
  // No thumbnail's SOI inside, and the file ends at the image's EOI.
  REQUIRE(out.size() > 4);
  CHECK(out[out.size() - 2] == 0xFF);
  CHECK(out[out.size() - 1] == 0xD9);
  CHECK_FALSE(holds(out, "Exif"));
  CHECK_FALSE(holds(out, "http://ns.adobe.com/xap"));
  const std::string soi = "\xFF\xD8";
  CHECK(std::search(out.begin() + 2, out.end(), soi.begin(), soi.end())
        == out.end());

  // The face is found, and covered.
  CHECK(covered(astronaut_face, result->masks));
  const auto decoded = decode(out);
  CHECK(brightest(decoded, astronaut_face) == 0);
  const auto* blaze = detector(*result, "blazeface_front_128");
  REQUIRE(blaze != nullptr);
  CHECK(std::any_of(blaze->boxes.begin(), blaze->boxes.end(), [](auto& b) {
    return overlap(b, astronaut_face) > 0.3;
  }));
  const auto* haar = detector(*result, "haar_frontalface_default");
  REQUIRE(haar != nullptr);
  CHECK(std::any_of(haar->boxes.begin(), haar->boxes.end(), [](auto& b) {
    return overlap(b, astronaut_face) > 0.5;
  }));

  // The provenance: ten detectors (the doubled passes too on a small
  // photo) with their files' hashes, every check.
  CHECK(result->detectors.size() == 10);
  for (const auto& d : result->detectors) {
    CHECK(d.sha256.size() == 64);
  }
  CHECK_FALSE(result->opencv_version.empty());
  for (const auto* name : {"mask_before_encoding",
                           "mask_after_encoding",
                           "container",
                           "metadata",
                           "canaries"}) {
    CHECK_MESSAGE(has_check(*result, name), name);
  }
  CHECK(result->warnings.empty());
  // Masks of a JPEG sit on the 16-pixel grid or the image's edge.
  for (const auto& m : result->masks) {
    CHECK(m.x % 16 == 0);
    CHECK(m.y % 16 == 0);
    CHECK(((m.x + m.width) % 16 == 0 || m.x + m.width == 512));
    CHECK(((m.y + m.height) % 16 == 0 || m.y + m.height == 512));
  }
}

TEST_CASE("a near-profile face is found on the mirror and a PNG's masks are "
          "exactly black")
{
  const auto input = read_fixture("camera.png");
  auto opts = options();
  opts.format = redact::PhotoFormat::png;
  const auto result = redact::redact_photo(input, opts);
  REQUIRE_MESSAGE(result, result.error().message);
  const auto* mirrored = detector(*result, "haar_profileface_mirrored");
  REQUIRE(mirrored != nullptr);
  CHECK(std::any_of(mirrored->boxes.begin(),
                    mirrored->boxes.end(),
                    [](auto& b) { return overlap(b, camera_face) > 0.3; }));
  CHECK(covered(camera_face, result->masks));
  const auto decoded = decode(result->output);
  for (const auto& m : result->masks) {
    CHECK(brightest(decoded, m) == 0);
  }
  CHECK(brightest(decoded, camera_face) == 0);
}

TEST_CASE("a WebP and a PNG with metadata are read too")
{
  const auto astronaut = decode(read_fixture("astronaut.png"));
  Bytes input;
  SUBCASE("WebP")
  {
    input = encode(astronaut, ".webp");
  }
  SUBCASE("the PNG fixture, with its ICC profile")
  {
    input = read_fixture("astronaut.png");
  }
  const auto result = redact::redact_photo(input, options());
  REQUIRE_MESSAGE(result, result.error().message);
  CHECK(covered(astronaut_face, result->masks));
  CHECK(brightest(decode(result->output), astronaut_face) == 0);
}

TEST_CASE("transparent pixels do not show what is under them")
{
  // A red square, fully transparent except its left half; 16-bit and 8-bit.
  for (const int depth : {CV_8U, CV_16U}) {
    const double top = depth == CV_8U ? 255 : 65535;
    cv::Mat rgba(32, 32, CV_MAKETYPE(depth, 4), cv::Scalar(0, 0, top, 0));
    rgba(cv::Rect(0, 0, 16, 32)).setTo(cv::Scalar(0, 0, top, top));
    auto opts = options();
    opts.format = redact::PhotoFormat::png;
    const auto result = redact::redact_photo(encode(rgba, ".png"), opts);
    REQUIRE_MESSAGE(result, result.error().message);
    const auto out = decode(result->output);
    CHECK(brightest(out, {16, 0, 16, 32}) == 0);
    CHECK(out.at<cv::Vec3b>(5, 5) == cv::Vec3b(0, 0, 255));
  }
}

TEST_CASE("exiftool finds only what a fresh encoder writes in the output")
{
  // An independent reader (REDACTION.md section 5): every tag of the output
  // must be in the allow-list of a bare JFIF JPEG or PNG.
  const test::TempDir dir;
  for (const auto format :
       {redact::PhotoFormat::jpeg, redact::PhotoFormat::png}) {
    auto opts = options();
    opts.format = format;
    const auto result = redact::redact_photo(dirty_astronaut(), opts);
    REQUIRE_MESSAGE(result, result.error().message);
    const auto path =
      dir.path() / (format == redact::PhotoFormat::png ? "out.png" : "out.jpg");
    {
      std::ofstream out(path, std::ios::binary);
      out.write(reinterpret_cast<const char*>(result->output.data()),
                static_cast<std::streamsize>(result->output.size()));
    }
    spawn::Command command;
    command.argv = {
      "exiftool", "-j", "-a", "-u", "-G1", "-ee", "-n", path.string()};
    command.search_path = true;
    command.environment = {"LC_ALL=C", "PATH=/usr/bin:/bin"};
    const auto ran = spawn::run(command);
    REQUIRE_MESSAGE(ran, ran.error().message);
    REQUIRE(ran->code == 0);
    const auto tags = nlohmann::json::parse(ran->output).at(0);
    const std::vector<std::string> allowed = {"SourceFile",
                                              "ExifTool:ExifToolVersion",
                                              "File:FileType",
                                              "File:FileTypeExtension",
                                              "File:MIMEType",
                                              "File:ImageWidth",
                                              "File:ImageHeight",
                                              "File:EncodingProcess",
                                              "File:BitsPerSample",
                                              "File:ColorComponents",
                                              "File:YCbCrSubSampling",
                                              "JFIF:JFIFVersion",
                                              "JFIF:ResolutionUnit",
                                              "JFIF:XResolution",
                                              "JFIF:YResolution",
                                              "PNG:ImageWidth",
                                              "PNG:ImageHeight",
                                              "PNG:BitDepth",
                                              "PNG:ColorType",
                                              "PNG:Compression",
                                              "PNG:Filter",
                                              "PNG:Interlace",
                                              "Composite:ImageSize",
                                              "Composite:Megapixels"};
    for (const auto& [key, value] : tags.items()) {
      const bool ok =
        key.rfind("System:", 0) == 0
        || std::find(allowed.begin(), allowed.end(), key) != allowed.end();
      CHECK_MESSAGE(ok, key);
    }
    CHECK(tags.contains("Composite:ImageSize"));
    for (const auto& canary : planted) {
      CHECK(ran->output.find(canary) == std::string::npos);
    }
  }
}

TEST_CASE("a face of 28 pixels in a small photo is found on the doubled "
          "image")
{
  cv::Mat scene(480, 640, CV_8UC3, cv::Scalar::all(128));
  cv::Mat astronaut = decode(read_fixture("astronaut.png"));
  const double f = 28.0 / 93.0;
  cv::resize(astronaut, astronaut, cv::Size(), f, f, cv::INTER_AREA);
  astronaut.copyTo(scene(cv::Rect(100, 100, astronaut.cols, astronaut.rows)));
  const Box face{
    100 + static_cast<int>(177 * f), 100 + static_cast<int>(67 * f), 24, 24};
  const auto result = redact::redact_photo(encode(scene, ".png"), options());
  REQUIRE_MESSAGE(result, result.error().message);
  const auto* doubled = detector(*result, "lbp_frontalface_improved_2x");
  REQUIRE(doubled != nullptr);
  CHECK(std::any_of(doubled->boxes.begin(), doubled->boxes.end(), [&](auto& b) {
    return overlap(b, face) > 0.3;
  }));
  CHECK(covered(face, result->masks));
}

TEST_CASE("BlazeFace finds a small face in a large photo through its windows")
{
  // The astronaut's head, 80 pixels wide, in an 1800 by 1200 grey scene:
  // too small for BlazeFace on the whole of it.
  cv::Mat scene(1200, 1800, CV_8UC3, cv::Scalar::all(128));
  cv::Mat head =
    decode(read_fixture("astronaut.png"))(cv::Rect(150, 40, 150, 150));
  cv::resize(head, head, cv::Size(80, 80), 0, 0, cv::INTER_AREA);
  const Box planted_head{1000, 700, 80, 80};
  head.copyTo(scene(cv::Rect(1000, 700, 80, 80)));
  const auto result = redact::redact_photo(encode(scene, ".png"), options());
  REQUIRE_MESSAGE(result, result.error().message);
  const auto* blaze = detector(*result, "blazeface_front_128");
  REQUIRE(blaze != nullptr);
  CHECK(std::any_of(blaze->boxes.begin(), blaze->boxes.end(), [&](auto& b) {
    return overlap(b, planted_head) > 0.2;
  }));
  // Above two megapixels the doubled passes do not run, and say so by
  // their absence.
  CHECK(detector(*result, "lbp_frontalface_improved_2x") == nullptr);
  CHECK(covered({1015, 710, 50, 60}, result->masks));
}

TEST_CASE("regions are covered, and a region outside the image is refused "
          "by its number")
{
  const auto input = read_fixture("astronaut.png");
  auto opts = options();
  opts.format = redact::PhotoFormat::png;
  // The name tag on her chest.
  const Box tag{300, 380, 60, 20};
  opts.regions = {tag};
  const auto result = redact::redact_photo(input, opts);
  REQUIRE_MESSAGE(result, result.error().message);
  CHECK(covered(tag, result->masks));
  CHECK(brightest(decode(result->output), tag) == 0);
  CHECK(result->regions == opts.regions);

  SUBCASE("past the right edge")
  {
    opts.regions = {tag, {500, 10, 20, 20}};
  }
  SUBCASE("negative")
  {
    opts.regions = {tag, {-1, 10, 20, 20}};
  }
  SUBCASE("empty")
  {
    opts.regions = {tag, {10, 10, 0, 20}};
  }
  const auto refused = redact::redact_photo(input, opts);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::invalid_input);
  CHECK(refused.error().message.find("region 2") != std::string::npos);
}

TEST_CASE("truncated, empty, foreign and oversized images are refused as "
          "invalid input")
{
  const auto jpeg = encode(decode(read_fixture("astronaut.png")), ".jpg");
  const auto png = read_fixture("camera.png");
  auto opts = options();
  Bytes input;
  SUBCASE("a JPEG cut in half")
  {
    input.assign(jpeg.begin(),
                 jpeg.begin() + static_cast<long>(jpeg.size() / 2));
  }
  SUBCASE("a JPEG without its last byte")
  {
    input.assign(jpeg.begin(), jpeg.end() - 1);
  }
  SUBCASE("a PNG without IEND")
  {
    input.assign(png.begin(), png.end() - 12);
  }
  SUBCASE("nothing")
  {
  }
  SUBCASE("not an image")
  {
    const std::string text = "Jane Doe, 07700 900123";
    input.assign(text.begin(), text.end());
  }
  SUBCASE("a JPEG header and garbage")
  {
    input = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0xFF, 0xD9};
  }
  SUBCASE("a margin that is not a number")
  {
    input = jpeg;
    opts.margin = std::numeric_limits<double>::quiet_NaN();
  }
  SUBCASE("more pixels than allowed")
  {
    input = jpeg;
    opts.max_pixels = 512 * 511;
  }
  SUBCASE("a PNG claiming 100000 by 100000 pixels")
  {
    input = png;
    // IHDR's width and height; Exiv2 reads them before anything is decoded.
    for (const std::size_t at : {16U, 20U}) {
      input[at] = 0x00;
      input[at + 1] = 0x01;
      input[at + 2] = 0x86;
      input[at + 3] = 0xA0;
    }
  }
  const auto before = input;
  const auto result = redact::redact_photo(input, opts);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == Errc::invalid_input);
  CHECK_FALSE(result.error().message.empty());
  CHECK(input == before);
}

TEST_CASE("the EXIF orientation is applied once, and regions are in the "
          "upright image")
{
  // 96 wide, 48 high, stored sideways: orientation 6 turns it clockwise.
  cv::Mat stored(48, 96, CV_8UC3, cv::Scalar(40, 80, 120));
  const auto thumb = encode(cv::Mat(8, 8, CV_8UC3, cv::Scalar::all(0)), ".jpg");
  const auto input = plant_metadata(encode(stored, ".jpg"), thumb, 6);
  auto opts = options();
  opts.format = redact::PhotoFormat::png;
  opts.regions = {{0, 80, 48, 16}};
  const auto result = redact::redact_photo(input, opts);
  REQUIRE_MESSAGE(result, result.error().message);
  CHECK(result->orientation == 6);
  CHECK(result->width == 48);
  CHECK(result->height == 96);
  const auto decoded = decode(result->output);
  CHECK(decoded.cols == 48);
  CHECK(decoded.rows == 96);
  // Wider than the stored image is high: refused if taken as stored.
  opts.regions = {{0, 60, 48, 30}};
  CHECK(redact::redact_photo(input, opts));
}

TEST_CASE("pixelate and blur are done on request, with a warning")
{
  const auto input = read_fixture("astronaut.png");
  auto opts = options();
  SUBCASE("pixelate")
  {
    opts.fill = redact::Fill::pixelate;
  }
  SUBCASE("blur")
  {
    opts.fill = redact::Fill::blur;
  }
  const auto result = redact::redact_photo(input, opts);
  REQUIRE_MESSAGE(result, result.error().message);
  REQUIRE(result->warnings.size() == 1);
  CHECK(result->warnings[0].find("partly reversible") != std::string::npos);
  CHECK(covered(astronaut_face, result->masks));
  // Not black: the face's colours are still there, coarsened.
  CHECK(brightest(decode(result->output), astronaut_face) > 4);
}

TEST_CASE("a missing cascade or model is an error, never a skipped detector")
{
  const auto input = read_fixture("camera.png");
  auto opts = options();
  SUBCASE("cascades")
  {
    opts.haar_dir = "/nonexistent/haarcascades";
  }
  SUBCASE("LBP cascades")
  {
    opts.lbp_dir = "/nonexistent/lbpcascades";
  }
  SUBCASE("no model given")
  {
    opts.blazeface_model.clear();
  }
  SUBCASE("a model that is not there")
  {
    opts.blazeface_model = "/nonexistent/blazeface.onnx";
  }
  const auto result = redact::redact_photo(input, opts);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == Errc::not_found);
}

TEST_CASE("a canary in the output fails closed, naming the check and not "
          "the value")
{
  // Every JPEG OpenCV writes holds "JFIF": a stand-in for a value that
  // survived.
  auto opts = options();
  opts.canaries = {"Jane Doe", "JFIF"};
  const auto result = redact::redact_photo(read_fixture("camera.png"), opts);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == Errc::unsafe);
  CHECK(result.error().message.find("canaries") != std::string::npos);
  CHECK(result.error().message.find("identity value 2") != std::string::npos);
  CHECK(result.error().message.find("JFIF") == std::string::npos);
}

TEST_CASE("short canaries are reported as not looked for")
{
  auto opts = options();
  opts.canaries = {"Ann", "Jane Doe"};
  const auto result = redact::redact_photo(read_fixture("camera.png"), opts);
  REQUIRE_MESSAGE(result, result.error().message);
  REQUIRE(result->warnings.size() == 1);
  CHECK(result->warnings[0].find("1 identity values shorter")
        != std::string::npos);
}

TEST_CASE("the report goes through JSON and back, without the bytes")
{
  auto opts = options();
  opts.regions = {{10, 20, 30, 40}};
  const auto result = redact::redact_photo(read_fixture("astronaut.png"), opts);
  REQUIRE_MESSAGE(result, result.error().message);
  const nlohmann::json j = *result;
  CHECK_FALSE(j.contains("output"));
  const auto back =
    redact::photo_report_from_json(nlohmann::json::parse(j.dump()));
  REQUIRE_MESSAGE(back, back.error().message);
  CHECK(back->output.empty());
  CHECK(back->output_sha256 == result->output_sha256);
  CHECK(back->input_sha256 == result->input_sha256);
  CHECK(back->masks == result->masks);
  CHECK(back->regions == result->regions);
  REQUIRE(back->detectors.size() == result->detectors.size());
  for (std::size_t i = 0; i < back->detectors.size(); ++i) {
    CHECK(back->detectors[i].name == result->detectors[i].name);
    CHECK(back->detectors[i].sha256 == result->detectors[i].sha256);
    CHECK(back->detectors[i].boxes == result->detectors[i].boxes);
  }
  CHECK(back->checks.size() == result->checks.size());
  CHECK(nlohmann::json(*back) == j);

  auto broken = j;
  SUBCASE("a missing field")
  {
    broken.erase("masks");
  }
  SUBCASE("an unknown fill")
  {
    broken["fill"] = "smudge";
  }
  SUBCASE("a box of three numbers")
  {
    broken["masks"][0] = {1, 2, 3};
  }
  const auto refused = redact::photo_report_from_json(broken);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::invalid_input);
}

TEST_SUITE_END();
