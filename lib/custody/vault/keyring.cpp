// Key files: where a member's wrapped keys live, how they are written, and
// the Keyring that unwraps them only as the signed admin state vouches for
// them (docs/formats.md 2.4).

#include <custody/crypto/crypto.hpp>
#include <custody/vault/vault_internal.hpp>

#include <fmt/core.h>

namespace custody::vault::detail {

namespace {

fs::Path
key_file_path(const fs::Path& vault,
              std::string_view holder,
              std::uint32_t epoch,
              const std::string& key_id)
{
  return vault / "keys" / std::string(holder) / std::to_string(epoch)
         / (key_id + ".age");
}

std::string
relative_key_path(std::string_view holder,
                  std::uint32_t epoch,
                  const std::string& key_id)
{
  return fmt::format("keys/{}/{}/{}.age", holder, epoch, key_id);
}

} // namespace

Result<void>
Keyring::confirm()
{
  for (auto& [key, loaded] : m_compartments) {
    CUSTODY_TRY(check(key.first, key.second, loaded));
  }
  return {};
}

Result<const age::X25519Identity*>
Keyring::compartment(Compartment c, std::uint32_t epoch)
{
  const auto key = std::make_pair(c, epoch);
  if (auto it = m_compartments.find(key); it != m_compartments.end()) {
    CUSTODY_TRY(check(c, epoch, it->second));
    return &it->second.identity;
  }
  if (m_member == nullptr) {
    return fail(Errc::auth, "no identity given");
  }
  CUSTODY_ASSIGN(unwrapped, unwrap(compartment_name(c), epoch));
  CUSTODY_ASSIGN(identities, age::parse_identity_file(unwrapped.plain.text()));
  if (identities.size() != 1) {
    return fail(Errc::corrupt,
                "key file {}: expected one age identity",
                path(compartment_name(c), epoch));
  }
  Unwrapped loaded{std::move(identities.front()), unwrapped.file_sha256};
  CUSTODY_TRY(check(c, epoch, loaded));
  auto [it, inserted] = m_compartments.emplace(key, std::move(loaded));
  return &it->second.identity;
}

Result<const minisign::SecretKey*>
Keyring::signing(std::uint32_t epoch)
{
  if (m_signing && m_signing_epoch == epoch) {
    return &*m_signing;
  }
  if (m_member == nullptr) {
    return fail(Errc::auth, "no identity given");
  }
  CUSTODY_ASSIGN(unwrapped, unwrap("signing", epoch));
  CUSTODY_ASSIGN(key,
                 minisign::SecretKey::from_file_text(unwrapped.plain.text()));
  const std::string expected =
    m_state != nullptr && m_state->signing_epoch == epoch
      ? m_state->signing_public
      : std::string();
  bool trusted = false;
  const bool pending = std::exchange(m_allow_pending, false);
  auto checked = check_key("signing",
                           epoch,
                           unwrapped.file_sha256,
                           key.public_key().to_base64(),
                           expected,
                           trusted);
  m_allow_pending = pending;
  CUSTODY_TRY(std::move(checked));
  m_signing.emplace(std::move(key));
  m_signing_epoch = epoch;
  return &*m_signing;
}

void
Keyring::add(Compartment c, std::uint32_t epoch, age::X25519Identity identity)
{
  m_compartments.emplace(std::make_pair(c, epoch),
                         Unwrapped{std::move(identity), {}, true});
}

std::string
Keyring::path(std::string_view holder, std::uint32_t epoch) const
{
  return relative_key_path(
    holder, epoch, m_member != nullptr ? m_member->key_id() : "?");
}

std::optional<std::string>
Keyring::listed_hash(const std::string& name) const
{
  if (m_state == nullptr) {
    return std::nullopt;
  }
  const auto it = m_state->key_files.find(name);
  return it == m_state->key_files.end() ? std::nullopt
                                        : std::optional(it->second);
}

std::string
Keyring::recipient_of(Compartment c, std::uint32_t epoch) const
{
  if (m_state == nullptr) {
    return {};
  }
  const auto keys = m_state->compartments.find(c);
  if (keys == m_state->compartments.end()) {
    return {};
  }
  const auto recipient = keys->second.recipients.find(epoch);
  return recipient == keys->second.recipients.end() ? std::string()
                                                    : recipient->second;
}

Error
Keyring::unlisted(std::string_view holder, std::uint32_t epoch) const
{
  return Error{
    Errc::auth,
    fmt::format("your {} key of epoch {} is in {}, which no signed admin "
                "entry lists; it was ignored",
                holder,
                epoch,
                path(holder, epoch)),
    "ask a legal member to find out who wrote it",
    Remedy::run_verify_repair};
}

Result<void>
Keyring::check_key(std::string_view holder,
                   std::uint32_t epoch,
                   const std::string& file_sha256,
                   const std::string& public_key,
                   const std::string& signed_public_key,
                   bool& trusted) const
{
  if (trusted) {
    return {};
  }
  const std::string name = path(holder, epoch);
  const auto listed = listed_hash(name);
  if (listed && *listed != file_sha256) {
    return make_error(
      Errc::corrupt,
      fmt::format("key file {} is not the file its signed admin entry "
                  "lists (SHA-256 {}, listed {})",
                  name,
                  file_sha256,
                  *listed),
      "the key file was replaced; restore it from a backup");
  }
  const bool signed_key = !signed_public_key.empty();
  if (signed_key && signed_public_key != public_key) {
    if (!listed) {
      return tl::unexpected(unlisted(holder, epoch));
    }
    return make_error(
      Errc::corrupt,
      fmt::format("key file {} holds a key that is not the {} key of epoch "
                  "{} the signed ledger names",
                  name,
                  holder,
                  epoch),
      "the key file was forged; restore it from a backup");
  }
  if (listed && signed_key) {
    trusted = true;
    return {};
  }
  if (!m_allow_pending) {
    return tl::unexpected(unlisted(holder, epoch));
  }
  return {};
}

Result<void>
Keyring::check(Compartment c, std::uint32_t epoch, Unwrapped& loaded) const
{
  return check_key(compartment_name(c),
                   epoch,
                   loaded.file_sha256,
                   loaded.identity.recipient().encode(),
                   recipient_of(c, epoch),
                   loaded.trusted);
}

Result<Keyring::Opened>
Keyring::unwrap(std::string_view holder, std::uint32_t epoch)
{
  const fs::Path file =
    key_file_path(m_vault, holder, epoch, m_member->key_id());
  auto bytes = fs::read_file(file, k_max_small_file);
  if (!bytes) {
    if (bytes.error().code == Errc::not_found) {
      return fail(
        Errc::auth, "your identity holds no {} key of epoch {}", holder, epoch);
    }
    return tl::unexpected(bytes.error());
  }
  auto plain = age::decrypt(
    *bytes, std::span<const age::X25519Identity>(&m_member->age_identity(), 1));
  if (!plain) {
    return fail(plain.error().code == Errc::auth ? Errc::auth : Errc::corrupt,
                "key file {}: {}",
                path(holder, epoch),
                plain.error().message);
  }
  return Opened{std::move(*plain), sha256_hex(*bytes)};
}

Result<json::Json>
write_key_file(const fs::Path& vault,
               std::string_view holder,
               std::uint32_t epoch,
               const std::string& key_id,
               const std::string& recipient_text,
               ByteView secret_text)
{
  CUSTODY_ASSIGN(recipient, age::X25519Recipient::parse(recipient_text));
  const age::X25519Recipient recipients[] = {recipient};
  CUSTODY_ASSIGN(file, age::encrypt(secret_text, recipients, age::Armor::no));
  const fs::Path path = key_file_path(vault, holder, epoch, key_id);
  CUSTODY_TRY(fs::make_directories(path.parent_path()));
  // An unlisted file of this name is the residue of an interrupted command:
  // replace it (2.4).
  CUSTODY_TRY(fs::write_file_atomic(path, file));
  return json::Json{{"path", relative_key_path(holder, epoch, key_id)},
                    {"sha256", sha256_hex(file)}};
}

} // namespace custody::vault::detail
