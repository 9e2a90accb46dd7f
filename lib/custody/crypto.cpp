// SHA-256, HKDF and bulk ChaCha20-Poly1305 through OpenSSL, HMAC and
// randomness through libsodium.
#include <custody/crypto.hpp>

#include <climits>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <sodium.h>

#include <algorithm>
#include <array>
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

// One context per thread, reset for each chunk: creating one per call shows
// in profiles of large files.
EVP_CIPHER_CTX*
aead_context()
{
  struct Owner
  {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    ~Owner()
    {
      EVP_CIPHER_CTX_free(ctx);
    }
  };
  thread_local Owner owner;
  if (owner.ctx == nullptr) {
    throw std::bad_alloc();
  }
  return owner.ctx;
}

constexpr std::size_t k_aead_tag = 16;

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
    && static_cast<std::size_t>(length + final_length) == plaintext.size()
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

SecretBytes
hkdf_sha256(ByteView ikm,
            ByteView salt,
            std::string_view info,
            std::size_t length)
{
  // Fetching the algorithm is a provider lookup under a lock; do it once.
  static EVP_KDF* const kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  if (ctx == nullptr) {
    throw std::runtime_error("EVP_KDF HKDF unavailable");
  }
  char digest_name[] = "SHA256";
  OSSL_PARAM params[5];
  int n = 0;
  params[n++] =
    OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(
    OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(ikm.data()), ikm.size());
  // An empty salt means "HashLen zero bytes" (RFC 5869 2.2); OpenSSL wants it
  // omitted then.
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size());
  }
  params[n++] = OSSL_PARAM_construct_octet_string(
    OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size());
  params[n] = OSSL_PARAM_construct_end();
  SecretBytes out(length);
  const int ok = EVP_KDF_derive(ctx, out.data(), length, params);
  EVP_KDF_CTX_free(ctx);
  if (ok != 1) {
    throw std::runtime_error("HKDF-SHA-256 failed");
  }
  return out;
}

Digest
hmac_sha256(ByteView key, ByteView data)
{
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key.data(), key.size());
  crypto_auth_hmacsha256_update(&state, data.data(), data.size());
  Digest mac{};
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof state);
  return mac;
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
