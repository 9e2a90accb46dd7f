// Identities, seal keys derived by HKDF, and one-line member cards.
#include <custody/crypto/crypto.hpp>
#include <custody/keys/identity.hpp>

#include <fmt/core.h>
#include <sodium.h>

#include <algorithm>
#include <sstream>
#include <vector>

namespace custody::identity {

namespace {

constexpr std::string_view k_card_tag = "custody-card-v1";
constexpr std::string_view k_seal_info = "custody/v1/member-ed25519";

std::vector<std::string_view>
split_spaces(std::string_view line)
{
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= line.size()) {
    const auto space = line.find(' ', start);
    parts.push_back(line.substr(start,
                                space == std::string_view::npos
                                  ? std::string_view::npos
                                  : space - start));
    if (space == std::string_view::npos) {
      break;
    }
    start = space + 1;
  }
  return parts;
}

} // namespace

std::string
key_id_for(ByteView x25519_public)
{
  const Digest digest = sha256(x25519_public);
  return to_hex(ByteView(digest.data(), 16));
}

std::string
Card::key_id() const
{
  auto recipient = age::X25519Recipient::parse(age_recipient);
  return recipient ? key_id_for(recipient->public_key()) : std::string();
}

std::string
Card::ed25519_base64() const
{
  return to_base64(ed25519_public, Padding::yes);
}

std::string
Card::signature_base64() const
{
  return to_base64(signature, Padding::yes);
}

std::string
Card::signed_text() const
{
  return fmt::format("{} {} {}", k_card_tag, age_recipient, ed25519_base64());
}

std::string
Card::encode() const
{
  return fmt::format("{} {}\n", signed_text(), signature_base64());
}

bool
verify_ed25519(ByteView public_key, ByteView message, ByteView signature)
{
  return public_key.size() == crypto_sign_PUBLICKEYBYTES
         && signature.size() == crypto_sign_BYTES
         && crypto_sign_verify_detached(signature.data(),
                                        message.data(),
                                        message.size(),
                                        public_key.data())
              == 0;
}

Result<Card>
parse_card(std::string_view text)
{
  // An identity holds the secret key: it must be told apart, not echoed.
  if (is_encrypted(as_bytes(text))
      || text.find("AGE-SECRET-KEY-1") != std::string_view::npos) {
    return make_error(Errc::invalid_input,
                      "this is an identity, which holds a secret key, not a "
                      "member card",
                      Remedy::use_key_new_card,
                      "never hand an identity file to anyone");
  }
  // Skip comments and blank lines; the card is the one remaining line.
  std::string_view card_line;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    start = end + 1;
    if (line.empty() || line.front() == '#') {
      continue;
    }
    if (!card_line.empty()) {
      return make_error(Errc::invalid_input,
                        "a member card holds exactly one card line");
    }
    card_line = line;
  }
  const auto parts = split_spaces(card_line);
  if (parts.size() != 4 || parts[0] != k_card_tag) {
    return make_error(
      Errc::invalid_input,
      "not a member card (expected \"custody-card-v1 age1... KEY SIGNATURE\")",
      Remedy::use_key_new_card);
  }
  Card card;
  auto recipient = age::X25519Recipient::parse(parts[1]);
  if (!recipient) {
    return fail(Errc::invalid_input,
                "member card: invalid age recipient: {}",
                recipient.error().message);
  }
  card.age_recipient = std::string(parts[1]);
  auto ed25519 = from_base64(parts[2], Padding::yes);
  auto signature = from_base64(parts[3], Padding::yes);
  if (!ed25519 || ed25519->size() != crypto_sign_PUBLICKEYBYTES) {
    return make_error(Errc::invalid_input, "member card: invalid Ed25519 key");
  }
  if (!signature || signature->size() != crypto_sign_BYTES) {
    return make_error(Errc::invalid_input,
                      "member card: invalid signature encoding");
  }
  card.ed25519_public = std::move(*ed25519);
  card.signature = std::move(*signature);
  if (!verify_ed25519(
        card.ed25519_public, as_bytes(card.signed_text()), card.signature)) {
    return make_error(Errc::invalid_input,
                      "member card: the self-signature does not verify",
                      Remedy::ask_key_show);
  }
  return card;
}

Member::Member(age::X25519Identity identity)
  : m_identity(std::move(identity)),
    m_seal_secret(crypto_sign_SECRETKEYBYTES)
{
  const SecretBytes seed = hkdf_sha256(
    m_identity.secret_key(), {}, k_seal_info, crypto_sign_SEEDBYTES);
  Bytes public_key(crypto_sign_PUBLICKEYBYTES);
  crypto_sign_seed_keypair(
    public_key.data(), m_seal_secret.data(), seed.data());
  m_card.age_recipient = m_identity.recipient().encode();
  m_card.ed25519_public = std::move(public_key);
  m_card.signature = sign(as_bytes(m_card.signed_text()));
}

Bytes
Member::sign(ByteView message) const
{
  Bytes signature(crypto_sign_BYTES);
  crypto_sign_detached(signature.data(),
                       nullptr,
                       message.data(),
                       message.size(),
                       m_seal_secret.data());
  return signature;
}

bool
is_encrypted(ByteView file)
{
  const std::string_view text = as_text(file);
  return text.starts_with("age-encryption.org/")
         || text.starts_with("-----BEGIN AGE ENCRYPTED FILE");
}

bool
is_card(ByteView file)
{
  const std::string_view text = as_text(file);
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line == "\r" || line.front() == '#') {
      continue;
    }
    return line.starts_with(k_card_tag) && line.size() > k_card_tag.size()
           && line[k_card_tag.size()] == ' ';
  }
  return false;
}

Result<Created>
create(ByteView passphrase, int work_factor)
{
  age::X25519Identity identity = age::X25519Identity::generate();
  const SecretBytes keygen_text =
    age::format_identity_file(identity, std::chrono::system_clock::now());
  CUSTODY_ASSIGN(
    file,
    age::encrypt_with_passphrase(
      keygen_text.view(), passphrase, work_factor, age::Armor::no));
  return Created{Member(std::move(identity)), std::move(file)};
}

Result<Member>
unlock(ByteView file, ByteView passphrase)
{
  if (is_card(file)) {
    return make_error(Errc::invalid_input,
                      "this is a member card, the public half of an identity, "
                      "not an identity",
                      "give the identity file the card was written beside "
                      "(the same name without .card)");
  }
  if (!is_encrypted(file)) {
    CUSTODY_ASSIGN(identities, age::parse_identity_file(as_text(file)));
    if (identities.size() != 1) {
      return make_error(Errc::invalid_input,
                        "an identity file must hold exactly one age identity");
    }
    return Member(std::move(identities.front()));
  }
  // A malformed file is bad input (R11), whatever the age layer calls it; a
  // wrong passphrase stays Errc::auth.
  auto plain = age::decrypt_with_passphrase(file, passphrase);
  if (!plain) {
    Error error = plain.error();
    if (error.code != Errc::auth && error.code != Errc::io) {
      error.code = Errc::invalid_input;
    }
    return tl::unexpected(std::move(error));
  }
  CUSTODY_ASSIGN(identities, age::parse_identity_file(plain->text()));
  if (identities.size() != 1) {
    return make_error(Errc::invalid_input,
                      "an identity file must hold exactly one age identity");
  }
  return Member(std::move(identities.front()));
}

} // namespace custody::identity
