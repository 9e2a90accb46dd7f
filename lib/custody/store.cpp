// Content-addressed objects and salted, padded payload documents.
#include <custody/crypto.hpp>
#include <custody/store.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

#include <bit>

namespace custody::store {

fs::Path
object_path(const fs::Path& vault, const Digest& name)
{
  const std::string hex = to_hex(name);
  return vault / "objects" / hex.substr(0, 2) / hex.substr(2);
}

Result<Digest>
write_object(const fs::Path& vault, ByteView bytes)
{
  const Digest name = sha256(bytes);
  const fs::Path path = object_path(vault, name);
  if (std::filesystem::exists(path)) {
    return name;
  }
  CUSTODY_TRY(fs::make_directories(path.parent_path()));
  auto created = fs::create_file_durably(path, bytes);
  if (!created
      && created.error().code
           != Errc::invalid_input) { // invalid_input: it exists
    return tl::unexpected(created.error());
  }
  return name;
}

Result<Bytes>
read_object(const fs::Path& vault, const Digest& name)
{
  const fs::Path path = object_path(vault, name);
  auto bytes = fs::read_file(path, k_max_payload_object);
  if (!bytes) {
    if (bytes.error().code == Errc::not_found) {
      return fail(Errc::corrupt, "object {} is missing", to_hex(name));
    }
    return tl::unexpected(bytes.error());
  }
  // invariant 8
  if (sha256(*bytes) != name) {
    return fail(
      Errc::corrupt, "object {} does not match its name", to_hex(name));
  }
  return std::move(*bytes);
}

Digest
commitment(std::string_view salt_hex, const Digest& plaintext_sha256)
{
  return sha256(
    fmt::format("custody-commit-v1:{}:{}", salt_hex, to_hex(plaintext_sha256)));
}

Bytes
pad(ByteView plaintext)
{
  const std::size_t size =
    std::max(k_min_padded_size, std::bit_ceil(plaintext.size()));
  Bytes padded(size, 0);
  std::copy(plaintext.begin(), plaintext.end(), padded.begin());
  return padded;
}

Result<Sealed>
seal_document(const fs::Path& vault,
              json::Json document,
              const age::X25519Recipient& recipient,
              std::uint32_t epoch)
{
  const std::string salt = to_hex(random_bytes(32));
  document["salt"] = salt;
  Sealed sealed;
  sealed.plaintext = json::canonical(document);
  const Bytes padded = pad(as_bytes(sealed.plaintext));
  const age::X25519Recipient recipients[] = {recipient};
  CUSTODY_ASSIGN(file, age::encrypt(padded, recipients, age::Armor::no));
  CUSTODY_ASSIGN(name, write_object(vault, file));
  sealed.ref.obj = name;
  sealed.ref.commit = commitment(salt, sha256(sealed.plaintext));
  sealed.ref.epoch = epoch;
  return sealed;
}

Result<Opened>
open_document(const fs::Path& vault,
              const ledger::PayloadRef& ref,
              const age::X25519Identity& key)
{
  CUSTODY_ASSIGN(file, read_object(vault, ref.obj));
  auto plain =
    age::decrypt(file, std::span<const age::X25519Identity>(&key, 1));
  if (!plain) {
    return fail(plain.error().code == Errc::auth ? Errc::auth : Errc::corrupt,
                "object {}: {}",
                to_hex(ref.obj),
                plain.error().message);
  }
  std::size_t length = plain->size();
  while (length > 0 && plain->data()[length - 1] == 0) {
    --length;
  }
  Opened opened;
  opened.plaintext.assign(reinterpret_cast<const char*>(plain->data()), length);
  auto document = json::parse_canonical(opened.plaintext);
  if (!document || !document->is_object() || !document->contains("salt")
      || !(*document)["salt"].is_string()) {
    return fail(
      Errc::corrupt, "object {}: not a payload document", to_hex(ref.obj));
  }
  // invariant 13: the commitment in the clear envelope opens to this plaintext
  if (commitment((*document)["salt"].get<std::string>(),
                 sha256(opened.plaintext))
      != ref.commit) {
    return fail(Errc::corrupt,
                "object {}: the commitment does not open",
                to_hex(ref.obj));
  }
  opened.document = std::move(*document);
  return opened;
}

} // namespace custody::store
