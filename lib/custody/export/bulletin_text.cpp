// Bulletin text: SMS parts (3GPP TS 23.038), identifiers normalised by ICU and
// libphonenumber, keyed links by the project's HMAC-SHA-256.
#include <custody/base/utf8.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/export/bulletin_text.hpp>

#include <fmt/core.h>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>

namespace custody::bundle {

namespace {

using PhoneUtil = i18n::phonenumbers::PhoneNumberUtil;

// The GSM 7-bit default alphabet (TS 23.038 6.2.1) beyond ASCII, as code
// points. Printable ASCII is all in it ('$', '@' and '_' at other places)
// except '`' and the extension table's characters below.
constexpr char32_t k_basic_non_ascii[] = {
  U'\u00A3', U'\u00A5', U'\u00E8', U'\u00E9', U'\u00F9', U'\u00EC', U'\u00F2',
  U'\u00C7', U'\u00D8', U'\u00F8', U'\u00C5', U'\u00E5', U'\u0394', U'\u03A6',
  U'\u0393', U'\u039B', U'\u03A9', U'\u03A0', U'\u03A8', U'\u03A3', U'\u0398',
  U'\u039E', U'\u00C6', U'\u00E6', U'\u00DF', U'\u00C9', U'\u00A4', U'\u00A1',
  U'\u00C4', U'\u00D6', U'\u00D1', U'\u00DC', U'\u00A7', U'\u00BF', U'\u00E4',
  U'\u00F6', U'\u00F1', U'\u00FC', U'\u00E0'};

// The extension table (6.2.1.1): an escape (0x1B) then the character.
constexpr char32_t k_extension[] = {
  U'\f', U'^', U'{', U'}', U'\\', U'[', U'~', U']', U'|', U'\u20AC'};

// The septets `c` takes, 0 when it is not in the alphabet.
std::size_t
septets_of(char32_t c)
{
  if (std::find(std::begin(k_extension), std::end(k_extension), c)
      != std::end(k_extension)) {
    return 2;
  }
  if (c == U'\n' || c == U'\r' || (c >= 0x20 && c <= 0x7E && c != U'`')) {
    return 1;
  }
  if (std::find(std::begin(k_basic_non_ascii), std::end(k_basic_non_ascii), c)
      != std::end(k_basic_non_ascii)) {
    return 1;
  }
  return 0;
}

struct CodePoint
{
  std::size_t offset; // of its first byte
  char32_t value;
};

// The code points of `text`, which is valid UTF-8.
std::vector<CodePoint>
decode(std::string_view text)
{
  std::vector<CodePoint> out;
  const char* bytes = text.data();
  const auto length = static_cast<std::int32_t>(text.size());
  std::int32_t i = 0;
  while (i < length) {
    const auto offset = static_cast<std::size_t>(i);
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    out.push_back({offset, static_cast<char32_t>(c)});
  }
  return out;
}

Result<void>
check_utf8(std::string_view text, std::string_view what)
{
  if (auto bad = utf8::first_invalid(text)) {
    return fail(
      Errc::invalid_input, "{} is not valid UTF-8 (byte {})", what, *bad);
  }
  return {};
}

icu::UnicodeString
to_u16(std::string_view text)
{
  return icu::UnicodeString::fromUTF8(
    icu::StringPiece(text.data(), static_cast<std::int32_t>(text.size())));
}

std::string
to_u8(const icu::UnicodeString& text)
{
  std::string out;
  text.toUTF8String(out);
  return out;
}

Result<icu::UnicodeString>
normalised(const icu::Normalizer2* (*instance)(UErrorCode&),
           const icu::UnicodeString& text)
{
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normaliser = instance(status);
  if (U_FAILURE(status) != 0 || normaliser == nullptr) {
    return fail(Errc::internal, "ICU's normaliser: {}", u_errorName(status));
  }
  icu::UnicodeString out = normaliser->normalize(text, status);
  if (U_FAILURE(status) != 0) {
    return fail(Errc::internal, "ICU's normaliser: {}", u_errorName(status));
  }
  return out;
}

const icu::Normalizer2*
nfkc(UErrorCode& status)
{
  return icu::Normalizer2::getNFKCInstance(status);
}

const icu::Normalizer2*
nfkc_casefold(UErrorCode& status)
{
  return icu::Normalizer2::getNFKCCasefoldInstance(status);
}

// `text` without the white space at either end.
icu::UnicodeString
trimmed(const icu::UnicodeString& text)
{
  std::int32_t begin = 0;
  std::int32_t end = text.length();
  while (begin < end && u_isUWhiteSpace(text.char32At(begin))) {
    begin = text.moveIndex32(begin, 1);
  }
  while (end > begin && u_isUWhiteSpace(text.char32At(end - 1))) {
    end = text.moveIndex32(end, -1);
  }
  return icu::UnicodeString(text, begin, end - begin);
}

} // namespace

std::size_t
gsm7_septets(std::string_view text)
{
  if (utf8::first_invalid(text)) {
    return std::numeric_limits<std::size_t>::max();
  }
  std::size_t total = 0;
  for (const auto& c : decode(text)) {
    const std::size_t septets = septets_of(c.value);
    if (septets == 0) {
      return std::numeric_limits<std::size_t>::max();
    }
    total += septets;
  }
  return total;
}

Result<SmsParts>
split_sms(
  std::string_view text,
  const std::vector<std::pair<std::size_t, std::size_t>>& protected_spans)
{
  if (auto ok = check_utf8(text, "the bulletin's text"); !ok) {
    return tl::unexpected(ok.error());
  }
  for (const auto& [begin, end] : protected_spans) {
    if (begin > end || end > text.size()) {
      return fail(Errc::invalid_input,
                  "protected span [{}, {}) is outside the text ({} bytes)",
                  begin,
                  end,
                  text.size());
    }
  }

  const auto points = decode(text);
  SmsParts out;
  out.encoding = SmsEncoding::gsm7;
  for (const auto& c : points) {
    if (septets_of(c.value) == 0) {
      out.encoding = SmsEncoding::ucs2;
      break;
    }
  }
  const bool gsm7 = out.encoding == SmsEncoding::gsm7;
  // The cost of each code point: septets, or UTF-16 units (2 for a surrogate
  // pair).
  std::vector<std::size_t> cost(points.size());
  std::size_t total = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    cost[i] =
      gsm7 ? septets_of(points[i].value) : (points[i].value > 0xFFFF ? 2 : 1);
    total += cost[i];
  }
  const std::size_t single = gsm7 ? k_gsm7_single : k_ucs2_single;
  const std::size_t limit = gsm7 ? k_gsm7_part : k_ucs2_part;
  if (total <= single) {
    out.parts.emplace_back(text);
    return out;
  }

