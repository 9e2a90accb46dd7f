// X25519 of the base point in batches, by the Edwards base-point table and one
// field inversion shared by the batch.

#include <custody/crypto/x25519.hpp>

#include <sodium.h>

#include <algorithm>
#include <utility>

namespace custody::x25519 {

namespace {

// Arithmetic modulo 2^255 - 19 in five 51-bit limbs, only to turn an Edwards
// point into its Montgomery u: it handles public values (the ephemeral share
// that goes into the stanza), so it need not be constant-time (it is anyway).
namespace field {

using Limbs = std::array<std::uint64_t, 5>;
__extension__ using Wide = unsigned __int128;
constexpr std::uint64_t k_mask = (std::uint64_t{1} << 51U) - 1;

// Limbs below 2^51 (limb 1 below 2^51 + 2^17) from sums of products.
Limbs
carried(std::array<Wide, 5> t)
{
  for (std::size_t i = 0; i < 4; ++i) {
    t[i + 1] += t[i] >> 51U;
    t[i] &= k_mask;
  }
  t[0] += 19 * (t[4] >> 51U);
  t[4] &= k_mask;
  t[1] += t[0] >> 51U;
  t[0] &= k_mask;
  return {static_cast<std::uint64_t>(t[0]),
          static_cast<std::uint64_t>(t[1]),
          static_cast<std::uint64_t>(t[2]),
          static_cast<std::uint64_t>(t[3]),
          static_cast<std::uint64_t>(t[4])};
}

Limbs
multiply(const Limbs& a, const Limbs& b)
{
  // 2^255 = 19: a product past limb 4 folds back, times 19.
  const std::uint64_t b1 = 19 * b[1];
  const std::uint64_t b2 = 19 * b[2];
  const std::uint64_t b3 = 19 * b[3];
  const std::uint64_t b4 = 19 * b[4];
  auto mul = [](std::uint64_t x, std::uint64_t y) {
    return static_cast<Wide>(x) * y;
  };
  return carried({mul(a[0], b[0]) + mul(a[1], b4) + mul(a[2], b3)
                    + mul(a[3], b2) + mul(a[4], b1),
                  mul(a[0], b[1]) + mul(a[1], b[0]) + mul(a[2], b4)
                    + mul(a[3], b3) + mul(a[4], b2),
                  mul(a[0], b[2]) + mul(a[1], b[1]) + mul(a[2], b[0])
                    + mul(a[3], b4) + mul(a[4], b3),
                  mul(a[0], b[3]) + mul(a[1], b[2]) + mul(a[2], b[1])
                    + mul(a[3], b[0]) + mul(a[4], b4),
                  mul(a[0], b[4]) + mul(a[1], b[3]) + mul(a[2], b[2])
                    + mul(a[3], b[1]) + mul(a[4], b[0])});
}

Limbs
square_times(Limbs a, int times)
{
  for (int i = 0; i < times; ++i) {
    a = multiply(a, a);
  }
  return a;
}

// a^(p - 2) = 1/a (0 for 0): the addition chain of curve25519-donna.
Limbs
invert(const Limbs& z)
{
  const Limbs z2 = square_times(z, 1);
  const Limbs z9 = multiply(square_times(z2, 2), z);
  const Limbs z11 = multiply(z9, z2);
  const Limbs z_5_0 = multiply(square_times(z11, 1), z9);
  const Limbs z_10_0 = multiply(square_times(z_5_0, 5), z_5_0);
  const Limbs z_20_0 = multiply(square_times(z_10_0, 10), z_10_0);
  const Limbs z_40_0 = multiply(square_times(z_20_0, 20), z_20_0);
  const Limbs z_50_0 = multiply(square_times(z_40_0, 10), z_10_0);
  const Limbs z_100_0 = multiply(square_times(z_50_0, 50), z_50_0);
  const Limbs z_200_0 = multiply(square_times(z_100_0, 100), z_100_0);
  const Limbs z_250_0 = multiply(square_times(z_200_0, 50), z_50_0);
  return multiply(square_times(z_250_0, 5), z11);
}

// Little-endian bytes, the top bit ignored.
Limbs
from_bytes(const std::uint8_t* in)
{
  auto load = [in](std::size_t offset) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 8; ++i) {
      value |= static_cast<std::uint64_t>(in[offset + i]) << (8 * i);
    }
    return value;
  };
  // 64-bit words holding bits 0, 51, 102, 153 and 204 at their low end.
  return {load(0) & k_mask,
          (load(6) >> 3U) & k_mask,
          (load(12) >> 6U) & k_mask,
          (load(19) >> 1U) & k_mask,
          (load(24) >> 12U) & k_mask};
}

// The canonical (fully reduced) little-endian encoding.
void
to_bytes(const Limbs& a, std::uint8_t* out)
{
  std::array<std::uint64_t, 5> t = a; // carried: each limb < 2^52
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < 4; ++i) {
      t[i + 1] += t[i] >> 51U;
      t[i] &= k_mask;
    }
    t[0] += 19 * (t[4] >> 51U);
    t[4] &= k_mask;
  }
  // Now t < 2^255 and t[0] < 2^51 + 19. Adding 19 carries into bit 255
  // exactly when t >= p; then t + 19 - 2^255 = t - p.
  t[0] += 19;
  for (std::size_t i = 0; i < 4; ++i) {
    t[i + 1] += t[i] >> 51U;
    t[i] &= k_mask;
  }
  const std::uint64_t reduce = t[4] >> 51U; // 1 when t >= p
  t[4] &= k_mask;
  // Undo the 19 unless it was reduce's: subtract 19 * (1 - reduce) with a
  // borrow through the limbs (t >= 19 here when reduce is 0).
  const std::uint64_t undo = 19 * (1 - reduce);
  std::uint64_t borrow = undo;
  for (std::size_t i = 0; i < 5; ++i) {
    const std::uint64_t next = t[i] < borrow ? 1 : 0;
    t[i] = (t[i] - borrow + (next << 51U)) & k_mask;
    borrow = next;
  }
  std::array<std::uint64_t, 4> words{t[0] | (t[1] << 51U),
                                     (t[1] >> 13U) | (t[2] << 38U),
                                     (t[2] >> 26U) | (t[3] << 25U),
                                     (t[3] >> 39U) | (t[4] << 12U)};
  for (std::size_t w = 0; w < 4; ++w) {
    for (std::size_t i = 0; i < 8; ++i) {
      out[8 * w + i] = static_cast<std::uint8_t>(words[w] >> (8 * i));
    }
  }
}

} // namespace field

} // namespace

