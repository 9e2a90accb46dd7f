// X25519 of the base point, many scalars at a time: the ephemeral shares of
// the age X25519 stanzas custody writes, and the keys they belong to.

#pragma once

#include <custody/crypto/secret.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace custody::x25519 {

constexpr std::size_t k_key_size = 32;

// X25519(scalar, 9) for each scalar: the public shares of ephemeral keys.
// libsodium's Montgomery ladder takes as long for the base point as for any
// point; the same multiple computed on the birationally equivalent Edwards
// curve with its precomputed base-point table takes about a third of that, and
// the Edwards point's y gives u = (1 + y) / (1 - y). That division is a field
// inversion, a third of the cost again; Montgomery's trick shares one
// inversion among the batch (three multiplications each instead). Both curves
// clamp the scalar alike; the unit tests check every share against
// crypto_scalarmult_base.
void base_batch(std::span<const SecretBytes> scalars,
                std::span<std::array<std::uint8_t, 32>> shares);

// Ephemeral keys are made ahead, a batch at a time (base_batch), each used for
// exactly one stanza and wiped when taken. The batch grows with use, so one
// file costs one key, and a thousand files a key and a share of an inversion
// each.
class EphemeralKeys
{
public:
  struct Key
  {
    SecretBytes scalar;
    std::array<std::uint8_t, k_key_size> share{};
  };

  Key take();

private:
  static constexpr std::size_t k_largest_batch = 32;

  void refill();

  std::vector<SecretBytes> m_scalars;
  std::vector<std::array<std::uint8_t, k_key_size>> m_shares;
  std::size_t m_next = 0;
  std::size_t m_batch = 1;
};

} // namespace custody::x25519
