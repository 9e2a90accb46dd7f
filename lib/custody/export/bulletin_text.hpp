// Building blocks of "Ugly Mugs" safety bulletins: SMS parts that never cut a
// plate or a phone number in two, the normalised identifiers of an aggressor
// and their keyed links (to find repeat reports without keeping the
// identifier), the bands a report count is published in, and the escaping and
// frame of the HTML channel.
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/base/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace custody::bundle {

// SMS (3GPP TS 23.038): the GSM 7-bit default alphabet and its extension
// table (form feed and ^{}\[~]|€, each an escape and a character: 2 septets);
// any character outside them makes the whole message UCS-2, counted in UTF-16
// code units.
enum class SmsEncoding { gsm7, ucs2 };

struct SmsParts
{
  SmsEncoding encoding = SmsEncoding::gsm7;
  // Concatenated, exactly the text split.
  std::vector<std::string> parts;
};

// The SMS limits: one message alone, and each part of a concatenated message
// (the rest of a part carries the 6-byte user data header).
inline constexpr std::size_t k_gsm7_single = 160;
inline constexpr std::size_t k_gsm7_part = 153;
inline constexpr std::size_t k_ucs2_single = 70;
inline constexpr std::size_t k_ucs2_part = 67;

// Splits UTF-8 `text` into SMS parts: one part if it fits 160 septets (gsm7)
// or 70 UTF-16 units (ucs2), an empty text included; otherwise parts of at
// most 153 septets or 67 units each. Never splits inside a protected span
// (`protected_spans`: byte ranges [begin, end) of `text`, a plate or a phone
// number), a UTF-8 sequence, a surrogate pair or an escape pair. Prefers to
// split after the last space (or line feed) that fits, which stays at the end
// of the earlier part. Errc::invalid_input for invalid UTF-8, a span outside
// the text, or a protected span (or overlapping spans together) longer than
// one part.
[[nodiscard]] Result<SmsParts> split_sms(
  std::string_view text,
  const std::vector<std::pair<std::size_t, std::size_t>>& protected_spans = {});

// The septets `text` takes in the GSM 7-bit alphabet, or SIZE_MAX when a
// character is outside it (or the text is not valid UTF-8).
std::size_t gsm7_septets(std::string_view text);

// Normalised identifiers of an aggressor, so that repeat reports link
// however the identifier was written. Each refuses invalid UTF-8 and an
// identifier that normalises to nothing (Errc::invalid_input).
//
// A plate: NFKC, upper case, white space, dashes and dots removed
// ("xx 000-b" gives "XX000B").
[[nodiscard]] Result<std::string> normalise_plate(std::string_view plate);
// A phone number: E.164 by libphonenumber, a national number read as one of
// `default_region` (ISO 3166 "GB", "KE", either case; "ZZ" or empty for
// international numbers only). With "GB", "07700 900123" and
// "+44 7700 900123" both give "+447700900123". Errc::invalid_input for an
// unknown region or what is not a possible number.
[[nodiscard]] Result<std::string>
normalise_phone(std::string_view phone, std::string_view default_region);
// A handle: NFKC case-folded, surrounding white space trimmed, one leading
// '@' removed ("@Mimi_X" and "mimi_x " both give "mimi_x").
[[nodiscard]] Result<std::string> normalise_handle(std::string_view handle);

// The keyed link of a normalised identifier: lower hex (64 characters) of
// HMAC-SHA-256(key, kind + ":" + normalised), kind "plate", "phone" or
// "handle". Only the key's holders can link a published identifier to one.
std::string
link_of(ByteView key, std::string_view kind, std::string_view normalised);

// How often an aggressor was reported, in bands that do not date a new report:
// "once" (1), "2-4 times" (2 to 4), "5 or more times" (5 and more); empty for
// 0, which no bulletin names.
std::string report_band(std::size_t reports);

// A complete standalone HTML5 document: doctype, <html lang="en"> (the
// bulletin's own words are English), <meta charset="utf-8">, a Content
// Security Policy that allows nothing but the inline style (no script, no
// image, no font, no connection, even if an escape were ever missed), the
// title (escaped here), a minimal inline style and `body`, which is markup
// the caller built with html_escape(). Only elements of HTML 4 as well, so
// that every HTML parser, old mail clients' included, reads it alike.
std::string html_document(std::string_view title, std::string_view body);

} // namespace custody::bundle
