// verify --deep, the part of verification that reads every object.
#pragma once

#include <custody/base/error.hpp>
#include <custody/vault/vault.hpp>

#include <atomic>
#include <cstdint>
#include <functional>

namespace custody::verify {

// Every payload the member can open is decrypted and its commitment checked;
// every attachment's plaintext is hashed against the SHA-256 recorded when it
// was attached; an object the member cannot open is hashed against its name.
struct DeepReport
{
  std::uint64_t documents = 0;
  std::uint64_t attachments = 0;
  std::uint64_t bytes = 0;
  // payloads the member's keys do not open
  std::uint64_t sealed = 0;
};
[[nodiscard]] Result<DeepReport> deep(
  vault::Vault& vault,
  const std::atomic<bool>* cancel,
  const std::function<void(std::uint64_t done, std::uint64_t total)>& progress);

} // namespace custody::verify
