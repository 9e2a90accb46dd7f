// minisign files parsed and written; Ed25519 and BLAKE2b from libsodium.
#include <custody/crypto/crypto.hpp>
#include <custody/crypto/minisign.hpp>

#include <sodium.h>

#include <algorithm>
#include <vector>

namespace custody::minisign {

namespace {

constexpr std::string_view k_comment_prefix = "untrusted comment: ";
constexpr std::string_view k_trusted_prefix = "trusted comment: ";
constexpr std::string_view k_ed25519 = "Ed";
constexpr std::string_view k_ed25519_prehashed = "ED";
constexpr std::string_view k_kdf_scrypt = "Sc";
constexpr std::string_view k_kdf_none{"\0\0", 2};
constexpr std::string_view k_checksum_blake2b = "B2";

// Blob layouts (src/minisign.h).
constexpr std::size_t k_public_blob_size = 2 + 8 + 32;
constexpr std::size_t k_signature_blob_size = 2 + 8 + 64;
constexpr std::size_t k_secret_blob_size = 2 + 2 + 2 + 32 + 8 + 8 + 8 + 64 + 32;
constexpr std::size_t k_kdf_offset = 2;
constexpr std::size_t k_checksum_alg_offset = 4;
constexpr std::size_t k_salt_offset = 6;
constexpr std::size_t k_opslimit_offset = 38;
constexpr std::size_t k_memlimit_offset = 46;
// Key number, secret key and checksum: the part the scrypt stream encrypts.
constexpr std::size_t k_keynum_offset = 54;
constexpr std::size_t k_key_offset = 62;
constexpr std::size_t k_checksum_offset = 126;
constexpr std::size_t k_encrypted_size = k_secret_blob_size - k_keynum_offset;
constexpr std::size_t k_checksum_size = 32;

// A key file is input: its scrypt costs must not make us spend minutes or
// gigabytes. minisign writes opslimit 2^25 and memlimit 2^30 (and lowers both
// when memory is short).
constexpr std::uint64_t k_max_opslimit = std::uint64_t{1} << 27;
constexpr std::uint64_t k_max_memlimit = std::uint64_t{1} << 31;

static_assert(crypto_sign_PUBLICKEYBYTES == 32);
static_assert(crypto_sign_SECRETKEYBYTES == 64);
static_assert(crypto_sign_BYTES == 64);
static_assert(crypto_sign_SEEDBYTES == 32);
static_assert(crypto_pwhash_scryptsalsa208sha256_SALTBYTES == 32);

std::uint64_t
load_le64(const std::uint8_t* bytes)
{
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) {
    value = (value << 8) | bytes[i];
  }
  return value;
}

std::string
key_id_of(const KeyNumber& keynum)
{
  return fmt::format("{:016X}", load_le64(keynum.data()));
}

bool
starts_with_bytes(ByteView bytes, std::string_view text)
{
  return bytes.size() >= text.size()
         && std::equal(text.begin(), text.end(), bytes.begin());
}

// Splits into exactly `expected` lines. The last LF may be missing; a CR is
// allowed only as the last byte of a line (a CRLF file), since minisign
// truncates a line at any CR.
Result<std::vector<std::string_view>>
split_lines(std::string_view text, std::size_t expected, std::string_view what)
{
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (lines.size() != expected) {
    return fail(Errc::invalid_input,
                "{} has {} lines, not {}",
                what,
                lines.size(),
                expected);
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].empty() && lines[i].back() == '\r') {
      lines[i].remove_suffix(1);
    }
    if (lines[i].find('\r') != std::string_view::npos) {
      return fail(Errc::invalid_input,
                  "{} line {} has a carriage return inside it",
                  what,
                  i + 1);
    }
  }
  return lines;
}

