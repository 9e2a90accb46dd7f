// Safety bulletins (docs/formats.md 14.4): the recipe, the four channels
// (text, Markdown, HTML, SMS) rendered from disclosure's selection with repeat
// aggressors linked by a keyed hash, and the bulletin written once a second
// member approved exactly those channels.
#pragma once

#include <custody/export/approval.hpp>
#include <custody/records/readers.hpp>
#include <custody/vault/vault.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace custody::bundle {

// The key that links repeat aggressors (docs/formats.md 14.4): derived from
// the aggressor compartment, so every member who reads bulletins derives it
// alike, for the vault's life.
constexpr std::string_view k_bulletin_link_label = "custody-bulletin-link-v1";

struct BulletinRecipe
{
  std::string organisation;
  std::string from; // YYYY-MM
  std::string to;   // YYYY-MM
  std::optional<std::size_t> k;
  std::uint64_t delay_hours = 24;
  std::optional<std::string> phone_region;
};

// Errc::invalid_input naming the line: an unknown key, a malformed month, a
// period that ends before it starts, k or delay_hours below the floor.
[[nodiscard]] Result<BulletinRecipe>
parse_bulletin_recipe(std::string_view yaml_text);

struct BulletinChannels
{
  std::string text;     // bulletin.txt
  std::string markdown; // bulletin.md
  std::string html;     // bulletin.html: a whole HTML5 document
  std::string sms;      // bulletin-sms.txt: the parts, each under "[i/n]"
  std::size_t sms_parts = 0;
  bool sms_ucs2 = false;
  std::size_t items = 0;
  std::size_t withheld = 0;
  std::size_t too_recent = 0;
  std::size_t k = 0;
  // A retraction (bulletin_retraction()): the proposal of the bulletin it
  // withdraws an item of, and the item's number; 0 otherwise.
  std::uint64_t retracts_proposal = 0;
  std::size_t retracts_item = 0;
};

// The bulletin as it would go out at `now`. Errc::auth
// unless the member opens facts and aggressor (legal, advocacy);
// Errc::invalid_input when no item may go out.
[[nodiscard]] Result<BulletinChannels>
bulletin_channels(vault::Vault& vault,
                  const records::Shards& shards,
                  const BulletinRecipe& recipe,
                  std::chrono::system_clock::time_point now);

// A retraction of item `item` of the latest approved bulletin of the recipe
// named `recipe_name`: the four channels, naming the item by its number
// alone (and the bulletin by its organisation and period). Errc::invalid_input
// when no bulletin of that recipe was approved, or it has no such item.
[[nodiscard]] Result<BulletinChannels>
bulletin_retraction(vault::Vault& vault,
                    const BulletinRecipe& recipe,
                    const std::string& recipe_name,
                    std::size_t item);

// The proposal's content: the four channels (text, Markdown, HTML, SMS), each
// under a heading line, so that an approval covers every byte written.
std::string proposal_content(const BulletinChannels& channels);

struct BulletinWritten
{
  std::uint64_t export_seq = 0;
  Approved approved;
};

// Writes the directory `out` (bulletin.txt, bulletin.md, bulletin.html,
// bulletin-sms.txt)
// once an approved proposal of exactly these channels stands (Errc::unsafe
// otherwise), the `export` entry appended before the directory takes its
// name.
[[nodiscard]] Result<BulletinWritten>
write_bulletin(vault::Vault& vault,
               const BulletinChannels& channels,
               const std::string& recipe_name,
               const std::string& recipe_sha256,
               const std::filesystem::path& out);

} // namespace custody::bundle
