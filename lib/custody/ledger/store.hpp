// Objects (age files named by their SHA-256) and payload documents with their
// commitments (docs/formats.md section 5).
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/crypto/age/age.hpp>
#include <custody/ledger/ledger.hpp>
#include <custody/sys/fs.hpp>

#include <atomic>
#include <bitset>
#include <functional>
#include <mutex>
#include <vector>

namespace custody::store {

constexpr std::size_t k_min_padded_size = 1024;
constexpr std::uint64_t k_max_payload_object = 64ULL * 1024 * 1024;

fs::Path object_path(const fs::Path& vault, const Digest& name);

// Opens object `name` for one sequential read and returns its descriptor, which
// the caller closes; a missing object is Errc::corrupt (invariant 8).
[[nodiscard]] Result<int> open_object(const fs::Path& vault,
                                      const Digest& name);

// The error for an object whose bytes do not hash to its name.
[[nodiscard]] Error altered_object(const fs::Path& vault, const Digest& name);

// Invariant 8 for objects of any size: streams object `name` through SHA-256
// in constant memory and checks that the hash is its name. Errc::corrupt,
// naming the object, when it is missing or altered. `progress` (may be empty)
// is called with the bytes hashed so far and the object's size.
[[nodiscard]] Result<void> check_object(
  const fs::Path& vault,
  const Digest& name,
  const std::function<void(std::uint64_t done, std::uint64_t total)>& progress);

// Writes an object durably under its name; an existing object with that name is
// left as it is (same name, same bytes: that is what content addressing means).
[[nodiscard]] Result<Digest> write_object(const fs::Path& vault,
                                          ByteView bytes);

// Writes many objects durably at once (docs/decisions.md "Durable batches"):
// each is written, unnamed (O_TMPFILE), in its own objects/xx/ directory as it
// is added; in groups, one syncfs(2) makes them durable and linkat(2) gives
// them their names, and commit() makes the names durable with a last syncfs(2).
// A crash leaves named objects complete and unnamed ones gone. add() may be
// called from several threads; objects not committed are dropped by the
// destructor (named ones stay, unreferenced, for verify to report).
class ObjectBatch
{
public:
  explicit ObjectBatch(fs::Path vault);
  ObjectBatch(const ObjectBatch&) = delete;
  ObjectBatch& operator=(const ObjectBatch&) = delete;
  ~ObjectBatch();

  [[nodiscard]] Result<Digest> add(ByteView bytes);
  // As add(), when the caller already knows the bytes' SHA-256.
  [[nodiscard]] Result<void> add(const Digest& name, ByteView bytes);
  [[nodiscard]] Result<void> commit();

private:
  struct Pending
  {
    fs::Path temp; // a named temp file, where O_TMPFILE is not supported
    int fd = -1;   // an unnamed O_TMPFILE file
    Digest name;
  };
  [[nodiscard]] Result<void> name_group(std::vector<Pending>& group);

  fs::Path m_vault;
  std::size_t m_group_size;
  std::mutex m_mutex;
  std::vector<Pending> m_pending;
  std::atomic<bool> m_named = false; // names made since the last syncfs
  std::bitset<256> m_directories;    // objects/xx/ known to exist, by byte xx
};

// Reads an object and checks that its SHA-256 is its name (invariant 8).
[[nodiscard]] Result<Bytes> read_object(const fs::Path& vault,
                                        const Digest& name);

// commit = SHA-256("custody-commit-v1:" + salt_hex + ":" +
// sha256_hex(plaintext)).
Digest commitment(std::string_view salt_hex, const Digest& plaintext_sha256);

// Zero-pads `plaintext` to the next power of two, at least k_min_padded_size
// bytes.
Bytes pad(ByteView plaintext);

// Padmé (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and
// Communication with PURBs", PETS 2019): the padded length of a `length`-byte
// file: media objects are padded so; documents use pad(). At most 12 % above
// it, and it reveals only O(log log length) bits.
std::uint64_t padme(std::uint64_t length);

// A payload ready to reference from an entry.
struct Sealed
{
  ledger::PayloadRef ref;
  std::string
    plaintext; // the canonical document (kept for callers that hash or sign it)
};

// Adds a fresh `salt` to `document`, encodes it canonically, pads it and
// encrypts it to `recipient`: the object's bytes and the reference an entry
// will carry. Writes nothing.
struct Encrypted
{
  Sealed sealed;
  Bytes file;
};
[[nodiscard]] Result<Encrypted>
encrypt_document(json::Json document,
                 const age::X25519Recipient& recipient,
                 std::uint32_t epoch);

// A fresh salt: 32 random bytes in hex.
std::string new_salt();

// As encrypt_document, for a canonical document already encoded whose "salt" is
// `salt` (callers that build the text directly save copying large documents).
[[nodiscard]] Result<Encrypted>
encrypt_plaintext(std::string plaintext,
                  std::string_view salt,
                  const age::X25519Recipient& recipient,
                  std::uint32_t epoch);

// encrypt_document, then write the object durably.
[[nodiscard]] Result<Sealed>
seal_document(const fs::Path& vault,
              json::Json document,
              const age::X25519Recipient& recipient,
              std::uint32_t epoch);

// Reads, decrypts and un-pads a payload and checks its commitment.
struct Opened
{
  json::Json document;
  std::string plaintext;
};
[[nodiscard]] Result<Opened> open_document(const fs::Path& vault,
                                           const ledger::PayloadRef& ref,
                                           const age::X25519Identity& key);

} // namespace custody::store
