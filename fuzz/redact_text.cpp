// The text redaction engine over any input: the first byte picks the
// language and keep_dates, the rest is the narrative and then identity
// values, separated by NUL bytes. Either the input is refused (bad UTF-8, a
// value with no letter or digit), or the output is valid UTF-8 and holds
// none of the values outside its placeholders.
#include "fuzz.hpp"

#include <custody/base/utf8.hpp>
#include <custody/redact/text.hpp>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

const custody::redact::Redactor&
redactor()
{
  static const auto made = [] {
    custody::redact::Policy policy;
    policy.phone_regions = {"KE", "ES", "RU", "IN", "GB"};
    policy.id_patterns = {R"(\b\d{8}[A-Z]\b)"};
    auto out = custody::redact::Redactor::create(policy);
    if (!out) {
      std::abort();
    }
    return std::move(*out);
  }();
  return made;
}

std::string_view
trimmed(std::string_view text)
{
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  using namespace custody;
  if (size == 0) {
    return 0;
  }
  static const char* const languages[] = {"en", "es", "sw", "ru", "hi", "uk"};
  redact::TextInput input;
  input.language = languages[data[0] % 6];
  input.keep_dates = (data[0] & 0x80) != 0;
  const auto rest = fuzz::text(data + 1, size - 1);
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (start <= rest.size()) {
    auto end = rest.find('\0', start);
    if (end == std::string_view::npos) {
      end = rest.size();
    }
    pieces.emplace_back(rest.substr(start, end - start));
    start = end + 1;
  }
  input.text = pieces[0];
  input.others.resize(1);
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    switch (i % 8) {
    case 1:
      input.own.names.push_back(pieces[i]);
      break;
    case 2:
      input.own.aliases.push_back(pieces[i]);
      break;
    case 3:
      input.own.phones.push_back(pieces[i]);
      break;
    case 4:
      input.own.id_numbers.push_back(pieces[i]);
      break;
    case 5:
      input.own.emails.push_back(pieces[i]);
      break;
    case 6:
      input.others[0].names.push_back(pieces[i]);
      break;
    case 7:
      // One location: the others go to the terms.
      if (input.location.empty()) {
        input.location = pieces[i];
      } else {
        input.terms.push_back({pieces[i], redact::Kind::place});
      }
      break;
    default:
      input.terms.push_back({pieces[i], redact::Kind::place});
    }
  }
  auto out = redactor().redact(input);
  if (!out) {
    if (out.error().code != Errc::invalid_input) {
      std::abort();
    }
    return 0;
  }
  if (utf8::first_invalid(out->text)) {
    std::abort();
  }
  // Placeholders masked with a byte no UTF-8 value holds.
  std::string masked = out->text;
  for (std::size_t k = 0; k < redact::kind_count; ++k) {
    const auto mark = redact::placeholder(static_cast<redact::Kind>(k));
    for (auto at = masked.find(mark); at != std::string::npos;
         at = masked.find(mark, at + 1)) {
      masked.replace(at, mark.size(), "\xff");
    }
  }
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    const auto value = trimmed(pieces[i]);
    if (!value.empty() && masked.find(value) != std::string::npos) {
      std::abort();
    }
  }
  return 0;
}
