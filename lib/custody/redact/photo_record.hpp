// Redacting a record's photo (docs/formats.md 6.6.1): the attachment found
// and decrypted into memory, redacted by the keyless child, stored as a
// derivative with its `redaction` entry, and read back (`extract --redacted`).
#pragma once

#include <custody/media/attach.hpp>
#include <custody/records/readers.hpp>
#include <custody/redact/photo.hpp>
#include <custody/vault/vault.hpp>

#include <chrono>
#include <string>

namespace custody::redact {

// Attachment `number` (from 1, as `show` numbers them) of record `id`.
struct PhotoSource
{
  std::string record;
  std::size_t number = 0;
  index::AttachmentRow row;
  attach::Recorded recorded;
  std::string name;
  std::string kind;
  // Whether the record's consent scopes include `publish` now.
  bool publish = false;
  // The record's own identity values: the canaries the output must not hold.
  std::vector<std::string> canaries;
};

// Errc::auth unless the shards open identity and facts (legal);
// Errc::not_found naming the numbers the record has; Errc::invalid_input for
// an attachment that is not a photo, or one larger than photo redaction takes.
[[nodiscard]] Result<PhotoSource> photo_source(const records::Shards& shards,
                                               const std::string& id,
                                               std::size_t number);

// Decrypts the photo into a memory file with `options` and has `executable`,
// the keyless child (`custody-media redact-photo`), redact it. Nothing of it
// reaches a disk.
[[nodiscard]] Result<PhotoRedaction>
redact_photo_of(vault::Vault& vault,
                const PhotoSource& source,
                const PhotoOptions& options,
                const fs::Path& executable,
                std::chrono::milliseconds timeout);

// Stores the derivative (encrypted to aggressor when released: `reviewed` and
// the record consents to publish; else to identity) and appends the
// `redaction` entry of three payloads with the member's seal. Returns its seq.
[[nodiscard]] Result<std::uint64_t>
record_photo_redaction(vault::Vault& vault,
                       const PhotoSource& source,
                       const PhotoRedaction& redacted,
                       bool reviewed);

// The latest derivative of attachment `number` the member may read: a legal
// member any, an advocacy member a released one of a record consenting to
// publish now. Errc::not_found when there is none.
struct PhotoDerivative
{
  std::string record;
  std::uint64_t seq = 0;
  bool released = false;
  std::string review; // empty for advocacy, who reads no provenance
  std::string format;
  std::uint64_t size = 0;
  Digest sha256{};
  Digest object{};
  std::uint32_t epoch = 0;
  vault::Compartment compartment = vault::Compartment::identity;
};
[[nodiscard]] Result<PhotoDerivative> current_photo_derivative(
  const records::Shards& shards, const std::string& id, std::size_t number);

} // namespace custody::redact
