// Evidence media: files of any size streamed into objects in one pass (SHA-256
// of the plaintext, Padmé padding, age encryption, SHA-256 of the object), and
// read back out with their hash checked (docs/formats.md section 6.2.1).
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/crypto/age/age.hpp>
#include <custody/ledger/ledger.hpp>
#include <custody/ledger/store.hpp>
#include <custody/sys/fs.hpp>
#include <custody/vault/vault.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace custody::attach {

// Called now and then with the bytes done so far and the total.
using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// What one pass over a file produced: an object, durable but not yet named
// (an O_TMPFILE descriptor), so that nothing of a failed command stays behind.
struct Staged
{
  Staged() = default;
  Staged(const Staged&) = delete;
  Staged& operator=(const Staged&) = delete;
  Staged(Staged&& other) noexcept;
  Staged& operator=(Staged&& other) noexcept;
  ~Staged(); // closes an unnamed object: it is gone

  std::uint64_t size = 0;        // the file's true length
  std::uint64_t padded_size = 0; // what was encrypted
  Digest plaintext_sha256{};     // of the file's bytes
  Digest object{};               // SHA-256 of the object: its name
  std::uint64_t object_size = 0;
  int fd = -1; // the unnamed object
  // A named temp file where the filesystem has no O_TMPFILE.
  std::optional<fs::Path> temp;
};

// Checks that `file` is a regular file that can be read, with a UTF-8 name: a
// directory, a FIFO, a device, a name in another encoding or a missing file is
// Errc::invalid_input or Errc::not_found naming it.
[[nodiscard]] Result<void> check_source(const fs::Path& file);

// Reads `file` once: hashes it, pads it, encrypts it to `recipient` and hashes
// the ciphertext, reading and encrypting on two threads, in constant memory,
// into an unnamed object in `vault`/objects, made durable. Refuses a file that
// changed while it was read (size or modification time), Errc::invalid_input;
// Errc::interrupted once `*cancel` is set; Errc::io when the disk is full.
[[nodiscard]] Result<Staged> stage(const fs::Path& vault,
                                   const fs::Path& file,
                                   const age::X25519Recipient& recipient,
                                   const std::atomic<bool>* cancel,
                                   const Progress& progress);

// Names a staged object (objects/xx/<hash>) and makes the name durable.
[[nodiscard]] Result<void> commit(const fs::Path& vault, Staged& staged);

struct Extracted
{
  std::uint64_t size = 0;
  Digest sha256{};
};

// Whether read_plaintext also hashes the object's bytes against its name
// (invariant 8). Without, every byte given to the sink is still checked: each
// age chunk authenticates, and the plaintext must hash to the `sha256` the
// caller took from a checked document, so only an object re-encrypted from
// the same plaintext would go unseen, which verify finds (docs/decisions.md,
// "A court bundle checks the plaintext, verify the object").
enum class CheckObjectName { yes, no };

// Decrypts object `name` with `key`, checks that the plaintext's first `size`
// bytes hash to `sha256` and that only zeros follow, and hands each piece of
// the true plaintext to `sink` (which may be empty: verify --deep). Two
// threads: a reading one, which hashes the object (CheckObjectName::yes) or
// decrypts it (::no), and the caller's, which does the rest.
// Errc::corrupt when the object or its hash is wrong; Errc::auth when `key`
// does not open it.
[[nodiscard]] Result<Extracted>
read_plaintext(const fs::Path& vault,
               const Digest& name,
               const age::X25519Identity& key,
               std::uint64_t size,
               const Digest& sha256,
               const std::function<Result<void>(ByteView)>& sink,
               const std::atomic<bool>* cancel,
               const Progress& progress,
               CheckObjectName check_name = CheckObjectName::yes);

// Writes an extracted attachment to `to`: through an unnamed file in its
// directory, linked only once the whole plaintext checked out; an existing
// `to` is refused (Errc::invalid_input) and never overwritten.
[[nodiscard]] Result<Extracted> extract(const fs::Path& vault,
                                        const Digest& name,
                                        const age::X25519Identity& key,
                                        std::uint64_t size,
                                        const Digest& sha256,
                                        const fs::Path& to,
                                        const std::atomic<bool>* cancel,
                                        const Progress& progress);

// What the user says of a file, and what its media facts are.
struct Description
{
  std::string name; // the file's base name
  std::string kind; // audio | video | photo | document
  std::string note;
  std::string captured_at;
  json::Json media = json::Json::object();
};

struct Written
{
  std::uint64_t seq = 0;
  Digest hash{};
  std::string name;
  std::uint64_t size = 0;
  Digest sha256{};
  Digest object{};
};

// The attachments of `files` to record `record_id`, made ready to append:
// each file's attachment document encrypted into `documents` (not yet
// durable), and one `put` entry each (its document and its media object, both
// in the identity compartment). Does not look the record up: write() does,
// and `record --attach` names the record its own batch creates.
struct Prepared
{
  std::unique_ptr<store::ObjectBatch> documents;
  std::vector<vault::Vault::NewEntry> entries;
  std::vector<Written> written; // seq and hash filled in once appended
};
[[nodiscard]] Result<Prepared>
prepare(vault::Vault& vault,
        const std::string& record_id,
        std::vector<std::pair<Staged, Description>>& files);

// Names every staged media object, then makes the documents durable: all
// that must be on disk before the entries naming them are appended.
[[nodiscard]] Result<void>
make_durable(vault::Vault& vault,
             Prepared& prepared,
             std::vector<std::pair<Staged, Description>>& files);

// Attaches `files` to record `record_id`, which must be a record of the
// vault's record list, whatever the member's role (Errc::not_found
// otherwise: an attachment to no record is evidence no one finds); then
// prepare(), make_durable() and one `put` entry per attachment and the
// member's seal, in one durable write.
[[nodiscard]] Result<std::vector<Written>>
write(vault::Vault& vault,
      const std::string& record_id,
      std::vector<std::pair<Staged, Description>>& files,
      vault::Notes& notes);

// The attachment object of an attachment document ({"name", "kind", "size",
// "sha256", ...}), checked for shape.
struct Recorded
{
  std::uint64_t size = 0;
  Digest sha256{};
  Digest object{};
  std::string media_salt;
};
[[nodiscard]] Result<Recorded> parse_recorded(const json::Json& attachment);

} // namespace custody::attach
