// What can be told of a vault before the member's identity is unlocked: that
// the directory is one, and the role its vault.yaml cache gives a key id.

#include <custody/vault/vault_internal.hpp>

#include <string>

namespace custody::vault {

Result<void>
check_vault_path(const fs::Path& directory)
{
  return detail::require_vault_directory(directory);
}

std::optional<Role>
cached_role(const fs::Path& directory, std::string_view key_id)
{
  auto text = fs::read_file(directory / "vault.yaml", detail::k_max_small_file);
  if (!text || key_id.empty()) {
    return std::nullopt;
  }
  // The member's line as AdminState::vault_yaml() writes it; anything else
  // (another layout, a hand edit) is no answer, not an error: the signed
  // ledger is read once the vault is open.
  const std::string wanted = "{key_id: " + std::string(key_id) + ", role: ";
  const std::string_view yaml = as_text(*text);
  const auto at = yaml.find(wanted);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view rest = yaml.substr(at + wanted.size());
  auto role = parse_role(rest.substr(0, rest.find(',')));
  if (!role) {
    return std::nullopt;
  }
  return *role;
}

} // namespace custody::vault