// Printable UTF-8, as newer minisign requires of trusted comments: TAB and the
// printable ASCII range, and well-formed multi-byte sequences that are not C1
// controls. What a verifier shows as "trusted" must not carry terminal escapes.
bool
is_printable(std::string_view text)
{
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto* const end = p + text.size();
  while (p < end) {
    const std::uint8_t c = *p++;
    if (c == '\t' || (c >= 0x20 && c <= 0x7e)) {
      continue;
    }
    std::size_t more = 0;
    std::uint32_t code_point = 0;
    std::uint32_t smallest = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      more = 1;
      code_point = c & 0x1fU;
      smallest = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      code_point = c & 0x0fU;
      smallest = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      code_point = c & 0x07U;
      smallest = 0x10000;
    } else {
      // Controls, DEL, stray continuation bytes, invalid lead bytes.
      return false;
    }
    if (static_cast<std::size_t>(end - p) < more) {
      return false;
    }
    for (std::size_t i = 0; i < more; ++i) {
      if ((p[i] & 0xc0U) != 0x80U) {
        return false;
      }
      code_point = (code_point << 6) | (p[i] & 0x3fU);
    }
    p += more;
    if (code_point < smallest || code_point > 0x10ffff
        || (code_point >= 0xd800 && code_point <= 0xdfff)
        || (code_point >= 0x80 && code_point <= 0x9f)) {
      return false;
    }
  }
  return true;
}

Result<void>
check_comment(std::string_view comment, std::size_t max, std::string_view what)
{
  if (comment.size() > max) {
    return fail(Errc::invalid_input,
                "{} is {} bytes, more than {}",
                what,
                comment.size(),
                max);
  }
  if (!is_printable(comment)) {
    return fail(Errc::invalid_input,
                "{} has a control character or is not valid UTF-8",
                what);
  }
  return {};
}

Result<std::string_view>
strip_prefix(std::string_view line,
             std::string_view prefix,
             std::string_view what)
{
  if (!line.starts_with(prefix)) {
    return fail(
      Errc::invalid_input, "{} does not start with \"{}\"", what, prefix);
  }
  return line.substr(prefix.size());
}

Result<Bytes>
decode_blob(std::string_view line, std::size_t size, std::string_view what)
{
  auto bytes = from_base64(line, Padding::yes);
  if (!bytes) {
    return fail(Errc::invalid_input, "{} is not valid base64", what);
  }
  if (bytes->size() != size) {
    return fail(Errc::invalid_input,
                "{} decodes to {} bytes, not {}",
                what,
                bytes->size(),
                size);
  }
  return bytes;
}

// As decode_blob, for a secret key: the decoded bytes (and the re-encoding that
// proves the text canonical) never leave SecretBytes.
Result<SecretBytes>
decode_secret_blob(std::string_view line)
{
  SecretBytes blob(k_secret_blob_size + 3);
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(blob.data(),
                        blob.size(),
                        line.data(),
                        line.size(),
                        nullptr,
                        &length,
                        &end,
                        sodium_base64_VARIANT_ORIGINAL)
        != 0
      || end != line.data() + line.size()) {
    return fail(Errc::invalid_input, "secret key is not valid base64");
  }
  if (length != k_secret_blob_size) {
    return fail(Errc::invalid_input,
                "secret key decodes to {} bytes, not {}",
                length,
                k_secret_blob_size);
  }
  blob.truncate(length);
  SecretBytes again(
    sodium_base64_encoded_len(length, sodium_base64_VARIANT_ORIGINAL));
  sodium_bin2base64(reinterpret_cast<char*>(again.data()),
                    again.size(),
                    blob.data(),
                    blob.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  again.truncate(again.size() - 1); // the terminating NUL
  if (!equal_constant_time(again.view(), as_bytes(line))) {
    return fail(Errc::invalid_input, "secret key is not canonical base64");
  }
  return blob;
}

// The secret key file's blob, its algorithm tags checked; still encrypted if it
// was.
Result<SecretBytes>
read_secret_blob(std::string_view text)
{
  CUSTODY_ASSIGN(lines, split_lines(text, 2, "secret key file"));
  CUSTODY_TRY(
    strip_prefix(lines[0], k_comment_prefix, "secret key file line 1"));
  CUSTODY_ASSIGN(blob, decode_secret_blob(lines[1]));
  if (!starts_with_bytes(blob.view(), k_ed25519)) {
    return fail(Errc::invalid_input,
                "secret key algorithm is not Ed25519 (\"Ed\")");
  }
  const ByteView kdf = blob.view().subspan(k_kdf_offset, 2);
  if (!starts_with_bytes(kdf, k_kdf_scrypt)
      && !starts_with_bytes(kdf, k_kdf_none)) {
    return fail(Errc::invalid_input,
                "secret key uses an unknown key derivation function");
  }
  if (!starts_with_bytes(blob.view().subspan(k_checksum_alg_offset),
                         k_checksum_blake2b)) {
    return fail(Errc::invalid_input,
                "secret key checksum is not BLAKE2b (\"B2\")");
  }
  return blob;
}

