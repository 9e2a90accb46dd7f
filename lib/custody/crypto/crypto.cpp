// SHA-256, HMAC and HKDF through OpenSSL's SHA-256, bulk ChaCha20-Poly1305
// through OpenSSL, randomness through libsodium.
#include <custody/crypto/crypto.hpp>

#include <climits>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <stdexcept>

namespace custody {

Result<void>
crypto_init()
{
  // libsodium's internal generator (ChaCha20, seeded and reseeded from the
  // kernel, fork-safe) instead of one getrandom(2) per call: a batch of records
  // draws randomness hundreds of thousands of times.
  if (randombytes_set_implementation(&randombytes_internal_implementation) != 0
      || sodium_init() < 0) {
    return fail(Errc::internal, "libsodium failed to initialise");
  }
  return {};
}

namespace {

// The SHA-256 implementation, fetched from the provider once: EVP_sha256()
// makes OpenSSL look it up under a lock on every call, which showed in profiles
// of batch writes.
const EVP_MD*
sha256_md()
{
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

const EVP_CIPHER*
chacha20poly1305_cipher()
{
  static EVP_CIPHER* const cipher =
    EVP_CIPHER_fetch(nullptr, "ChaCha20-Poly1305", nullptr);
  return cipher;
}

// An OpenSSL context kept for the life of the thread and reused for each call:
// making and freeing one per call showed in profiles.
template<typename Context, Context* (*make)(), void (*release)(Context*)>
Context*
thread_context()
{
  struct Owner
  {
    Context* ctx = make();
    ~Owner()
    {
      release(ctx);
    }
  };
  thread_local Owner owner;
  if (owner.ctx == nullptr) {
    throw std::bad_alloc();
  }
  return owner.ctx;
}

// Reset for each chunk of a large file.
EVP_CIPHER_CTX*
aead_context()
{
  return thread_context<EVP_CIPHER_CTX,
                        EVP_CIPHER_CTX_new,
                        EVP_CIPHER_CTX_free>();
}

constexpr std::size_t k_aead_tag = 16;

// Seven HMACs per age file (three HKDFs and the header MAC).
EVP_MD_CTX*
hmac_digest_context()
{
  return thread_context<EVP_MD_CTX, EVP_MD_CTX_new, EVP_MD_CTX_free>();
}

} // namespace

bool
chacha20poly1305_seal(ByteView key,
                      ByteView nonce,
                      ByteView plaintext,
                      std::span<std::uint8_t> out)
{
  if (key.size() != 32 || nonce.size() != 12
      || out.size() != plaintext.size() + k_aead_tag
      || plaintext.size() > static_cast<std::size_t>(INT_MAX)) {
    return false;
  }
  EVP_CIPHER_CTX* ctx = aead_context();
  int length = 0;
  int final_length = 0;
  const bool ok =
    EVP_EncryptInit_ex(
      ctx, chacha20poly1305_cipher(), nullptr, key.data(), nonce.data())
      == 1
    && EVP_EncryptUpdate(ctx,
                         out.data(),
                         &length,
                         plaintext.data(),
                         static_cast<int>(plaintext.size()))
         == 1
    && EVP_EncryptFinal_ex(ctx, out.data() + length, &final_length) == 1
    && static_cast<std::size_t>(length) + static_cast<std::size_t>(final_length)
         == plaintext.size()
    && EVP_CIPHER_CTX_ctrl(ctx,
                           EVP_CTRL_AEAD_GET_TAG,
                           static_cast<int>(k_aead_tag),
                           out.data() + plaintext.size())
         == 1;
  EVP_CIPHER_CTX_reset(ctx); // cleanses the key schedule
  return ok;
}

bool
chacha20poly1305_open(ByteView key,
                      ByteView nonce,
                      ByteView sealed,
                      std::span<std::uint8_t> out)
{
  if (key.size() != 32 || nonce.size() != 12 || sealed.size() < k_aead_tag
      || out.size() != sealed.size() - k_aead_tag
      || sealed.size() > static_cast<std::size_t>(INT_MAX)) {
    return false;
  }
  const std::size_t body = sealed.size() - k_aead_tag;
  EVP_CIPHER_CTX* ctx = aead_context();
  std::array<std::uint8_t, k_aead_tag> tag{};
  std::copy(sealed.begin() + static_cast<std::ptrdiff_t>(body),
            sealed.end(),
            tag.begin());
  int length = 0;
  int final_length = 0;
  const bool ok =
    EVP_DecryptInit_ex(
      ctx, chacha20poly1305_cipher(), nullptr, key.data(), nonce.data())
      == 1
    && EVP_DecryptUpdate(
         ctx, out.data(), &length, sealed.data(), static_cast<int>(body))
         == 1
    && EVP_CIPHER_CTX_ctrl(
         ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(k_aead_tag), tag.data())
         == 1
    && EVP_DecryptFinal_ex(ctx, out.data() + length, &final_length) == 1;
  EVP_CIPHER_CTX_reset(ctx);
  if (!ok) {
    OPENSSL_cleanse(out.data(), out.size());
  }
  return ok;
}

struct Sha256::State
{
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256()
  : m_state(std::make_unique<State>())
{
  m_state->ctx = EVP_MD_CTX_new();
  if (m_state->ctx == nullptr
      || EVP_DigestInit_ex(m_state->ctx, sha256_md(), nullptr) != 1) {
    throw std::runtime_error("EVP_DigestInit_ex(sha256) failed");
  }
}

Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

Sha256::~Sha256()
{
  if (m_state) {
    EVP_MD_CTX_free(m_state->ctx);
  }
}

void
Sha256::update(ByteView data)
{
  EVP_DigestUpdate(m_state->ctx, data.data(), data.size());
}

Digest
Sha256::finish()
{
  Digest digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(m_state->ctx, digest.data(), &length);
  return digest;
}

Digest
sha256(ByteView data)
{
  Digest digest{};
  unsigned int length = 0;
  if (EVP_Digest(
        data.data(), data.size(), digest.data(), &length, sha256_md(), nullptr)
      != 1) {
    throw std::runtime_error("EVP_Digest(sha256) failed");
  }
  return digest;
}

std::string
sha256_hex(ByteView data)
{
  return to_hex(sha256(data));
}

namespace {

// HMAC-SHA-256 (RFC 2104) of the concatenated `pieces`, on the SHA-256 fetched
// once. Every age file costs three HKDFs and an HMAC: OpenSSL's EVP_KDF parses
// its parameters and looks its digest up under a lock on every call (8 us a
// derivation here), and libsodium's SHA-256 does not use the CPU's SHA
// extensions; this takes about 2 us. The context and the key blocks are
// wiped.
Digest
hmac_pieces(ByteView key, std::initializer_list<ByteView> pieces)
{
  constexpr std::size_t k_block = 64;
  std::array<std::uint8_t, k_block> block{};
  if (key.size() > k_block) {
    Digest hashed = sha256(key);
    std::copy(hashed.begin(), hashed.end(), block.begin());
    sodium_memzero(hashed.data(), hashed.size());
  } else {
    std::copy(key.begin(), key.end(), block.begin());
  }
  std::array<std::uint8_t, k_block> pad{};
  Digest inner{};
  Digest mac{};
  unsigned int length = 0;
  EVP_MD_CTX* ctx = hmac_digest_context();
  bool ok = true;
  for (std::size_t i = 0; i < k_block; ++i) {
    pad[i] = block[i] ^ 0x36U;
  }
  ok = ok && EVP_DigestInit_ex(ctx, sha256_md(), nullptr) == 1
       && EVP_DigestUpdate(ctx, pad.data(), pad.size()) == 1;
  for (const ByteView piece : pieces) {
    ok = ok
         && (piece.empty()
             || EVP_DigestUpdate(ctx, piece.data(), piece.size()) == 1);
  }
  ok = ok && EVP_DigestFinal_ex(ctx, inner.data(), &length) == 1;
  for (std::size_t i = 0; i < k_block; ++i) {
    pad[i] = block[i] ^ 0x5cU;
  }
  ok = ok && EVP_DigestInit_ex(ctx, sha256_md(), nullptr) == 1
       && EVP_DigestUpdate(ctx, pad.data(), pad.size()) == 1
       && EVP_DigestUpdate(ctx, inner.data(), inner.size()) == 1
       && EVP_DigestFinal_ex(ctx, mac.data(), &length) == 1;
  // Started afresh, so the context keeps no state derived from the key.
  ok = EVP_DigestInit_ex(ctx, sha256_md(), nullptr) == 1 && ok;
  sodium_memzero(block.data(), block.size());
  sodium_memzero(pad.data(), pad.size());
  sodium_memzero(inner.data(), inner.size());
  if (!ok) {
    throw std::runtime_error("HMAC-SHA-256 failed");
  }
  return mac;
}

} // namespace

// RFC 5869. An empty salt is "HashLen zero bytes" (2.2), which as an HMAC key
// is the same all-zero block.
SecretBytes
hkdf_sha256(ByteView ikm,
            ByteView salt,
            std::string_view info,
            std::size_t length)
{
  constexpr std::size_t k_hash = 32;
  if (length > 255 * k_hash) {
    throw std::invalid_argument("HKDF-SHA-256 output too long");
  }
  Digest prk = hmac_pieces(salt, {ikm});
  SecretBytes out(length);
  Digest block{};
  std::uint8_t counter = 1;
  for (std::size_t done = 0; done < length; ++counter) {
    block = hmac_pieces(prk,
                        {ByteView(block).first(counter == 1 ? 0 : k_hash),
                         as_bytes(info),
                         ByteView(&counter, 1)});
    const std::size_t n = std::min(k_hash, length - done);
    std::copy_n(block.begin(), n, out.data() + done);
    done += n;
  }
  sodium_memzero(prk.data(), prk.size());
  sodium_memzero(block.data(), block.size());
  return out;
}

Digest
hmac_sha256(ByteView key, ByteView data)
{
  return hmac_pieces(key, {data});
}

void
random_bytes(std::uint8_t* out, std::size_t size)
{
  randombytes_buf(out, size);
}

Bytes
random_bytes(std::size_t size)
{
  Bytes out(size);
  randombytes_buf(out.data(), size);
  return out;
}

} // namespace custody
