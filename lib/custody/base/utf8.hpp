// UTF-8 checks and decoding for input files and schema validation.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace custody::utf8 {

// The byte offset of the first byte that does not belong to well-formed UTF-8
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or
// nothing when all of `text` is valid.
std::optional<std::size_t> first_invalid(std::string_view text);

// The number of code points in `text`, which must be valid UTF-8 (each
// ill-formed byte counts as one).
std::size_t count_code_points(std::string_view text);

// Text as HTML or XML character data, for element content and quoted
// attribute values alike: & < > " ' as character references, and the
// characters neither allows in a document (C0 controls other than tab, line
// feed and carriage return; DEL) as U+FFFD, so recorded text can neither add
// markup nor make the document invalid. `text` is valid UTF-8.
std::string escape_markup(std::string_view text);

} // namespace custody::utf8
