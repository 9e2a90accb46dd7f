// A member's cache files (docs/formats.md section 10): opened with her
// identity, then the header's position read.
#include "fuzz.hpp"

#include <custody/ledger/cache_file.hpp>

#include <span>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  custody::fuzz::start();
  static const auto owner = *custody::age::X25519Identity::parse(
    "AGE-SECRET-KEY-"
    "1083NP0G6DWRLQKPCXVVUV0FK5RGU870KSKDRPMCAXDKUKSETY3RQ6JWVLZ");
  static constexpr custody::cache_file::Kind k_kind{
    "custody-state-v2\n", "custody/v1/member-state-mac"};
  auto opened =
    custody::cache_file::open(k_kind, custody::fuzz::bytes(data, size), owner);
  if (opened) {
    (void)custody::cache_file::position_of(opened->header);
  }
  // The plaintext layer alone, as if age had opened it.
  (void)custody::json::parse_canonical(custody::fuzz::text(data, size));
  return 0;
}