void
base_batch(std::span<const SecretBytes> scalars,
           std::span<std::array<std::uint8_t, 32>> shares)
{
  const std::size_t n = std::min(scalars.size(), shares.size());
  if (n == 0) {
    return;
  }
  const field::Limbs one{1, 0, 0, 0, 0};
  // 1 - y as 2p + 1 - y, which keeps every limb positive.
  const field::Limbs two_p_plus_one{0xfffffffffffdbU,
                                    0xffffffffffffeU,
                                    0xffffffffffffeU,
                                    0xffffffffffffeU,
                                    0xffffffffffffeU};
  std::vector<field::Limbs> numerators(n);
  std::vector<field::Limbs> denominators(n);
  std::vector<bool> by_ladder(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    std::array<std::uint8_t, k_key_size> edwards{};
    if (crypto_scalarmult_ed25519_base(edwards.data(), scalars[i].data())
        != 0) {
      // Never, for a clamped scalar; the ladder is right for any.
      crypto_scalarmult_base(shares[i].data(), scalars[i].data());
      by_ladder[i] = true;
      numerators[i] = one;
      denominators[i] = one;
      continue;
    }
    const field::Limbs y = field::from_bytes(edwards.data());
    for (std::size_t l = 0; l < 5; ++l) {
      numerators[i][l] = one[l] + y[l];
      denominators[i][l] = two_p_plus_one[l] - y[l];
    }
  }
  // prefix[i] = d_0 * ... * d_i; one inversion of the whole product, then
  // 1/d_i = prefix[i-1] / prefix[i], walking back.
  std::vector<field::Limbs> prefix(n);
  prefix[0] = denominators[0];
  for (std::size_t i = 1; i < n; ++i) {
    prefix[i] = field::multiply(prefix[i - 1], denominators[i]);
  }
  field::Limbs inverse = field::invert(prefix[n - 1]);
  for (std::size_t i = n; i-- > 0;) {
    const field::Limbs inverse_i =
      i == 0 ? inverse : field::multiply(inverse, prefix[i - 1]);
    if (i > 0) {
      inverse = field::multiply(inverse, denominators[i]);
    }
    if (!by_ladder[i]) {
      field::to_bytes(field::multiply(numerators[i], inverse_i),
                      shares[i].data());
    }
  }
}

EphemeralKeys::Key
EphemeralKeys::take()
{
  if (m_next == m_scalars.size()) {
    refill();
  }
  Key key{std::move(m_scalars[m_next]), m_shares[m_next]};
  ++m_next;
  return key;
}

void
EphemeralKeys::refill()
{
  m_scalars.clear();
  for (std::size_t i = 0; i < m_batch; ++i) {
    m_scalars.push_back(SecretBytes::random(k_key_size));
  }
  m_shares.assign(m_batch, {});
  base_batch(m_scalars, m_shares);
  m_next = 0;
  m_batch = std::min(2 * m_batch, k_largest_batch);
}

} // namespace custody::x25519