// BLAKE2b-256("Ed" || keynum || secret key), the secret key file's checksum.
void
compute_checksum(const std::uint8_t* blob, std::uint8_t* out)
{
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, k_checksum_size);
  crypto_generichash_update(&state, blob, 2);
  crypto_generichash_update(
    &state, blob + k_keynum_offset, k_checksum_offset - k_keynum_offset);
  crypto_generichash_final(&state, out, k_checksum_size);
  sodium_memzero(&state, sizeof state);
}

Result<void>
decrypt_secret_blob(SecretBytes& blob, std::string_view password)
{
  const std::uint64_t opslimit = load_le64(blob.data() + k_opslimit_offset);
  const std::uint64_t memlimit = load_le64(blob.data() + k_memlimit_offset);
  if (opslimit > k_max_opslimit || memlimit > k_max_memlimit) {
    return fail(Errc::invalid_input,
                "secret key asks for scrypt opslimit {} and memlimit {}, more "
                "than the {} "
                "and {} this program allows",
                opslimit,
                memlimit,
                k_max_opslimit,
                k_max_memlimit);
  }
  SecretBytes stream(k_encrypted_size);
  if (crypto_pwhash_scryptsalsa208sha256(stream.data(),
                                         stream.size(),
                                         password.empty() ? ""
                                                          : password.data(),
                                         password.size(),
                                         blob.data() + k_salt_offset,
                                         opslimit,
                                         static_cast<std::size_t>(memlimit))
      != 0) {
    return fail(Errc::io,
                "scrypt could not derive the key that opens the secret key "
                "(out of memory?)");
  }
  for (std::size_t i = 0; i < k_encrypted_size; ++i) {
    blob.data()[k_keynum_offset + i] ^= stream.data()[i];
  }
  return {};
}

KeyNumber
keynum_from(ByteView bytes)
{
  KeyNumber keynum{};
  std::copy_n(bytes.begin(), keynum.size(), keynum.begin());
  return keynum;
}

} // namespace

// Gives the signing functions below the raw key; nothing outside this file can
// name it.
struct SecretKeyAccess
{
  static Ed25519Signature
  sign_detached(const SecretKey& key, ByteView message)
  {
    Ed25519Signature signature{};
    crypto_sign_detached(signature.data(),
                         nullptr,
                         message.data(),
                         message.size(),
                         key.m_key.data());
    return signature;
  }
};

// --- PublicKey ---

PublicKey::PublicKey(const KeyNumber& keynum, const Ed25519PublicKey& key)
  : m_keynum(keynum),
    m_key(key)
{
}

Result<PublicKey>
PublicKey::from_base64(std::string_view line)
{
  CUSTODY_ASSIGN(blob, decode_blob(line, k_public_blob_size, "public key"));
  if (!starts_with_bytes(blob, k_ed25519)) {
    return fail(Errc::invalid_input,
                "public key algorithm is not Ed25519 (\"Ed\")");
  }
  Ed25519PublicKey key{};
  std::copy_n(blob.begin() + 10, key.size(), key.begin());
  return PublicKey(keynum_from(ByteView(blob).subspan(2)), key);
}

Result<PublicKey>
PublicKey::from_file_text(std::string_view text)
{
  CUSTODY_ASSIGN(lines, split_lines(text, 2, "public key file"));
  CUSTODY_ASSIGN(
    comment,
    strip_prefix(lines[0], k_comment_prefix, "public key file line 1"));
  if (comment.size() > k_untrusted_comment_max) {
    return fail(Errc::invalid_input, "public key file comment is too long");
  }
  return from_base64(lines[1]);
}

std::string
PublicKey::to_base64() const
{
  std::array<std::uint8_t, k_public_blob_size> blob{};
  std::copy(k_ed25519.begin(), k_ed25519.end(), blob.begin());
  std::copy(m_keynum.begin(), m_keynum.end(), blob.begin() + 2);
  std::copy(m_key.begin(), m_key.end(), blob.begin() + 10);
  return custody::to_base64(blob, Padding::yes);
}

std::string
PublicKey::to_file_text() const
{
  return fmt::format(
    "{}minisign public key {}\n{}\n", k_comment_prefix, key_id(), to_base64());
}

