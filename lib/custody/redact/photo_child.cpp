// Photo redaction across the keyless child: the request the parent writes, the
// child's reply, and the parent reading it back (docs/formats.md 6.6.1).

#include <custody/redact/photo_child.hpp>
#include <custody/sys/spawn.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstring>

namespace custody::redact {

namespace {

// An image of the bound redact_photo takes, its options and its report.
constexpr std::size_t k_max_reply = (std::size_t{1} << 30U) + (1U << 20U);

nlohmann::json
box_json(const Box& box)
{
  return nlohmann::json::array({box.x, box.y, box.width, box.height});
}

Result<PhotoOptions>
options_from_json(const nlohmann::json& in)
{
  try {
    PhotoOptions out;
    out.haar_dir = in.at("haar_dir").get<std::string>();
    out.lbp_dir = in.at("lbp_dir").get<std::string>();
    out.blazeface_model = in.at("blazeface_model").get<std::string>();
    for (const auto& region : in.at("regions")) {
      out.regions.push_back({region.at(0).get<int>(),
                             region.at(1).get<int>(),
                             region.at(2).get<int>(),
                             region.at(3).get<int>()});
    }
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

Errc
errc_named(std::string_view name)
{
  for (const Errc code : {Errc::usage,
                          Errc::invalid_input,
                          Errc::not_found,
                          Errc::corrupt,
                          Errc::locked,
                          Errc::auth,
                          Errc::io,
                          Errc::interrupted,
                          Errc::internal,
                          Errc::unsafe}) {
    if (errc_name(code) == name) {
      return code;
    }
  }
  return Errc::internal;
}

} // namespace

std::string
photo_request(const PhotoOptions& options, ByteView image)
{
  nlohmann::json regions = nlohmann::json::array();
  for (const auto& region : options.regions) {
    regions.push_back(box_json(region));
  }
  const nlohmann::json line = {{"haar_dir", options.haar_dir},
                               {"lbp_dir", options.lbp_dir},
                               {"blazeface_model", options.blazeface_model},
                               {"regions", regions},
                               {"margin", options.margin},
                               {"fill", fill_name(options.fill)},
                               {"format", format_name(options.format)},
                               {"jpeg_quality", options.jpeg_quality},
                               {"canaries", options.canaries},
                               {"max_pixels", options.max_pixels}};
  std::string out =
    line.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  out += '\n';
  out.append(reinterpret_cast<const char*>(image.data()), image.size());
  return out;
}

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

Result<PhotoRedaction>
redact_photo_in_child(const fs::Path& executable,
                      const std::string& request_file,
                      std::chrono::milliseconds timeout)
{
  spawn::Command command;
  command.argv = {executable.string(), std::string(k_photo_subcommand)};
  command.environment = {"LC_ALL=C"};
  command.timeout = timeout;
  command.max_output = k_max_reply;
  command.standard_input = request_file;
  CUSTODY_ASSIGN_CTX(ran, spawn::run(command), "the photo redaction child");
  const std::string what = "the photo redaction child";
  switch (ran.end) {
  case spawn::Finished::End::timed_out:
    return fail(Errc::invalid_input,
                "{}: timed out after {} s; nothing was stored",
                what,
                timeout.count() / 1000);
  case spawn::Finished::End::too_much:
    return fail(Errc::invalid_input, "{}: printed too much", what);
  case spawn::Finished::End::signalled:
    return fail(Errc::invalid_input,
                "{}: crashed (signal {}, {}) on this image; nothing was stored",
                what,
                ran.code,
                sigabbrev_np(ran.code) != nullptr ? sigabbrev_np(ran.code)
                                                  : "?");
  case spawn::Finished::End::exited:
    break;
  }
  const std::string& output = ran.output;
  const auto end = output.find('\n');
  if (end == std::string::npos) {
    return fail(Errc::invalid_input,
                "{}: exited with status {} and no reply",
                what,
                ran.code);
  }
  const auto line = nlohmann::json::parse(
    std::string_view(output).substr(0, end), nullptr, false);
  if (line.is_discarded() || !line.is_object()) {
    return fail(Errc::invalid_input, "{}: its reply is not JSON", what);
  }
  if (line.contains("error")) {
    const auto& error = line["error"];
    return make_error(errc_named(error.value("code", "internal")),
                      error.value("message", "the photo redaction failed"),
                      error.value("hint", ""));
  }
  if (ran.code != 0) {
    return fail(
      Errc::invalid_input, "{}: exited with status {}", what, ran.code);
  }
  CUSTODY_ASSIGN(report, photo_report_from_json(line));
  report.output.assign(
    reinterpret_cast<const std::uint8_t*>(output.data()) + end + 1,
    reinterpret_cast<const std::uint8_t*>(output.data()) + output.size());
  return report;
}

} // namespace custody::redact
