// X25519 of the base point in batches: RFC 7748's keys, every share against
// libsodium's ladder, a batch against its scalars one at a time, and the
// scalars at the edges of clamping.
#include <custody/crypto/x25519.hpp>

#include <doctest/doctest.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

using namespace custody;

namespace {

using Share = std::array<std::uint8_t, 32>;

SecretBytes
scalar_from_hex(std::string_view hex)
{
  auto bytes = from_hex(hex);
  REQUIRE(bytes);
  REQUIRE(bytes->size() == 32);
  return SecretBytes::copy_of(*bytes);
}

std::vector<SecretBytes>
random_scalars(std::size_t count)
{
  std::vector<SecretBytes> scalars;
  for (std::size_t i = 0; i < count; ++i) {
    scalars.push_back(SecretBytes::random(32));
  }
  return scalars;
}

std::vector<Share>
batch(std::span<const SecretBytes> scalars)
{
  std::vector<Share> shares(scalars.size());
  x25519::base_batch(scalars, shares);
  return shares;
}

// libsodium's Montgomery ladder, the reference every share must equal.
Share
ladder(const SecretBytes& scalar)
{
  Share share{};
  REQUIRE(crypto_scalarmult_base(share.data(), scalar.data()) == 0);
  return share;
}

} // namespace

TEST_SUITE_BEGIN("x25519");

TEST_CASE("the public keys of RFC 7748 section 6.1 from their private keys")
{
  // The module multiplies the base point only, so these are its known
  // answers; section 5.2's vectors take an arbitrary u.
  std::vector<SecretBytes> scalars;
  scalars.push_back(scalar_from_hex(
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  scalars.push_back(scalar_from_hex(
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  const char* alice =
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
  const char* bob =
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
  const auto both = batch(scalars);
  CHECK(to_hex(both[0]) == alice);
  CHECK(to_hex(both[1]) == bob);
  CHECK(to_hex(batch({&scalars[0], 1})[0]) == alice);
  CHECK(to_hex(batch({&scalars[1], 1})[0]) == bob);
}

TEST_CASE("a batch gives each scalar the share it gets alone")
{
  // A batch shares one inversion among its members: a mistake in the walk
  // back through the prefix products would show as one member's share
  // depending on its neighbours.
  for (const std::size_t size : {1U, 2U, 7U, 64U}) {
    const auto scalars = random_scalars(size);
    const auto together = batch(scalars);
    for (std::size_t i = 0; i < size; ++i) {
      CHECK_MESSAGE(together[i] == batch({&scalars[i], 1})[0],
                    "batch of ",
                    size,
                    ", share ",
                    i);
    }
  }
}

TEST_CASE("edge scalars: zero, zero once clamped, and all ones")
{
  // libsodium's Edwards multiply refuses an all-zero scalar, so base_batch
  // falls back to the ladder for it and keeps a 1 in its place in the shared
  // inversion; the scalar holding only the bits clamping clears is the same
  // scalar once clamped (2^254) but takes the Edwards path.
  SecretBytes zero(32);
  std::fill_n(zero.data(), 32, 0x00);
  SecretBytes cleared(32);
  std::fill_n(cleared.data(), 32, 0x00);
  cleared.data()[0] = 0x07;
  cleared.data()[31] = 0x80;
  SecretBytes ones(32);
  std::fill_n(ones.data(), 32, 0xff);

  const Share zero_share = batch({&zero, 1})[0];
  CHECK(zero_share == ladder(zero));
  CHECK(batch({&cleared, 1})[0] == zero_share);
  CHECK(batch({&ones, 1})[0] == ladder(ones));

  std::vector<SecretBytes> mixed = random_scalars(6);
  mixed[1] = SecretBytes::copy_of(zero.view());
  mixed[3] = SecretBytes::copy_of(ones.view());
  mixed[4] = SecretBytes::copy_of(cleared.view());
  const auto shares = batch(mixed);
  for (std::size_t i = 0; i < mixed.size(); ++i) {
    CHECK_MESSAGE(shares[i] == ladder(mixed[i]), "share ", i);
  }
}

TEST_CASE("ephemeral shares made in batches are X25519 of the base point")
{
  // Batches of 1 (no shared inversion), odd and full sizes, and the scalars
  // that stress the conversion: all-zero and all-one bytes before clamping.
  for (const std::size_t size : {1U, 2U, 7U, 32U, 257U}) {
    std::vector<SecretBytes> scalars;
    for (std::size_t i = 0; i < size; ++i) {
      scalars.push_back(SecretBytes::random(32));
    }
    std::fill_n(scalars[0].data(), 32, 0x00);
    std::fill_n(scalars[size - 1].data(), 32, 0xff);
    std::vector<std::array<std::uint8_t, 32>> shares(size);
    x25519::base_batch(scalars, shares);
    for (std::size_t i = 0; i < size; ++i) {
      std::array<std::uint8_t, 32> expected{};
      REQUIRE(crypto_scalarmult_base(expected.data(), scalars[i].data()) == 0);
      CHECK_MESSAGE(shares[i] == expected, "batch of ", size, ", share ", i);
    }
  }
}

TEST_SUITE_END();
