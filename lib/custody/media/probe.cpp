// Media facts, the parent's side: runs the keyless child (custody-media facts)
// and checks what it prints. Links no media parser (docs/media.md).
#include <custody/media/probe.hpp>
#include <custody/schema/schema.hpp>
#include <custody/sys/spawn.hpp>

#include <fmt/std.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

namespace custody::media {

Result<json::Json>
probe(const fs::Path& executable,
      const fs::Path& file,
      std::chrono::milliseconds timeout)
{
  // Absolute, so that a name starting with `-` is never taken for an option.
  std::error_code ec;
  const fs::Path absolute = std::filesystem::absolute(file, ec);
  if (ec) {
    return fail(Errc::invalid_input, "{}: {}", file, ec.message());
  }
  spawn::Command command;
  command.argv = {executable.string(), std::string(k_subcommand), absolute};
  // A minimal environment: nothing of the parent's (CUSTODY_PASSPHRASE_FILE,
  // CUSTODY_IDENTITY...) reaches the parser.
  command.environment = {"LC_ALL=C"};
  command.timeout = timeout;
  command.max_output = k_max_output_bytes;
  auto ran = spawn::run(command);
  if (!ran) {
    return fail(Errc::io, "media reader: {}", ran.error().message);
  }
  const std::string what = fmt::format("media reader on {}", file);
  switch (ran->end) {
  case spawn::Finished::End::timed_out:
    return fail(
      Errc::invalid_input, "{}: timed out after {} ms", what, timeout.count());
  case spawn::Finished::End::too_much:
    return fail(Errc::invalid_input,
                "{}: printed more than {} bytes",
                what,
                k_max_output_bytes);
  case spawn::Finished::End::signalled:
    return fail(Errc::invalid_input,
                "{}: crashed (signal {}, {})",
                what,
                ran->code,
                sigabbrev_np(ran->code) != nullptr ? sigabbrev_np(ran->code)
                                                   : "?");
  case spawn::Finished::End::exited:
    break;
  }
  if (ran->code != 0) {
    return fail(
      Errc::invalid_input,
      "{}: exited with status {}{}",
      what,
      ran->code,
      ran->code == 3 ? " (the file is unreadable or not a regular file)" : "");
  }
  std::string& output = ran->output;
  if (output.empty() || output.back() != '\n') {
    return fail(Errc::invalid_input, "{}: printed no complete line", what);
  }
  output.pop_back();
  auto facts = json::parse_canonical(output);
  if (!facts) {
    return fail(Errc::invalid_input, "{}: printed invalid JSON", what);
  }
  auto schemas = schema::SchemaSet::from_embedded(k_schema);
  if (!schemas) {
    return tl::unexpected(schemas.error());
  }
  const schema::Report report = schemas->validate(*facts);
  if (!report.problems.empty()) {
    return fail(Errc::invalid_input,
                "{}: printed facts that do not match {}: {}: {}",
                what,
                k_schema,
                report.problems.front().pointer,
                report.problems.front().message);
  }
  return std::move(*facts);
}

} // namespace custody::media
