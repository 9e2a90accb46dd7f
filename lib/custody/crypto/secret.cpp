// SecretBytes over pooled slabs of sodium_malloc memory.
#include <custody/crypto/secret.hpp>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

namespace custody {

namespace {

// Size classes of pooled slots; a slab of each class is one sodium_malloc
// region (guard pages around it, mlocked, never dumped).
constexpr std::size_t k_classes[] = {64, 256, 1024, 4096, 16384};
constexpr std::size_t k_slab_size = 256 * 1024;

class SecretPool
{
public:
  static SecretPool&
  instance()
  {
    // Never destroyed: SecretBytes in other static objects may be released
    // after main returns.
    static auto* pool = new SecretPool;
    return *pool;
  }

  // The class index for `size`, or -1 when it is too large to pool.
  static int
  class_of(std::size_t size)
  {
    for (std::size_t i = 0; i < std::size(k_classes); ++i) {
      if (size <= k_classes[i]) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  std::uint8_t*
  take(int size_class)
  {
    const std::lock_guard<std::mutex> lock(m_mutex);
    auto& free = m_free[static_cast<std::size_t>(size_class)];
    if (free.empty()) {
      auto* slab = static_cast<std::uint8_t*>(sodium_malloc(k_slab_size));
      if (slab == nullptr) {
        throw std::bad_alloc();
      }
      sodium_memzero(slab, k_slab_size);
      const std::size_t slot = k_classes[static_cast<std::size_t>(size_class)];
      for (std::size_t offset = 0; offset + slot <= k_slab_size;
           offset += slot) {
        free.push_back(slab + offset);
      }
    }
    std::uint8_t* slot = free.back();
    free.pop_back();
    return slot;
  }

  void
  give(int size_class, std::uint8_t* slot) noexcept
  {
    sodium_memzero(slot, k_classes[static_cast<std::size_t>(size_class)]);
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_free[static_cast<std::size_t>(size_class)].push_back(slot);
  }

private:
  std::mutex m_mutex;
  std::array<std::vector<std::uint8_t*>, std::size(k_classes)> m_free;
};

} // namespace

SecretBytes::SecretBytes(std::size_t size)
  : m_size(size)
{
  const int size_class = SecretPool::class_of(size);
  if (size_class >= 0) {
    m_data = SecretPool::instance().take(size_class);
    m_capacity = k_classes[static_cast<std::size_t>(size_class)];
    return; // slots are wiped when released, so this one is zero
  }
  m_data = static_cast<std::uint8_t*>(sodium_malloc(size));
  if (m_data == nullptr) {
    throw std::bad_alloc();
  }
  m_capacity = size;
  sodium_memzero(m_data, size);
}

void
SecretBytes::release() noexcept
{
  if (m_data == nullptr) {
    return;
  }
  const int size_class = SecretPool::class_of(m_capacity);
  if (size_class >= 0
      && k_classes[static_cast<std::size_t>(size_class)] == m_capacity) {
    SecretPool::instance().give(size_class, m_data);
  } else {
    sodium_free(m_data); // wipes before unmapping
  }
  m_data = nullptr;
  m_size = 0;
  m_capacity = 0;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
  : m_data(std::exchange(other.m_data, nullptr)),
    m_size(std::exchange(other.m_size, 0)),
    m_capacity(std::exchange(other.m_capacity, 0))
{
}

SecretBytes&
SecretBytes::operator=(SecretBytes&& other) noexcept
{
  if (this != &other) {
    release();
    m_data = std::exchange(other.m_data, nullptr);
    m_size = std::exchange(other.m_size, 0);
    m_capacity = std::exchange(other.m_capacity, 0);
  }
  return *this;
}

SecretBytes::~SecretBytes()
{
  release();
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