  const auto offset_of = [&](std::size_t index) {
    return index < points.size() ? points[index].offset : text.size();
  };
  // A split before code point `index` cuts no protected span.
  const auto may_split_before = [&](std::size_t index) {
    const std::size_t offset = offset_of(index);
    return std::none_of(
      protected_spans.begin(), protected_spans.end(), [&](const auto& span) {
        return span.first < offset && offset < span.second;
      });
  };
  const auto is_space = [&](std::size_t index) {
    return points[index].value == U' ' || points[index].value == U'\n';
  };

  std::size_t start = 0;
  while (start < points.size()) {
    // The code points [start, fits) are all that one part holds.
    std::size_t fits = start;
    std::size_t used = 0;
    while (fits < points.size() && used + cost[fits] <= limit) {
      used += cost[fits];
      ++fits;
    }
    std::size_t split = fits;
    if (fits < points.size()) {
      // The last place to split that cuts no span, after a space if one fits.
      std::size_t any = start;
      std::size_t after_space = start;
      for (std::size_t at = fits; at > start; --at) {
        if (!may_split_before(at)) {
          continue;
        }
        if (any == start) {
          any = at;
        }
        if (is_space(at - 1)) {
          after_space = at;
          break;
        }
      }
      split = after_space != start ? after_space : any;
      if (split == start) {
        return fail(Errc::invalid_input,
                    "a protected span at byte {} is longer than one SMS part "
                    "({} {})",
                    offset_of(start),
                    limit,
                    gsm7 ? "septets" : "UTF-16 units");
      }
    }
    const std::size_t from = offset_of(start);
    out.parts.emplace_back(text.substr(from, offset_of(split) - from));
    start = split;
  }
  return out;
}