std::string
PublicKey::key_id() const
{
  return key_id_of(m_keynum);
}

// --- SecretKey ---

SecretKey::SecretKey(const KeyNumber& keynum, SecretBytes key)
  : m_keynum(keynum),
    m_key(std::move(key))
{
}

SecretKey
SecretKey::generate()
{
  KeyNumber keynum{};
  random_bytes(keynum.data(), keynum.size());
  SecretBytes key(crypto_sign_SECRETKEYBYTES);
  Ed25519PublicKey public_key{};
  crypto_sign_keypair(public_key.data(), key.data());
  return SecretKey(keynum, std::move(key));
}

Result<bool>
SecretKey::file_is_encrypted(std::string_view text)
{
  CUSTODY_ASSIGN(blob, read_secret_blob(text));
  return starts_with_bytes(blob.view().subspan(k_kdf_offset), k_kdf_scrypt);
}

Result<SecretKey>
SecretKey::from_file_text(std::string_view text, std::string_view password)
{
  CUSTODY_ASSIGN(blob, read_secret_blob(text));
  const bool encrypted =
    starts_with_bytes(blob.view().subspan(k_kdf_offset), k_kdf_scrypt);
  if (encrypted) {
    CUSTODY_TRY(decrypt_secret_blob(blob, password));
  }

  SecretBytes checksum(k_checksum_size);
  compute_checksum(blob.data(), checksum.data());
  const ByteView stored =
    blob.view().subspan(k_checksum_offset, k_checksum_size);
  if (!equal_constant_time(checksum.view(), stored)) {
    if (encrypted) {
      // With scrypt, a wrong password decrypts to noise: the checksum is the
      // only tell.
      return fail(Errc::auth, "wrong password for the minisign secret key");
    }
    // minisign -G -W leaves the checksum of an unencrypted key all zero, and
    // 0.11 never reads it.
    if (sodium_is_zero(stored.data(), stored.size()) != 1) {
      return fail(Errc::invalid_input,
                  "secret key checksum does not match: the file is damaged");
    }
  }

  // The key's second half is its public key; a damaged one would sign with a
  // key that the published public key does not verify.
  SecretBytes key = SecretBytes::copy_of(
    blob.view().subspan(k_key_offset, crypto_sign_SECRETKEYBYTES));
  SecretBytes derived(crypto_sign_SECRETKEYBYTES);
  Ed25519PublicKey derived_public{};
  crypto_sign_seed_keypair(derived_public.data(), derived.data(), key.data());
  if (!equal_constant_time(derived.view(), key.view())) {
    return fail(Errc::invalid_input,
                "secret key's public half does not match its seed");
  }
  return SecretKey(keynum_from(blob.view().subspan(k_keynum_offset)),
                   std::move(key));
}

