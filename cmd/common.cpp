// Shared helpers for the subcommands.
#include "common.hpp"

#include <fmt/core.h>

namespace custody::cli {

Result<std::filesystem::path>
require_vault(const GlobalOptions& global)
{
  if (global.vault.empty()) {
    return make_error(Errc::usage,
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
    return make_error(
      Errc::usage, "no identity given", "pass --identity FILE or set CUSTODY_IDENTITY");
  }
  return std::filesystem::path(global.identity);
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
