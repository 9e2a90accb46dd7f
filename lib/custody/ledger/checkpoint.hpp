// Signed checkpoints of the ledger's Merkle tree (docs/formats.md section 12):
// the C2SP tlog-checkpoint body, its minisign signature, the files in
// checkpoints/, and the checks verify runs on them.
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/base/notes.hpp>
#include <custody/crypto/minisign.hpp>
#include <custody/ledger/merkle.hpp>
#include <custody/ledger/timestamp.hpp>
#include <custody/sys/fs.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Error codes: parse() and the file readers return Errc::invalid_input for a
// malformed text (callers checking a vault turn it into Errc::corrupt); every
// check that a well-formed checkpoint does not hold (signature, origin, root,
// size, timestamp) is Errc::corrupt.
namespace custody::checkpoint {

// A checkpoint is at most this long; anything longer is not one of ours.
inline constexpr std::size_t k_max_text = 4096;

struct Checkpoint
{
  std::string origin; // custody/<vault id>
  std::uint64_t size = 0;
  Digest root{};
  bool operator==(const Checkpoint&) const = default;
};

std::string origin_of(std::string_view vault_id);
// "<origin>\n<size>\n<base64 root>\n".
std::string encode(const Checkpoint& checkpoint);
// Strict: exactly three LF-terminated lines, an origin of the form
// custody/<32 hex>, a decimal size > 0 without leading zeros, the root as
// padded standard base64 of 32 bytes. Errors name the line and byte offset.
[[nodiscard]] Result<Checkpoint> parse(std::string_view text);

// The trusted comment a checkpoint signature carries.
std::string trusted_comment(const Checkpoint& checkpoint,
                            std::string_view time);
// The .minisig text: a prehashed minisign signature by the vault key.
[[nodiscard]] Result<std::string> sign(const minisign::SecretKey& key,
                                       const Checkpoint& checkpoint);
// Checks `signature_text` over `text` with the vault key as `minisign -V`
// does, and that its trusted comment names this origin and size.
[[nodiscard]] Result<Checkpoint> verify(std::string_view text,
                                        std::string_view signature_text,
                                        const minisign::PublicKey& key);

// The files of a vault's checkpoints/.
fs::Path directory(const fs::Path& vault);
fs::Path file(const fs::Path& vault, std::uint64_t size);
fs::Path
sibling(const fs::Path& vault, std::uint64_t size, std::string_view extension);

struct Listing
{
  std::vector<std::uint64_t> sizes; // checkpoint bodies, ascending
  std::vector<std::string> strays;  // other names, reported as notes
};
[[nodiscard]] Result<Listing> list(const fs::Path& vault);

// The size of the latest checkpoint, or nullopt when the vault has none.
[[nodiscard]] Result<std::optional<std::uint64_t>>
latest(const fs::Path& vault);

// The Merkle tree of the complete ledger lines (leaf = the line without its
// LF), from one scan of the segments. A torn tail is not a leaf.
[[nodiscard]] Result<merkle::Tree> load_tree(const fs::Path& vault);
// As load_tree(), handing every line (seq, text without LF) to `each_line` on
// the way; with `up_to`, only the first that many entries (a snapshot).
[[nodiscard]] Result<merkle::Tree>
load_tree(const fs::Path& vault,
          const std::function<void(std::uint64_t, std::string_view)>& each_line,
          std::optional<std::uint64_t> up_to = std::nullopt);

// The complete subtrees of a tree, largest first (one per set bit of its
// size): enough to append leaves and compute the root without the leaves.
class Frontier
{
public:
  Frontier() = default;
  void append(const Digest& leaf_hash);
  std::uint64_t
  size() const
  {
    return m_size;
  }
  Digest root() const;
  std::vector<Digest> hashes() const;
  // The frontier of a tree of `size` leaves from its subtree hashes; nullopt
  // unless there is one hash per set bit of `size`.
  static std::optional<Frontier> from(std::uint64_t size,
                                      const std::vector<Digest>& hashes);

private:
  std::vector<std::pair<std::uint64_t, Digest>> m_nodes; // (leaves, hash)
  std::uint64_t m_size = 0;
};

// Where the entry after the last one starts: what ledger::Tip calls
// last_segment and last_segment_size.
struct Position
{
  std::size_t segment = 0;
  std::uint64_t offset = 0;
};

struct Made
{
  Checkpoint checkpoint;
  bool created = false; // false: the checkpoint of this size already existed
  bool timestamped = false;
};
// Signs a checkpoint of `tree` and writes checkpoints/<size>.minisig then
// checkpoints/<size>, each atomically. An existing checkpoint of that size
// with the same body is kept as it is; one with another body is
// Errc::corrupt (the ledger was rewritten after it was signed).
[[nodiscard]] Result<Made> make(const fs::Path& vault,
                                const std::string& vault_id,
                                const merkle::Tree& tree,
                                const minisign::SecretKey& key);

// A checkpoint of the ledger as it is (`count` entries, the last with hash
// `last_hash`, the next to start at `next`), signed and stored as make()
// does. The tree comes from checkpoints/frontier when that verifies against
// the signed checkpoint it names (then only the entries after it are read),
// else from one scan of the whole ledger; checkpoints/frontier is rewritten
// for the next time (docs/formats.md 12.1). `used_frontier` says which.
[[nodiscard]] Result<Made> make_at_tip(const fs::Path& vault,
                                       const std::string& vault_id,
                                       const minisign::SecretKey& key,
                                       std::uint64_t count,
                                       const Digest& last_hash,
                                       Position next,
                                       bool* used_frontier = nullptr);

// The root of the Merkle tree of the ledger's `count` entries, the last
// hashing to `last_hash`, found as make_at_tip() finds it (checkpoints/frontier
// when it verifies with `key`, then the entries after it; otherwise one scan),
// without signing anything.
[[nodiscard]] Result<Digest> root_at_tip(const fs::Path& vault,
                                         const std::string& vault_id,
                                         const minisign::PublicKey& key,
                                         std::uint64_t count,
                                         const Digest& last_hash,
                                         bool* used_frontier = nullptr);

// A checkpoint read back from checkpoints/ and checked.
struct Stored
{
  Checkpoint checkpoint;
  std::string text;
  std::string signature;
  bool timestamped = false;    // a .tsr that matches its .tsq is beside it
  bool token_verified = false; // ...and its signature checked with --tsa-ca
};
// Reads checkpoints/<size> and its signature and checks them with `key` and,
// when `vault_id` is not empty, the origin. Errc::not_found when there is no
// such checkpoint.
// With `tsa_ca` (the text of a PEM file of CA certificates), a stored token's
// signature is checked too (R9).
[[nodiscard]] Result<Stored>
read(const fs::Path& vault,
     std::uint64_t size,
     const minisign::PublicKey& key,
     std::string_view vault_id,
     const std::optional<std::string>& tsa_ca = std::nullopt);

struct Summary
{
  std::uint64_t count = 0;
  std::optional<std::uint64_t> latest;
  // "Timestamped" counts only tokens whose signature was checked against the
  // CA given (R9); tokens stored but not checked are counted apart.
  bool latest_timestamped = false;
  bool latest_token_unverified = false;
  std::uint64_t timestamped = 0;
  std::uint64_t tokens_unverified = 0;
};
// invariants 16-18: every checkpoint is signed by `key`, names this vault,
// was made over a prefix of today's ledger (its root is the root of the
// first `size` leaves of `tree`), and any timestamp answers its request.
// A disagreement names the first entry that can differ: the one after the
// last checkpoint that still agrees. `listing` is the checkpoints listed when
// the check's snapshot was taken (a checkpoint made after it is not checked).
[[nodiscard]] Result<Summary>
check_all(const fs::Path& vault,
          const Listing& listing,
          const merkle::Tree& tree,
          const minisign::PublicKey& key,
          std::string_view vault_id,
          Notes& notes,
          const std::optional<std::string>& tsa_ca = std::nullopt);

// verify --against: a checkpoint kept outside the vault (its .minisig
// beside it) checked against today's vault.
struct Against
{
  Checkpoint kept;
  std::uint64_t tree_size = 0; // the size the consistency proof reaches
  Digest tree_root{};
  bool tree_signed = false; // tree_size is a stored, signed checkpoint
  merkle::Proof consistency;
};
[[nodiscard]] Result<Against> check_against(const fs::Path& vault,
                                            const fs::Path& kept_file,
                                            const merkle::Tree& tree,
                                            const minisign::PublicKey& key,
                                            std::string_view vault_id);

// --- RFC 3161 tokens stored beside their checkpoints (docs/formats.md 12.2)
// ---

// The largest request and response read: a token is a few KiB.
constexpr std::uint64_t k_max_tsq = 1 << 16;
constexpr std::uint64_t k_max_tsr = 1 << 20;

// Checkpoint `size` or, without one, the latest; checked like read().
// Errc::not_found when the vault has no checkpoint yet.
[[nodiscard]] Result<Stored> read_or_latest(const fs::Path& vault,
                                            std::optional<std::uint64_t> size,
                                            const minisign::PublicKey& key,
                                            std::string_view vault_id);

// The checkpoint's RFC 3161 request: the stored one, or a new one stored as
// checkpoints/<size>.tsq. One request per checkpoint, so a response to the
// first one still fits when asked again. Errc::invalid_input when the
// checkpoint is timestamped already.
[[nodiscard]] Result<Bytes> stored_request(const fs::Path& vault,
                                           const Stored& stored);

struct StoredToken
{
  Stored stored;
  timestamp::Token token;
};
// Checks `response` against the stored request of checkpoint `size` or,
// without one, of the checkpoint whose request it answers (the latest first),
// and stores it as checkpoints/<size>.tsr. `source` names the response in
// errors. Errc::invalid_input when it answers no stored request, or the
// checkpoint keeps another token already.
[[nodiscard]] Result<StoredToken>
store_response(const fs::Path& vault,
               const minisign::PublicKey& key,
               std::string_view vault_id,
               std::optional<std::uint64_t> size,
               const Bytes& response,
               std::string_view source);

} // namespace custody::checkpoint
