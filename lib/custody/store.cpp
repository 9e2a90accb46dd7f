// Content-addressed objects and salted, padded payload documents.
#include <custody/crypto.hpp>
#include <custody/store.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

#include <unistd.h>

#include <bit>
#include <set>

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

ObjectBatch::ObjectBatch(fs::Path vault)
  : m_vault(std::move(vault))
{
}

ObjectBatch::~ObjectBatch()
{
  for (const auto& pending : m_pending) {
    ::unlink(pending.temp.c_str());
  }
}

Result<Digest>
ObjectBatch::add(ByteView bytes)
{
  const Digest name = sha256(bytes);
  CUSTODY_ASSIGN(temp,
                 fs::write_temp_file(m_vault / "objects", bytes, fs::Sync::no));
  const std::lock_guard<std::mutex> lock(m_mutex);
  m_pending.push_back({std::move(temp), name});
  return name;
}

Result<void>
ObjectBatch::commit()
{
  const std::lock_guard<std::mutex> lock(m_mutex);
  if (m_pending.empty()) {
    return {};
  }
  // One syncfs makes every temp file durable; then each rename is made durable
  // by syncing the directories it touched, once each.
  CUSTODY_TRY(fs::sync_filesystem(m_vault / "objects"));
  std::set<fs::Path> directories;
  for (auto& pending : m_pending) {
    const fs::Path path = object_path(m_vault, pending.name);
    if (directories.insert(path.parent_path()).second) {
      CUSTODY_TRY(fs::make_directories(path.parent_path()));
    }
    CUSTODY_TRY(fs::rename_into_place(pending.temp, path));
    pending.temp.clear();
  }
  for (const auto& directory : directories) {
    CUSTODY_TRY(fs::fsync_directory(directory));
  }
  m_pending.clear();
  return {};
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

Result<Encrypted>
encrypt_document(json::Json document,
                 const age::X25519Recipient& recipient,
                 std::uint32_t epoch)
{
  const std::string salt = to_hex(random_bytes(32));
  document["salt"] = salt;
  Encrypted out;
  out.sealed.plaintext = json::canonical(document);
  const Bytes padded = pad(as_bytes(out.sealed.plaintext));
  CUSTODY_ASSIGN(
    file,
    age::encrypt(padded,
                 std::span<const age::X25519Recipient>(&recipient, 1),
                 age::Armor::no));
  out.sealed.ref.obj = sha256(file);
  out.sealed.ref.commit = commitment(salt, sha256(out.sealed.plaintext));
  out.sealed.ref.epoch = epoch;
  out.file = std::move(file);
  return out;
}

Result<Sealed>
seal_document(const fs::Path& vault,
              json::Json document,
              const age::X25519Recipient& recipient,
              std::uint32_t epoch)
{
  CUSTODY_ASSIGN(encrypted,
                 encrypt_document(std::move(document), recipient, epoch));
  CUSTODY_TRY(write_object(vault, encrypted.file));
  return std::move(encrypted.sealed);
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
