// Secret bytes in libsodium's guarded, locked memory, wiped when freed.
#pragma once

#include <custody/base/bytes.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace custody {

// Owns locked, guarded memory from libsodium, wiped when released. Secrets up
// to 16 KiB come from slabs of `sodium_malloc` memory shared by every
// SecretBytes (each slot wiped on release), because one `sodium_malloc` per key
// costs mmap, mprotect and mlock calls, whose cross-core TLB flushes made
// encrypting a batch of records ten times slower; larger ones get their own
// `sodium_malloc` allocation. Movable, not copyable: a key must never be copied
// into a std::string, a std::vector or a log line.
class SecretBytes
{
public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size);
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes();

  static SecretBytes copy_of(ByteView bytes);
  static SecretBytes random(std::size_t size);

  std::uint8_t*
  data()
  {
    return m_data;
  }
  const std::uint8_t*
  data() const
  {
    return m_data;
  }
  std::size_t
  size() const
  {
    return m_size;
  }
  bool
  empty() const
  {
    return m_size == 0;
  }
  ByteView
  view() const
  {
    return {m_data, m_size};
  }
  std::string_view
  text() const
  {
    return as_text(view());
  }
  // Shrinks the logical size; the allocation (and its wiping) is unchanged.
  void truncate(std::size_t size);

private:
  void release() noexcept;

  std::uint8_t* m_data = nullptr;
  std::size_t m_size = 0;
  std::size_t m_capacity = 0; // the slot or allocation size; 0 when empty
};

// Constant-time comparison, for MACs and keys.
bool equal_constant_time(ByteView a, ByteView b);

} // namespace custody
