// SecretBytes over sodium_malloc/sodium_free.
#include <custody/secret.hpp>

#include <sodium.h>

#include <algorithm>
#include <new>
#include <utility>

namespace custody {

SecretBytes::SecretBytes(std::size_t size)
  : m_size(size)
{
  // sodium_malloc(0) returns a valid pointer too; allocate at least one byte to
  // keep data() non-null.
  m_data =
    static_cast<std::uint8_t*>(sodium_malloc(std::max<std::size_t>(size, 1)));
  if (m_data == nullptr) {
    throw std::bad_alloc();
  }
  sodium_memzero(m_data, std::max<std::size_t>(size, 1));
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
  : m_data(std::exchange(other.m_data, nullptr)),
    m_size(std::exchange(other.m_size, 0))
{
}

SecretBytes&
SecretBytes::operator=(SecretBytes&& other) noexcept
{
  if (this != &other) {
    sodium_free(m_data);
    m_data = std::exchange(other.m_data, nullptr);
    m_size = std::exchange(other.m_size, 0);
  }
  return *this;
}

SecretBytes::~SecretBytes()
{
  sodium_free(m_data);
}

SecretBytes
SecretBytes::copy_of(ByteView bytes)
{
  SecretBytes secret(bytes.size());
  std::copy(bytes.begin(), bytes.end(), secret.m_data);
  return secret;
}

SecretBytes
SecretBytes::random(std::size_t size)
{
  SecretBytes secret(size);
  randombytes_buf(secret.m_data, size);
  return secret;
}

void
SecretBytes::truncate(std::size_t size)
{
  if (size < m_size) {
    sodium_memzero(m_data + size, m_size - size);
    m_size = size;
  }
}

bool
equal_constant_time(ByteView a, ByteView b)
{
  return a.size() == b.size()
         && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace custody
