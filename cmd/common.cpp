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

void
warn(const std::string& message)
{
  fmt::print(stderr, "custody: warning: {}\n", message);
}

void
note(const std::string& message)
{
  fmt::print(stderr, "custody: {}\n", message);
}

} // namespace custody::cli
