// Photo redaction across the keyless child, the child's side (custody-media
// redact-photo): the request read, the photo redacted, the reply written
// (docs/formats.md 6.6.1). The parent's side is photo_child.cpp.
#include <custody/redact/photo_serve.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace custody::redact {

namespace {

Result<PhotoOptions>
options_from_json(const nlohmann::json& in)
{
  try {
    PhotoOptions out;
    out.haar_dir = in.at("haar_dir").get<std::string>();
    out.lbp_dir = in.at("lbp_dir").get<std::string>();
    out.blazeface_model = in.at("blazeface_model").get<std::string>();
    out.regions = boxes_from(in.at("regions"));
    out.margin = in.at("margin").get<double>();
    const auto fill = in.at("fill").get<std::string>();
    out.fill = fill == "pixelate" ? Fill::pixelate
               : fill == "blur"   ? Fill::blur
                                  : Fill::solid;
    out.format = in.at("format").get<std::string>() == "png"
                   ? PhotoFormat::png
                   : PhotoFormat::jpeg;
    out.jpeg_quality = in.at("jpeg_quality").get<int>();
    out.canaries = in.at("canaries").get<std::vector<std::string>>();
    out.max_pixels = in.at("max_pixels").get<std::uint64_t>();
    return out;
  } catch (const nlohmann::json::exception& e) {
    return fail(Errc::invalid_input, "photo request: {}", e.what());
  }
}

ChildReply
error_reply(const Error& error)
{
  ChildReply reply;
  reply.code = error.code;
  reply.output =
    nlohmann::json{{"error",
                    {{"code", errc_name(error.code)},
                     {"message", error.message},
                     {"hint", error.hint}}}}
      .dump(-1, ' ', true, nlohmann::json::error_handler_t::replace)
    + "\n";
  return reply;
}

} // namespace

ChildReply
run_photo_request(ByteView request)
{
  const std::string_view text(reinterpret_cast<const char*>(request.data()),
                              request.size());
  const auto end = text.find('\n');
  if (end == std::string_view::npos) {
    return error_reply(
      Error{Errc::invalid_input, "photo request: no options line", {}});
  }
  const auto parsed =
    nlohmann::json::parse(text.substr(0, end), nullptr, false);
  if (parsed.is_discarded()) {
    return error_reply(
      Error{Errc::invalid_input, "photo request: options are not JSON", {}});
  }
  auto options = options_from_json(parsed);
  if (!options) {
    return error_reply(options.error());
  }
  auto redacted = redact_photo(request.subspan(end + 1), *options);
  if (!redacted) {
    return error_reply(redacted.error());
  }
  nlohmann::json report;
  to_json(report, *redacted);
  ChildReply reply;
  reply.ok = true;
  reply.output =
    report.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace) + "\n";
  reply.output.append(reinterpret_cast<const char*>(redacted->output.data()),
                      redacted->output.size());
  return reply;
}

} // namespace custody::redact
