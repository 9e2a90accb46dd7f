// minisign public keys, secret key files and signatures.
#include "fuzz.hpp"

#include <custody/crypto/minisign.hpp>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  custody::fuzz::start();
  const auto input = custody::fuzz::text(data, size);
  static const auto key = custody::minisign::SecretKey::generate();
  (void)custody::minisign::PublicKey::from_file_text(input);
  (void)custody::minisign::PublicKey::from_base64(input);
  (void)custody::minisign::SecretKey::file_is_encrypted(input);
  (void)custody::minisign::verify(
    key.public_key(), custody::as_bytes("message"), input);
  return 0;
}
