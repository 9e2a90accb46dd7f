// Shared helpers for the subcommands.
#include "common.hpp"

#include <custody/identity.hpp>

#include <fmt/core.h>

namespace custody::cli {

Result<std::filesystem::path>
require_vault(const GlobalOptions& global)
{
  if (global.vault.empty()) {
    return make_error(
      Errc::usage,
      "no vault given",
      "pass --vault DIR or set CUSTODY_VAULT; the current directory is never "
      "used implicitly");
  }
  return std::filesystem::path(global.vault);
}

Result<std::filesystem::path>
require_identity(const GlobalOptions& global)
{
  if (global.identity.empty()) {
    return make_error(Errc::usage,
                      "no identity given",
                      "pass --identity FILE or set CUSTODY_IDENTITY");
  }
  return std::filesystem::path(global.identity);
}

CLI::Option*
add_record_argument(CLI::App& sub, const std::string& name, std::string& id)
{
  return sub
    .add_option(
      name, id, "The record id, or a unique prefix of at least 8 digits")
    ->required();
}

std::chrono::milliseconds
wait_of(const GlobalOptions& global)
{
  return std::chrono::milliseconds(
    static_cast<long>(global.wait_seconds * 1000));
}

Result<void>
check_work_factor(int work_factor)
{
  if (work_factor < 10 || work_factor > 22) {
    return make_error(
      Errc::usage,
      fmt::format("--work-factor {} is out of range", work_factor),
      "use 10 to 22 (log2 of scrypt's N; the default is 18)");
  }
  if (work_factor < identity::k_weak_work_factor) {
    warn(fmt::format(
      "work factor {} is weak: a stolen identity file could be guessed "
      "quickly; use it only for tests",
      work_factor));
  }
  return {};
}

std::string
printable(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // C1 controls are U+0080..U+009F, encoded in UTF-8 as C2 80..C2 9F.
    const bool c1 = c == 0xc2 && i + 1 < text.size()
                    && static_cast<unsigned char>(text[i + 1]) >= 0x80
                    && static_cast<unsigned char>(text[i + 1]) <= 0x9f;
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else if (c1) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned char>(text[++i]));
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void
warn(const std::string& message)
{
  fmt::print(stderr, "custody: warning: {}\n", printable(message));
}

void
note(const std::string& message)
{
  fmt::print(stderr, "custody: {}\n", printable(message));
}

} // namespace custody::cli
