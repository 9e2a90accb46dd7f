// minisign key and signature files: Ed25519 over BLAKE2b-512 hashes.
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/crypto/secret.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

// Error codes used throughout this module:
// - Errc::invalid_input: the text is not a well-formed minisign file (line
//   count, prefixes, base64, blob lengths, algorithm tags, a CR other than
//   before LF, a comment too long, a trusted comment that is not printable
//   UTF-8); a secret key's cost parameters are out of range; a comment given
//   to sign() cannot be written; a legacy signature where it is not accepted.
// - Errc::corrupt: a well-formed signature does not verify: it names another
//   key, the signature over the file fails, or the signature over the
//   trusted comment fails.
// - Errc::auth: the password does not open an encrypted secret key.
// - Errc::io: scrypt could not get the memory the key file asks for.
namespace custody::minisign {

using KeyNumber = std::array<std::uint8_t, 8>;
using Ed25519PublicKey = std::array<std::uint8_t, 32>;
using Ed25519Signature = std::array<std::uint8_t, 64>;
// BLAKE2b-512 of a message, what a prehashed ("ED") signature signs.
using MessageHash = std::array<std::uint8_t, 64>;

// minisign's own limits (COMMENTMAXBYTES, TRUSTEDCOMMENTMAXBYTES less the
// prefixes and the line end): longer comments do not fit the buffers minisign
// reads them into.
inline constexpr std::size_t k_untrusted_comment_max = 1003;
inline constexpr std::size_t k_trusted_comment_max = 8173;
inline constexpr std::string_view k_default_untrusted_comment =
  "signature from minisign secret key";
inline constexpr std::string_view k_unencrypted_secret_key_comment =
  "minisign secret key, not encrypted";

// minisign signs prehashed by default since 0.10.
enum class Algorithm {
  prehashed, // "ED": Ed25519 over BLAKE2b-512(message)
  legacy,    // "Ed": Ed25519 over the message itself
};

// Whether verify() takes legacy "Ed" signatures (minisign -V does; -V -H does
// not).
enum class Legacy { accept, reject };

// A key number and an Ed25519 public key: one line of base64 ("RW..."), or a
// file of an untrusted comment line and that line.
class PublicKey
{
public:
  PublicKey(const KeyNumber& keynum, const Ed25519PublicKey& key);

  // The two-line file minisign -G writes. The comment line must start
  // "untrusted comment: "; its text is not checked (minisign 0.11 wrote key ids
  // without leading zeros).
  [[nodiscard]] static Result<PublicKey> from_file_text(std::string_view text);
  // The bare base64 line, as `minisign -P` takes it.
  [[nodiscard]] static Result<PublicKey> from_base64(std::string_view line);

  std::string to_base64() const;
  // "untrusted comment: minisign public key <KEYID>\n<base64>\n".
  std::string to_file_text() const;
  // The key number read as a little-endian integer, as 16 upper-case hex
  // digits.
  std::string key_id() const;
  const KeyNumber&
  keynum() const
  {
    return m_keynum;
  }
  const Ed25519PublicKey&
  key() const
  {
    return m_key;
  }
  bool operator==(const PublicKey&) const = default;

private:
  KeyNumber m_keynum;
  Ed25519PublicKey m_key;
};

// An Ed25519 secret key and its key number; the key lives only in SecretBytes.
class SecretKey
{
public:
  // A new key pair with a random key number.
  static SecretKey generate();

  // Reads a secret key file. An scrypt-encrypted key ("Sc") is opened with
  // `password` (Errc::auth when it is wrong); for an unencrypted key `password`
  // is ignored. The BLAKE2b-256 checksum must match, except that an unencrypted
  // key may leave it all zero, as `minisign -G -W` does; the public half must
  // match the seed either way.
  [[nodiscard]] static Result<SecretKey>
  from_file_text(std::string_view text, std::string_view password = {});
  // Whether the file needs a password, to decide whether to ask for one.
  [[nodiscard]] static Result<bool> file_is_encrypted(std::string_view text);

  // The secret key file with no KDF (kdf bytes 00 00, zero salt and limits),
  // with the checksum filled in: minisign 0.11 ignores it for such keys and
  // `minisign -S -s` signs with the file, and filled in it still lets a reader
  // detect a damaged file.
  [[nodiscard]] Result<SecretBytes>
  to_unencrypted_file_text(std::string_view untrusted_comment =
                             k_unencrypted_secret_key_comment) const;

  PublicKey public_key() const;
  std::string key_id() const;
  const KeyNumber&
  keynum() const
  {
    return m_keynum;
  }

private:
  friend struct SecretKeyAccess;
  SecretKey(const KeyNumber& keynum, SecretBytes key);

  KeyNumber m_keynum;
  SecretBytes m_key; // libsodium's 64-byte form: seed || public key
};

// BLAKE2b-512 over a message given in pieces, for signing or verifying files as
// they stream.
class Prehash
{
public:
  Prehash();
  Prehash(const Prehash&) = delete;
  Prehash& operator=(const Prehash&) = delete;
  Prehash(Prehash&&) noexcept;
  Prehash& operator=(Prehash&&) noexcept;
  ~Prehash();
  void update(ByteView data);
  MessageHash finish();

private:
  struct State;
  std::unique_ptr<State> m_state;
};
MessageHash prehash(ByteView message);

// A parsed .minisig file.
struct Signature
{
  std::string untrusted_comment;
  Algorithm algorithm = Algorithm::prehashed;
  KeyNumber keynum{};
  Ed25519Signature signature{};
  std::string trusted_comment;
  Ed25519Signature global_signature{};

  std::string key_id() const;
  // The four lines, each ending in LF.
  std::string to_text() const;
};

// Parses the four lines of a .minisig file (a final LF may be missing; CR is
// allowed only right before an LF). Checks the form only, never a signature.
// The untrusted comment is checked for length only: show it, if at all, as
// untrusted text.
[[nodiscard]] Result<Signature> parse_signature(std::string_view text);

// Signs `message` and returns the .minisig text. The comments must be printable
// UTF-8 (TAB allowed) within the length limits above; the trusted comment is
// signed, the untrusted one is not.
[[nodiscard]] Result<std::string>
sign(const SecretKey& key,
     ByteView message,
     std::string_view trusted_comment,
     std::string_view untrusted_comment,
     Algorithm algorithm = Algorithm::prehashed);
// As sign() with Algorithm::prehashed, given BLAKE2b-512 of the message (see
// Prehash).
[[nodiscard]] Result<std::string>
sign_prehashed(const SecretKey& key,
               const MessageHash& message_hash,
               std::string_view trusted_comment,
               std::string_view untrusted_comment);

// Verifies `signature_text` over `message` with `key` as `minisign -V` does:
// key numbers must match, then the signature, then the trusted comment's
// signature. Returns the trusted comment.
[[nodiscard]] Result<std::string> verify(const PublicKey& key,
                                         ByteView message,
                                         std::string_view signature_text,
                                         Legacy legacy = Legacy::accept);
// As verify(), given BLAKE2b-512 of the message. A legacy signature signs the
// message itself, so it cannot be checked from the hash: Errc::invalid_input.
[[nodiscard]] Result<std::string>
verify_prehashed(const PublicKey& key,
                 const MessageHash& message_hash,
                 std::string_view signature_text);

} // namespace custody::minisign
