// Canonical JSON on top of nlohmann-json, whose compact dump already escapes as
// JCS does.
#include <custody/base/canonical_json.hpp>

#include <fmt/core.h>

#include <stdexcept>
#include <unordered_set>
#include <vector>

namespace custody::json {

static bool
has_float(const Json& value)
{
  if (value.is_number_float()) {
    return true;
  }
  if (value.is_structured()) {
    for (const auto& item : value) {
      if (has_float(item)) {
        return true;
      }
    }
  }
  return false;
}

std::string
canonical(const Json& value)
{
  if (has_float(value)) {
    throw std::logic_error("canonical JSON cannot hold floating-point numbers");
  }
  // nlohmann's std::map orders keys with char_traits<char>, which compares as
  // unsigned char, so keys come out in UTF-8 byte order (= code point order).
  // Control characters become \b \f \n \r \t or \u00xx (lowercase), and nothing
  // else is escaped with ensure_ascii off.
  try {
    return value.dump(-1, ' ', false, Json::error_handler_t::strict);
  } catch (const Json::exception& e) {
    throw std::logic_error(std::string("canonical JSON: ") + e.what());
  }
}

Result<Json>
parse_strict(std::string_view text)
{
  // A stack of the keys seen in each open object, to catch duplicates the
  // library would overwrite. Sets, not lists: input files may hold objects
  // with many thousands of keys.
  std::vector<std::unordered_set<std::string>> open_objects;
  std::string duplicate;
  auto callback = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    switch (event) {
    case Json::parse_event_t::object_start:
      open_objects.emplace_back();
      break;
    case Json::parse_event_t::object_end:
      open_objects.pop_back();
      break;
    case Json::parse_event_t::key: {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!open_objects.back().insert(key).second && duplicate.empty()) {
        duplicate = key;
      }
      break;
    }
    default:
      break;
    }
    return true;
  };
  Json value;
  try {
    value = Json::parse(text.begin(), text.end(), callback);
  } catch (const Json::parse_error& e) {
    return fail(Errc::invalid_input, "invalid JSON at byte {}", e.byte);
  } catch (const Json::out_of_range&) {
    // nlohmann reports a number too large for a double (27e526) this way,
    // not as a parse error; found by fuzz/canonical_json.cpp.
    return fail(Errc::invalid_input, "invalid JSON: a number out of range");
  }
  if (!duplicate.empty()) {
    return fail(Errc::invalid_input, "duplicate key \"{}\"", duplicate);
  }
  if (has_float(value)) {
    return fail(Errc::invalid_input, "numbers must be integers");
  }
  return value;
}

Result<Json>
parse_canonical(std::string_view text)
{
  CUSTODY_ASSIGN(value, parse_strict(text));
  const std::string again = canonical(value);
  if (again != text) {
    std::size_t offset = 0;
    while (offset < again.size() && offset < text.size()
           && again[offset] == text[offset]) {
      ++offset;
    }
    return fail(Errc::invalid_input,
                "not canonical JSON (first difference at byte {})",
                offset);
  }
  return value;
}

} // namespace custody::json