Result<SecretBytes>
SecretKey::to_unencrypted_file_text(std::string_view untrusted_comment) const
{
  CUSTODY_TRY(check_comment(
    untrusted_comment, k_untrusted_comment_max, "secret key comment"));
  SecretBytes blob(k_secret_blob_size); // zero: no KDF salt, no limits
  std::copy(k_ed25519.begin(), k_ed25519.end(), blob.data());
  std::copy(k_kdf_none.begin(), k_kdf_none.end(), blob.data() + k_kdf_offset);
  std::copy(k_checksum_blake2b.begin(),
            k_checksum_blake2b.end(),
            blob.data() + k_checksum_alg_offset);
  std::copy(m_keynum.begin(), m_keynum.end(), blob.data() + k_keynum_offset);
  std::copy_n(m_key.data(), m_key.size(), blob.data() + k_key_offset);
  compute_checksum(blob.data(), blob.data() + k_checksum_offset);

  const std::size_t encoded_size =
    sodium_base64_encoded_len(blob.size(), sodium_base64_VARIANT_ORIGINAL) - 1;
  const std::size_t header_size =
    k_comment_prefix.size() + untrusted_comment.size() + 1;
  SecretBytes text(header_size + encoded_size + 1);
  auto* out = reinterpret_cast<char*>(text.data());
  out = std::copy(k_comment_prefix.begin(), k_comment_prefix.end(), out);
  out = std::copy(untrusted_comment.begin(), untrusted_comment.end(), out);
  *out++ = '\n';
  // The encoder's terminating NUL lands where the final LF goes.
  sodium_bin2base64(out,
                    encoded_size + 1,
                    blob.data(),
                    blob.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out[encoded_size] = '\n';
  return text;
}

PublicKey
SecretKey::public_key() const
{
  Ed25519PublicKey key{};
  crypto_sign_ed25519_sk_to_pk(key.data(), m_key.data());
  return PublicKey(m_keynum, key);
}

std::string
SecretKey::key_id() const
{
  return key_id_of(m_keynum);
}

// --- Prehash ---

struct Prehash::State
{
  crypto_generichash_state state;
};

Prehash::Prehash()
  : m_state(std::make_unique<State>())
{
  crypto_generichash_init(
    &m_state->state, nullptr, 0, crypto_generichash_BYTES_MAX);
}

Prehash::Prehash(Prehash&&) noexcept = default;
Prehash& Prehash::operator=(Prehash&&) noexcept = default;
Prehash::~Prehash() = default;

void
Prehash::update(ByteView data)
{
  crypto_generichash_update(&m_state->state, data.data(), data.size());
}

MessageHash
Prehash::finish()
{
  static_assert(crypto_generichash_BYTES_MAX == std::tuple_size_v<MessageHash>);
  MessageHash hash{};
  crypto_generichash_final(&m_state->state, hash.data(), hash.size());
  return hash;
}

MessageHash
prehash(ByteView message)
{
  Prehash hasher;
  hasher.update(message);
  return hasher.finish();
}

// --- Signatures ---

std::string
Signature::key_id() const
{
  return key_id_of(keynum);
}

std::string
Signature::to_text() const
{
  std::array<std::uint8_t, k_signature_blob_size> blob{};
  const std::string_view tag =
    algorithm == Algorithm::prehashed ? k_ed25519_prehashed : k_ed25519;
  std::copy(tag.begin(), tag.end(), blob.begin());
  std::copy(keynum.begin(), keynum.end(), blob.begin() + 2);
  std::copy(signature.begin(), signature.end(), blob.begin() + 10);
  return fmt::format("{}{}\n{}\n{}{}\n{}\n",
                     k_comment_prefix,
                     untrusted_comment,
                     to_base64(blob, Padding::yes),
                     k_trusted_prefix,
                     trusted_comment,
                     to_base64(global_signature, Padding::yes));
}

Result<Signature>
parse_signature(std::string_view text)
{
  CUSTODY_ASSIGN(lines, split_lines(text, 4, "signature file"));
  Signature parsed;

  CUSTODY_ASSIGN(
    comment, strip_prefix(lines[0], k_comment_prefix, "signature file line 1"));
  if (comment.size() > k_untrusted_comment_max) {
    return fail(Errc::invalid_input,
                "untrusted comment is {} bytes, more than {}",
                comment.size(),
                k_untrusted_comment_max);
  }
  parsed.untrusted_comment = comment;

  CUSTODY_ASSIGN(blob,
                 decode_blob(lines[1], k_signature_blob_size, "signature"));
  if (starts_with_bytes(blob, k_ed25519_prehashed)) {
    parsed.algorithm = Algorithm::prehashed;
  } else if (starts_with_bytes(blob, k_ed25519)) {
    parsed.algorithm = Algorithm::legacy;
  } else {
    return fail(Errc::invalid_input,
                "signature algorithm is neither \"ED\" nor \"Ed\"");
  }
  parsed.keynum = keynum_from(ByteView(blob).subspan(2));
  std::copy_n(
    blob.begin() + 10, parsed.signature.size(), parsed.signature.begin());

  CUSTODY_ASSIGN(
    trusted, strip_prefix(lines[2], k_trusted_prefix, "signature file line 3"));
  CUSTODY_TRY(check_comment(trusted, k_trusted_comment_max, "trusted comment"));
  parsed.trusted_comment = trusted;

  CUSTODY_ASSIGN(
    global,
    decode_blob(lines[3], crypto_sign_BYTES, "trusted comment signature"));
  std::copy(global.begin(), global.end(), parsed.global_signature.begin());
  return parsed;
}

namespace {

Bytes
signature_and_comment(const Ed25519Signature& signature,
                      std::string_view trusted_comment)
{
  Bytes out(signature.begin(), signature.end());
  out.insert(out.end(), trusted_comment.begin(), trusted_comment.end());
  return out;
}

Result<void>
verify_parsed(const PublicKey& key,
              const Signature& signature,
              ByteView signed_bytes)
{
  if (signature.keynum != key.keynum()) {
    return make_error(
      Errc::corrupt,
      fmt::format("signature key id {} does not match the public key's id {}",
                  signature.key_id(),
                  key.key_id()),
      "check that this is the public key of the key that signed");
  }
  if (crypto_sign_verify_detached(signature.signature.data(),
                                  signed_bytes.data(),
                                  signed_bytes.size(),
                                  key.key().data())
      != 0) {
    return fail(
      Errc::corrupt,
      "signature verification failed: the file or its signature was changed");
  }
  const Bytes global =
    signature_and_comment(signature.signature, signature.trusted_comment);
  if (crypto_sign_verify_detached(signature.global_signature.data(),
                                  global.data(),
                                  global.size(),
                                  key.key().data())
      != 0) {
    return fail(Errc::corrupt,
                "trusted comment signature verification failed: the trusted "
                "comment or its "
                "signature was changed");
  }
  return {};
}

Result<std::string>
sign_bytes(const SecretKey& key,
           Algorithm algorithm,
           ByteView signed_bytes,
           std::string_view trusted_comment,
           std::string_view untrusted_comment)
{
  CUSTODY_TRY(check_comment(
    untrusted_comment, k_untrusted_comment_max, "untrusted comment"));
  CUSTODY_TRY(
    check_comment(trusted_comment, k_trusted_comment_max, "trusted comment"));
  Signature signature;
  signature.untrusted_comment = untrusted_comment;
  signature.algorithm = algorithm;
  signature.keynum = key.keynum();
  signature.signature = SecretKeyAccess::sign_detached(key, signed_bytes);
  signature.trusted_comment = trusted_comment;
  signature.global_signature = SecretKeyAccess::sign_detached(
    key, signature_and_comment(signature.signature, trusted_comment));
  // Evidence is signed once: a key damaged in memory must fail here, not at a
  // later verify.
  if (!verify_parsed(key.public_key(), signature, signed_bytes)) {
    return fail(
      Errc::internal,
      "a signature just made does not verify with its own public key");
  }
  return signature.to_text();
}

} // namespace

Result<std::string>
sign(const SecretKey& key,
     ByteView message,
     std::string_view trusted_comment,
     std::string_view untrusted_comment,
     Algorithm algorithm)
{
  if (algorithm == Algorithm::legacy) {
    return sign_bytes(
      key, algorithm, message, trusted_comment, untrusted_comment);
  }
  const MessageHash hash = prehash(message);
  return sign_bytes(key, algorithm, hash, trusted_comment, untrusted_comment);
}

Result<std::string>
sign_prehashed(const SecretKey& key,
               const MessageHash& message_hash,
               std::string_view trusted_comment,
               std::string_view untrusted_comment)
{
  return sign_bytes(key,
                    Algorithm::prehashed,
                    message_hash,
                    trusted_comment,
                    untrusted_comment);
}

Result<std::string>
verify(const PublicKey& key,
       ByteView message,
       std::string_view signature_text,
       Legacy legacy)
{
  CUSTODY_ASSIGN(signature, parse_signature(signature_text));
  if (signature.algorithm == Algorithm::legacy) {
    if (legacy == Legacy::reject) {
      return fail(Errc::invalid_input,
                  "legacy (\"Ed\", not prehashed) signature where only "
                  "prehashed ones are accepted");
    }
    CUSTODY_TRY(verify_parsed(key, signature, message));
  } else {
    const MessageHash hash = prehash(message);
    CUSTODY_TRY(verify_parsed(key, signature, hash));
  }
  return std::move(signature.trusted_comment);
}

Result<std::string>
verify_prehashed(const PublicKey& key,
                 const MessageHash& message_hash,
                 std::string_view signature_text)
{
  CUSTODY_ASSIGN(signature, parse_signature(signature_text));
  if (signature.algorithm == Algorithm::legacy) {
    return fail(Errc::invalid_input,
                "legacy (\"Ed\") signature signs the whole file and cannot be "
                "checked from its hash");
  }
  CUSTODY_TRY(verify_parsed(key, signature, message_hash));
  return std::move(signature.trusted_comment);
}

} // namespace custody::minisign
