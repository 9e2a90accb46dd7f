// The term list file `custody terms --set` reads: any bytes either are
// refused (naming a line) or give a list that terms_from_json takes back, each
// term UTF-8, non-empty and within its bound.
#include "fuzz.hpp"

#include <custody/base/utf8.hpp>
#include <custody/redact/record.hpp>

#include <cstdlib>
#include <string_view>

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = custody::redact::parse_term_file(text);
  if (!parsed) {
    if (parsed.error().message.find("line ") == std::string::npos) {
      std::abort();
    }
    return 0;
  }
  auto terms = custody::redact::terms_from_json(*parsed);
  if (!terms || terms->size() != parsed->size()) {
    std::abort();
  }
  for (const auto& term : *terms) {
    if (term.text.empty() || term.text.size() > 200
        || custody::utf8::first_invalid(term.text).has_value()) {
      std::abort();
    }
  }
  return 0;
}
