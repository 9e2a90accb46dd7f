// Member identities (an age X25519 key in a passphrase-protected age file) and
// member cards (docs/formats.md section 2.1-2.2).
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/crypto/age/age.hpp>
#include <custody/crypto/secret.hpp>

#include <string>
#include <string_view>

namespace custody::identity {

constexpr int k_default_work_factor = 18;
constexpr int k_weak_work_factor = 15; // below this, key new warns

// The public face of a member: what another member admits.
struct Card
{
  std::string age_recipient; // age1...
  Bytes ed25519_public;      // 32 bytes
  Bytes signature;           // 64 bytes, by the seal key over signed_text()

  std::string key_id() const; // docs/formats.md 2.1
  std::string ed25519_base64() const;
  std::string signature_base64() const;
  std::string signed_text() const;
  std::string encode() const; // the card line, with LF
};

// Parses a card (file content or the bare line) and checks its self-signature.
// An identity given instead is refused as one, its text never quoted.
[[nodiscard]] Result<Card> parse_card(std::string_view text);

// The member key id for an X25519 public key.
std::string key_id_for(ByteView x25519_public);

bool verify_ed25519(ByteView public_key, ByteView message, ByteView signature);

// An unlocked member identity: the age identity and the seal key derived from
// it.
class Member
{
public:
  explicit Member(age::X25519Identity identity);
  const Card&
  card() const
  {
    return m_card;
  }
  const age::X25519Identity&
  age_identity() const
  {
    return m_identity;
  }
  std::string
  key_id() const
  {
    return m_card.key_id();
  }
  // Ed25519 signature by the seal key.
  Bytes sign(ByteView message) const;

private:
  age::X25519Identity m_identity;
  SecretBytes m_seal_secret; // libsodium Ed25519 secret key (seed || public)
  Card m_card;
};

struct Created
{
  Member member;
  Bytes file; // the identity file: age-keygen text encrypted to the passphrase
};

// A fresh identity, encrypted with `passphrase` at scrypt work factor
// `work_factor`.
[[nodiscard]] Result<Created> create(ByteView passphrase, int work_factor);

// Whether `file` is an age-encrypted identity (else it should be plain
// age-keygen text).
bool is_encrypted(ByteView file);

// Whether `file` is a member card (its first line that is neither blank nor a
// comment starts with "custody-card-v1 "): the public half, given where an
// identity was expected.
bool is_card(ByteView file);

// Opens an identity file: decrypts it with `passphrase` when encrypted (wrong
// passphrase: Errc::auth), or reads plain age-keygen text. A member card is
// Errc::invalid_input saying so.
[[nodiscard]] Result<Member> unlock(ByteView file, ByteView passphrase);

} // namespace custody::identity
