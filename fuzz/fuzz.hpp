// Shared by the fuzz targets: libsodium started once, the input as views.
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/crypto/crypto.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace custody::fuzz {

inline void
start()
{
  static const bool started = crypto_init().has_value();
  if (!started) {
    std::abort();
  }
}

inline ByteView
bytes(const std::uint8_t* data, std::size_t size)
{
  return {data, size};
}

inline std::string_view
text(const std::uint8_t* data, std::size_t size)
{
  return {reinterpret_cast<const char*>(data), size};
}

} // namespace custody::fuzz
