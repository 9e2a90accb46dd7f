// Police referrals (docs/formats.md 14.3): the recipe, and the referral
// written once a second legal member approved exactly its text.
#pragma once

#include <custody/disclosure/referral.hpp>
#include <custody/export/approval.hpp>
#include <custody/records/readers.hpp>
#include <custody/vault/vault.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace custody::bundle {

// A police recipe (`kind: police`, examples/recipes/police.yaml):
// organisation, and `include` (phones, handles) for what of the aggressor
// goes beyond the description, vehicle and modus operandi.
[[nodiscard]] Result<disclosure::ReferralOptions>
parse_police_recipe(std::string_view yaml_text);

// The referral's text for record `typed`, as police_referral gives it.
[[nodiscard]] Result<disclosure::Released<std::string>>
police_text(vault::Vault& vault,
            const records::Shards& shards,
            const disclosure::ReferralOptions& options,
            const std::string& id);

struct PoliceWritten
{
  std::uint64_t export_seq = 0;
  Approved approved;
  std::string sha256;
};

// Writes `text` to `out` (refused if it exists) once an approved proposal of
// exactly this text stands (Errc::unsafe, exit 1, otherwise), appending the
// `export` entry first (formats.md 14.2's order).
[[nodiscard]] Result<PoliceWritten>
write_police_referral(vault::Vault& vault,
                      const std::string& id,
                      const disclosure::Released<std::string>& text,
                      const std::string& recipe_name,
                      const std::string& recipe_sha256,
                      const std::filesystem::path& out);

} // namespace custody::bundle
