// Photo redaction across the keyless child, the parent's side: the request it
// writes and the reply it reads back (docs/formats.md 6.6.1). The child's side
// is photo_serve.cpp, in custody-media.

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
  const nlohmann::json line = {{"haar_dir", options.haar_dir},
                               {"lbp_dir", options.lbp_dir},
                               {"blazeface_model", options.blazeface_model},
                               {"regions", boxes_json(options.regions)},
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
