// The photo redaction's names and its report as JSON: what the parent and the
// keyless child (custody-media) both speak. Over nlohmann-json only, so that
// the parent links no image library.
#include <custody/redact/photo.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace custody::redact {

std::string_view
fill_name(Fill fill)
{
  switch (fill) {
  case Fill::solid:
    return "solid";
  case Fill::pixelate:
    return "pixelate";
  case Fill::blur:
    return "blur";
  }
  return "solid";
}

std::string_view
format_name(PhotoFormat format)
{
  return format == PhotoFormat::png ? "png" : "jpeg";
}

namespace {

nlohmann::json
box_json(const Box& b)
{
  return nlohmann::json::array({b.x, b.y, b.width, b.height});
}

Box
box_from(const nlohmann::json& j)
{
  if (!j.is_array() || j.size() != 4) {
    throw nlohmann::json::type_error::create(302, "a box is [x, y, w, h]", &j);
  }
  return {j[0].get<int>(), j[1].get<int>(), j[2].get<int>(), j[3].get<int>()};
}

} // namespace

std::vector<Box>
boxes_from(const nlohmann::json& in)
{
  std::vector<Box> out;
  for (const auto& b : in) {
    out.push_back(box_from(b));
  }
  return out;
}

nlohmann::json
boxes_json(const std::vector<Box>& boxes)
{
  auto out = nlohmann::json::array();
  for (const auto& b : boxes) {
    out.push_back(box_json(b));
  }
  return out;
}

void
to_json(nlohmann::json& out, const PhotoRedaction& report)
{
  out = nlohmann::json::object();
  out["format"] = format_name(report.format);
  out["width"] = report.width;
  out["height"] = report.height;
  out["orientation"] = report.orientation;
  out["input_sha256"] = report.input_sha256;
  out["output_sha256"] = report.output_sha256;
  out["opencv_version"] = report.opencv_version;
  out["exiv2_version"] = report.exiv2_version;
  auto detectors = nlohmann::json::array();
  for (const auto& d : report.detectors) {
    detectors.push_back({{"name", d.name},
                         {"file", d.file},
                         {"sha256", d.sha256},
                         {"boxes", boxes_json(d.boxes)}});
  }
  out["detectors"] = std::move(detectors);
  out["regions"] = boxes_json(report.regions);
  out["masks"] = boxes_json(report.masks);
  out["fill"] = fill_name(report.fill);
  out["margin"] = report.margin;
  out["jpeg_quality"] = report.jpeg_quality;
  auto checks = nlohmann::json::array();
  for (const auto& c : report.checks) {
    checks.push_back(
      {{"name", c.name}, {"applicable", c.applicable}, {"detail", c.detail}});
  }
  out["checks"] = std::move(checks);
  out["warnings"] = report.warnings;
}

Result<PhotoRedaction>
photo_report_from_json(const nlohmann::json& in)
{
  try {
    PhotoRedaction out;
    const auto format = in.at("format").get<std::string>();
    if (format != "jpeg" && format != "png") {
      return fail(Errc::invalid_input, "photo report: unknown format");
    }
    out.format = format == "png" ? PhotoFormat::png : PhotoFormat::jpeg;
    out.width = in.at("width").get<int>();
    out.height = in.at("height").get<int>();
    out.orientation = in.at("orientation").get<int>();
    out.input_sha256 = in.at("input_sha256").get<std::string>();
    out.output_sha256 = in.at("output_sha256").get<std::string>();
    out.opencv_version = in.at("opencv_version").get<std::string>();
    out.exiv2_version = in.at("exiv2_version").get<std::string>();
    for (const auto& d : in.at("detectors")) {
      out.detectors.push_back({d.at("name").get<std::string>(),
                               d.at("file").get<std::string>(),
                               d.at("sha256").get<std::string>(),
                               boxes_from(d.at("boxes"))});
    }
    out.regions = boxes_from(in.at("regions"));
    out.masks = boxes_from(in.at("masks"));
    const auto fill = in.at("fill").get<std::string>();
    if (fill == "solid") {
      out.fill = Fill::solid;
    } else if (fill == "pixelate") {
      out.fill = Fill::pixelate;
    } else if (fill == "blur") {
      out.fill = Fill::blur;
    } else {
      return fail(Errc::invalid_input, "photo report: unknown fill");
    }
    out.margin = in.at("margin").get<double>();
    out.jpeg_quality = in.at("jpeg_quality").get<int>();
    for (const auto& c : in.at("checks")) {
      out.checks.push_back({c.at("name").get<std::string>(),
                            c.at("applicable").get<bool>(),
                            c.at("detail").get<std::string>()});
    }
    out.warnings = in.at("warnings").get<std::vector<std::string>>();
    return out;
  } catch (const nlohmann::json::exception& e) {
    return fail(Errc::invalid_input, "photo report: {}", e.what());
  }
}

} // namespace custody::redact
