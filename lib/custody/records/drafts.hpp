// Drafts of the interactive intake: the answers typed so far, kept when the
// member stops before the end so that nothing she typed is lost, and reopened
// later (docs/formats.md section 13). A draft is a cache file (ledger/
// cache_file.hpp) encrypted to the member herself and MAC'd with a key from her
// own identity: no plaintext reaches the disk, and no file anyone else wrote
// is taken for her draft. Each states when it expires; an expired draft is
// deleted the next time she opens her drafts, and any draft file older than
// the longest lifetime is deleted by whoever opens drafts next.
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/base/error.hpp>
#include <custody/base/notes.hpp>
#include <custody/crypto/age/age.hpp>
#include <custody/sys/fs.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace custody::vault {
class Vault;
}

namespace custody::drafts {

inline constexpr std::chrono::seconds k_default_lifetime{24 * 3600};
inline constexpr std::chrono::seconds k_max_lifetime{7 * 24 * 3600};

// Whose drafts, in which vault.
struct Owner
{
  fs::Path vault; // the vault's directory
  std::string vault_id;
  std::string key_id;                            // the member's
  const age::X25519Identity* identity = nullptr; // hers
};

// The member of an open vault, as the owner of drafts.
Owner owner_of(const vault::Vault& vault);

struct Draft
{
  std::string id; // 32 hex digits, also the file's name
  json::Json answers = json::Json::object(); // {pointer: value}
  std::string at; // the question she stopped at ("" when none)
  std::chrono::sys_seconds saved{};
  std::chrono::sys_seconds expires{};
};

// 128 random bits, in hex.
std::string new_id();

// drafts/<key-id>/ in the vault.
fs::Path directory_of(const Owner& owner);
// The draft's file, drafts/<key-id>/<id>.age.
fs::Path path_of(const Owner& owner, std::string_view id);

// Encrypts `draft` to its owner and writes it durably (temp file, fsync,
// rename), replacing an earlier save of the same draft. Returns its path.
[[nodiscard]] Result<fs::Path> save(const Owner& owner, const Draft& draft);

struct Found
{
  std::vector<Draft> drafts; // unexpired, the most recently saved first
  Notes notes;               // what was deleted or left alone, and why
};

// The owner's drafts in this vault that have not expired at `now`. Deletes her
// drafts that have, and every draft file (any member's) last written more
// than k_max_lifetime before `now`, which no lifetime allows. A file in her
// folder that does not open as her draft of this vault (forged, damaged) is
// left alone with a note.
[[nodiscard]] Result<Found> open(const Owner& owner,
                                 std::chrono::sys_seconds now);

// Deletes draft `id` of the owner; nothing when it is gone already.
[[nodiscard]] Result<void> remove(const Owner& owner, std::string_view id);

// A lifetime such as "24h", "90m", "2d" or "30s", from one second to
// k_max_lifetime.
[[nodiscard]] Result<std::chrono::seconds>
parse_lifetime(std::string_view text);

} // namespace custody::drafts
