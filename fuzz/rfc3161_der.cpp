// RFC 3161 DER: a response checked against a request, each half of the input.
#include "fuzz.hpp"

#include <custody/ledger/timestamp.hpp>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::size_t half = size / 2;
  const auto request = custody::fuzz::bytes(data, half);
  const auto response = custody::fuzz::bytes(data + half, size - half);
  (void)custody::timestamp::check_request(request, custody::as_bytes("x"));
  (void)custody::timestamp::check_response(
    request, response, custody::as_bytes("x"));
  return 0;
}
