// What custody reads before a passphrase and from its agent: --ttl, an agent's
// status answer, and the member line of vault.yaml (an unsigned cache anyone
// with write access can change).
#include "fuzz.hpp"

#include <custody/keys/agent.hpp>
#include <custody/vault/vault.hpp>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  custody::fuzz::start();
  const std::string_view text = custody::fuzz::text(data, size);
  (void)custody::agent::parse_ttl(text);
  if (auto status = custody::agent::parse_status(text)) {
    if (status->key_id.size() != 32 || status->left.count() < 0) {
      std::abort();
    }
  }
  (void)custody::vault::role_in_vault_yaml(text,
                                           "0123456789abcdef0123456789abcdef");
  return 0;
}
