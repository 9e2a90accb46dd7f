// Shared helpers for the subcommands.
#include "common.hpp"

#include <custody/keys/identity.hpp>

#include <fmt/core.h>

#include <unistd.h>

#include <system_error>

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
media_helper()
{
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    return fail(
      Errc::internal, "cannot find this program's path: {}", ec.message());
  }
  const auto helper =
    (self.parent_path() / CUSTODY_MEDIA_HELPER).lexically_normal();
  if (::access(helper.c_str(), X_OK) != 0) {
    return make_error(Errc::internal,
                      fmt::format("custody-media is not at {}: custody reads "
                                  "and redacts media in that program",
                                  helper.string()),
                      "install custody again, whole (cmake --install)");
  }
  return helper;
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

namespace {

bool g_quiet = false;

// The length of the UTF-8 sequence at the start of `text`, 0 when it is not
// one (a stray continuation byte, a truncated sequence, an impossible lead).
std::size_t
utf8_length(std::string_view text)
{
  const auto lead = static_cast<unsigned char>(text[0]);
  const std::size_t length = lead < 0x80   ? 1
                             : lead < 0xc2 ? 0
                             : lead < 0xe0 ? 2
                             : lead < 0xf0 ? 3
                             : lead < 0xf5 ? 4
                                           : 0;
  if (length == 0 || length > text.size()) {
    return 0;
  }
  for (std::size_t i = 1; i < length; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xc0U) != 0x80U) {
      return 0;
    }
  }
  return length;
}

} // namespace

std::string
printable(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t length = utf8_length(text.substr(i));
    // A C0 control but tab, DEL, or a byte that is not UTF-8 (a lone byte
    // 0x80..0x9f is itself a C1 control to a terminal not in UTF-8 mode).
    if (length == 0 || (length == 1 && c < 0x20 && c != '\t') || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    // C1 controls are U+0080..U+009F, encoded in UTF-8 as C2 80..C2 9F.
    const auto second = static_cast<unsigned char>(text[i + length - 1]);
    if (length == 2 && c == 0xc2 && second <= 0x9f) {
      out += fmt::format("\\u{:04x}", second);
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
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
  if (g_quiet) {
    return;
  }
  fmt::print(stderr, "custody: {}\n", printable(message));
}

void
set_quiet(bool quiet)
{
  g_quiet = quiet;
}

bool
quiet()
{
  return g_quiet;
}

} // namespace custody::cli
