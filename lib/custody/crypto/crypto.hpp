// The hash, MAC and key-derivation primitives every format module shares.
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/crypto/secret.hpp>

#include <memory>
#include <span>
#include <string_view>

namespace custody {

// Initialises libsodium; call once before anything else (main and the test
// runner do).
[[nodiscard]] Result<void> crypto_init();

Digest sha256(ByteView data);
inline Digest
sha256(std::string_view data)
{
  return sha256(as_bytes(data));
}
std::string sha256_hex(ByteView data);

// Incremental SHA-256 (OpenSSL, which uses the CPU's SHA extensions).
class Sha256
{
public:
  Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  ~Sha256();
  void update(ByteView data);
  Digest finish();

private:
  struct State;
  std::unique_ptr<State> m_state;
};

// HKDF-SHA-256 (RFC 5869), extract then expand.
SecretBytes hkdf_sha256(ByteView ikm,
                        ByteView salt,
                        std::string_view info,
                        std::size_t length);
Digest hmac_sha256(ByteView key, ByteView data);

// ChaCha20-Poly1305 (RFC 8439, 12-byte nonce) through OpenSSL, which is
// several times faster than libsodium's on CPUs with AVX-512: it carries
// age's payload, where bulk media goes. `out` is plaintext.size() + 16 bytes
// (ciphertext then tag). The context is kept per thread and the key is
// cleansed from it after each call.
[[nodiscard]] bool chacha20poly1305_seal(ByteView key,
                                         ByteView nonce,
                                         ByteView plaintext,
                                         std::span<std::uint8_t> out);
// Decrypts and checks the tag; on failure `out` is zeroed and false returned,
// so nothing unauthenticated survives. `out` is sealed.size() - 16 bytes.
[[nodiscard]] bool chacha20poly1305_open(ByteView key,
                                         ByteView nonce,
                                         ByteView sealed,
                                         std::span<std::uint8_t> out);

void random_bytes(std::uint8_t* out, std::size_t size);
Bytes random_bytes(std::size_t size);

} // namespace custody