Result<std::string>
normalise_plate(std::string_view plate)
{
  if (auto ok = check_utf8(plate, "the plate"); !ok) {
    return tl::unexpected(ok.error());
  }
  auto compatible = normalised(nfkc, to_u16(plate));
  if (!compatible) {
    return tl::unexpected(compatible.error());
  }
  icu::UnicodeString upper = compatible->toUpper(icu::Locale::getRoot());
  icu::UnicodeString kept;
  for (std::int32_t i = 0; i < upper.length(); i = upper.moveIndex32(i, 1)) {
    const UChar32 c = upper.char32At(i);
    if (u_isUWhiteSpace(c) || u_hasBinaryProperty(c, UCHAR_DASH) || c == U'.'
        || c == 0x00B7) {
      continue;
    }
    kept.append(c);
  }
  if (kept.length() == 0) {
    return fail(Errc::invalid_input, "the plate has no letters or digits");
  }
  return to_u8(kept);
}

Result<std::string>
normalise_phone(std::string_view phone, std::string_view default_region)
{
  if (auto ok = check_utf8(phone, "the phone number"); !ok) {
    return tl::unexpected(ok.error());
  }
  auto* util = PhoneUtil::GetInstance();
  std::string region(default_region.empty() ? "ZZ" : default_region);
  std::transform(region.begin(), region.end(), region.begin(), [](char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  });
  if (region != "ZZ") {
    std::set<std::string> regions;
    util->GetSupportedRegions(&regions);
    if (!regions.contains(region)) {
      return fail(Errc::invalid_input,
                  "\"{}\" is not a region libphonenumber knows",
                  region);
    }
  }
  i18n::phonenumbers::PhoneNumber parsed;
  if (util->Parse(std::string(phone), region, &parsed)
        != PhoneUtil::NO_PARSING_ERROR
      || !util->IsPossibleNumber(parsed)) {
    return fail(Errc::invalid_input,
                "not a possible phone number (default region {})",
                region);
  }
  std::string e164;
  util->Format(parsed, PhoneUtil::E164, &e164);
  return e164;
}

Result<std::string>
normalise_handle(std::string_view handle)
{
  if (auto ok = check_utf8(handle, "the handle"); !ok) {
    return tl::unexpected(ok.error());
  }
  auto folded = normalised(nfkc_casefold, to_u16(handle));
  if (!folded) {
    return tl::unexpected(folded.error());
  }
  icu::UnicodeString kept = trimmed(*folded);
  if (kept.length() > 0 && kept.charAt(0) == u'@') {
    kept.remove(0, 1);
  }
  if (kept.length() == 0) {
    return fail(Errc::invalid_input, "the handle is empty");
  }
  return to_u8(kept);
}

std::string
link_of(ByteView key, std::string_view kind, std::string_view normalised)
{
  std::string message;
  message.reserve(kind.size() + 1 + normalised.size());
  message.append(kind).append(":").append(normalised);
  const Digest mac = hmac_sha256(key, as_bytes(message));
  return to_hex(mac);
}

std::string
html_document(std::string_view title, std::string_view body)
{
  return fmt::format(
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
    "'none'; style-src 'unsafe-inline'\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, "
    "initial-scale=1\">\n"
    "<title>{}</title>\n"
    "<style>body {{ font-family: sans-serif; line-height: 1.4; max-width: "
    "40em; margin: 1em auto; padding: 0 1em; }} h2 {{ font-size: 1.1em; "
    "margin-top: 1.5em; }}</style>\n"
    "</head>\n"
    "<body>\n"
    "{}"
    "</body>\n"
    "</html>\n",
    utf8::escape_markup(title),
    body);
}

std::string
report_band(std::size_t reports)
{
  if (reports == 0) {
    return {};
  }
  if (reports == 1) {
    return "once";
  }
  if (reports <= 4) {
    return "2-4 times";
  }
  return "5 or more times";
}

} // namespace custody::bundle
