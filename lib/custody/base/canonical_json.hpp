// Canonical JSON (docs/formats.md section 3): the one byte encoding of ledger
// lines and payloads.
#pragma once

#include <custody/base/error.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace custody::json {

using Json = nlohmann::json;

// The canonical encoding. `value` must hold no floating-point numbers and only
// valid UTF-8 strings; violating that is a bug in the caller and throws
// std::logic_error.
std::string canonical(const Json& value);

// Parses `text` and requires it to be exactly the canonical encoding of the
// result (invariant 3): this rejects duplicate keys, key order, whitespace,
// floats and alternative escapes in one rule.
[[nodiscard]] Result<Json> parse_canonical(std::string_view text);

// Parses any JSON text, rejecting duplicate keys and non-integral numbers; for
// input files.
[[nodiscard]] Result<Json> parse_strict(std::string_view text);

} // namespace custody::json
