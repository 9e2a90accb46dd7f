// Text redaction: see text.hpp and docs/decisions.md "Text redaction (issue
// 17)" for what is matched and why.
//
// The input is checked as UTF-8, then prepared once: Unicode format
// characters (zero-width joiners, soft hyphens, bidi controls) dropped and
// each normalisation segment put in NFKC (full-width digits become ASCII),
// with a map from every prepared byte back to the input bytes it came from.
// Every matcher reads the prepared text; every span is mapped back and grown
// to whole words of the input before spans are merged.
#include <custody/base/utf8.hpp>
#include <custody/redact/text.hpp>

#include <fmt/core.h>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumbermatch.h>
#include <phonenumbers/phonenumbermatcher.h>
#include <phonenumbers/phonenumberutil.h>
#include <re2/re2.h>
#include <unicode/brkiter.h>
#include <unicode/dtfmtsym.h>
#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

namespace custody::redact {

namespace {

using PhoneUtil = i18n::phonenumbers::PhoneNumberUtil;

// Which spelling a word is in, for the comparisons across scripts.
enum class Script { latin, cyrillic, devanagari, other };

// A word reduced for comparison: `plain` is NFKC case-folded, transliterated
// to Latin and then ASCII by ICU ("Any-Latin; Latin-ASCII"), letters and
// digits only; `loose` also folds the spellings romanisations disagree on
// (see loosen).
struct WordKey
{
  std::string plain;
  std::string loose;
  Script script = Script::other;
};

// A word of the prepared text, with the input bytes it came from.
struct Word
{
  std::size_t begin = 0; // input bytes
  std::size_t end = 0;
  const WordKey* key = nullptr;
};

struct Needle
{
  std::vector<WordKey> words;
  Kind kind = Kind::name;
};

// A removal before merging.
struct Raw
{
  std::size_t begin = 0;
  std::size_t end = 0;
  Kind kind = Kind::name;
  std::string replacement;
  // Found by libphonenumber's lenient matcher only: dropped when a date or
  // time holds it (POSSIBLE takes "2025-03-14" for a number).
  bool weak = false;
};

// Higher wins when spans of different kinds overlap.
int
priority(Kind kind)
{
  switch (kind) {
  case Kind::coordinates:
    return 9;
  case Kind::email:
    return 8;
  case Kind::url:
    return 7;
  case Kind::id:
    return 6;
  case Kind::phone:
    return 5;
  case Kind::handle:
    return 4;
  case Kind::name:
    return 3;
  case Kind::place:
    return 2;
  case Kind::date:
    return 1;
  }
  return 0;
}

icu::UnicodeString
to_u16(std::string_view text)
{
  return icu::UnicodeString::fromUTF8(
    icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
}

std::string
to_u8(const icu::UnicodeString& text)
{
  std::string out;
  text.toUTF8String(out);
  return out;
}

// The spellings romanisations disagree on, folded: English-style digraphs
// against ISO 9 (ICU's Cyrillic-Latin: "Chebet" and "Čebet" both "cebet"),
// iotated vowels ("Yulia", "Julia" and "Ûliâ"), y/j/i, doubled letters.
std::string
loosen(std::string_view plain)
{
  static const std::pair<std::string_view, std::string_view> rules[] = {
    {"shch", "s"}, {"sch", "s"}, {"sh", "s"}, {"ch", "c"}, {"zh", "z"},
    {"kh", "h"},   {"ts", "c"},  {"ph", "f"}, {"th", "t"}, {"yu", "u"},
    {"ju", "u"},   {"ya", "a"},  {"ja", "a"}, {"ye", "e"}, {"je", "e"},
    {"yo", "e"},   {"jo", "e"},  {"y", "i"},  {"j", "i"},  {"w", "v"},
    {"x", "ks"},   {"q", "k"},
  };
  std::string out;
  out.reserve(plain.size());
  for (std::size_t i = 0; i < plain.size();) {
    bool done = false;
    for (const auto& [from, to] : rules) {
      if (plain.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        done = true;
        break;
      }
    }
    if (!done) {
      out += plain[i++];
    }
  }
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Devanagari written in Latin drops the inherent vowel ICU spells out
// ("Reshma", "रेशमा" read "resama"): compared without the a's after the
// first letter.
std::string
skeleton(std::string_view loose)
{
  std::string out;
  for (std::size_t i = 0; i < loose.size(); ++i) {
    if (i == 0 || loose[i] != 'a') {
      out += loose[i];
    }
  }
  return out;
}

bool
all_vowels(std::string_view text)
{
  return text.find_first_not_of("aeiouyj") == std::string_view::npos;
}

// Endings in the ASCII spellings of ICU's romanisation and of loosen():
// the case endings of Russian and Ukrainian nouns and names.
const std::set<std::string, std::less<>> slavic_endings = {
  "a",   "u",   "y",   "i",  "e",   "o",   "om",  "em",  "oj",  "ej",
  "oi",  "ei",  "ou",  "eu", "ov",  "ev",  "ym",  "im",  "ogo", "ego",
  "omu", "emu", "ami", "ah", "ih",  "yh",  "ja",  "ju",  "ia",  "iu",
  "ya",  "yu",  "ye",  "ie", "oju", "eju", "oiu", "eiu", "oio", "eio",
};
// Spanish diminutives.
const std::set<std::string, std::less<>> spanish_endings = {
  "ito",
  "ita",
  "itos",
  "itas",
  "cito",
  "cita",
  "ecito",
  "ecita",
  "illo",
  "illa",
  "ico",
  "ica",
  "in",
  "ina",
  "ic",
  "it",
};
// Swahili noun-class and relational prefixes written onto a name.
const std::string_view swahili_prefixes[] = {
  "ki", "ka", "wa", "m", "mw", "mu", "u", "ku", "kwa", "na", "ni", "ya", "vi"};

struct Language
{
  bool slavic = false;
  bool spanish = false;
  bool swahili = false;
};

Language
language_of(std::string_view tag)
{
  const auto primary = tag.substr(0, tag.find('-'));
  Language out;
  out.slavic = primary == "ru" || primary == "uk" || primary == "be";
  out.spanish = primary == "es";
  out.swahili = primary == "sw";
  return out;
}

// `text` is `needle` inflected: an ending for a stem of it, a diminutive, a
// prefix, or an English possessive.
bool
inflected(std::string_view text,
          std::string_view needle,
          bool slavic,
          Language language)
{
  if (needle.size() < 3 || text.size() <= needle.size() - 2) {
    return false;
  }
  if (text.size() == needle.size() + 1 && text.back() == 's'
      && text.substr(0, needle.size()) == needle) {
    return true;
  }
  const auto with_ending = [&](const std::set<std::string, std::less<>>& set) {
    for (std::size_t strip = 0; strip <= 2 && strip < needle.size(); ++strip) {
      const auto stem = needle.substr(0, needle.size() - strip);
      if (stem.size() < 3 || !all_vowels(needle.substr(stem.size()))) {
        break;
      }
      if (text.size() > stem.size() && text.substr(0, stem.size()) == stem
          && set.contains(text.substr(stem.size()))) {
        return true;
      }
    }
    return false;
  };
  if (slavic && with_ending(slavic_endings)) {
    return true;
  }
  if (language.spanish && with_ending(spanish_endings)) {
    return true;
  }
  if (language.swahili && text.size() > needle.size()
      && text.substr(text.size() - needle.size()) == needle) {
    const auto prefix = text.substr(0, text.size() - needle.size());
    for (auto p : swahili_prefixes) {
      if (prefix == p) {
        return true;
      }
    }
  }
  return false;
}

bool
word_matches(const WordKey& text, const WordKey& needle, Language language)
{
  if (text.plain.empty() || needle.plain.empty()) {
    return false;
  }
  if (text.plain == needle.plain) {
    return true;
  }
  const bool slavic = language.slavic || text.script == Script::cyrillic;
  if (text.script == needle.script) {
    return inflected(text.plain, needle.plain, slavic, language);
  }
  if (text.loose == needle.loose
      || inflected(text.loose, needle.loose, slavic, language)) {
    return true;
  }
  if (text.script == Script::devanagari
      || needle.script == Script::devanagari) {
    const auto a = skeleton(text.loose);
    return a.size() >= 3 && a == skeleton(needle.loose);
  }
  return false;
}

// Input offsets of every byte of the prepared text.
struct Prepared
{
  std::string text;
  std::vector<std::size_t> begin; // per byte of `text`: its segment's start
  std::vector<std::size_t> end;   // ... and end, in the input
  icu::UnicodeString u16;
  std::vector<std::size_t> u16_to_8; // size u16.length() + 1

  // The input range of prepared bytes [from, to), to non-empty.
  std::pair<std::size_t, std::size_t>
  input(std::size_t from, std::size_t to) const
  {
    return {begin[from], end[to - 1]};
  }
};

bool
is_ascii(std::string_view text)
{
  return std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x80;
  });
}

bool
ascii_alnum(char c)
{
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
         || (c >= 'A' && c <= 'Z');
}

bool
ascii_digit(char c)
{
  return c >= '0' && c <= '9';
}

char
ascii_upper(char c)
{
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string
digits_of(std::string_view text)
{
  std::string out;
  for (char c : text) {
    if (ascii_digit(c)) {
      out += c;
    }
  }
  return out;
}

// The letters and digits of an ID number, upper case.
std::string
compact(std::string_view text)
{
  std::string out;
  for (char c : text) {
    if (ascii_alnum(c)) {
      out += ascii_upper(c);
    }
  }
  return out;
}

// Every place `target` (letters and digits, compared in upper case) is
// written in `text` with single separators between its characters, not glued
// to more of them. Phones take only digits and a leading '+'.
template<typename Add>
void
find_compact(std::string_view text,
             std::string_view target,
             std::string_view separators,
             bool digits_only,
             Add add)
{
  if (target.empty()) {
    return;
  }
  const auto unit = [&](char c) {
    return digits_only ? ascii_digit(c) : ascii_alnum(c);
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!unit(text[i]) || (i > 0 && unit(text[i - 1]))
        || ascii_upper(text[i]) != target[0]) {
      continue;
    }
    std::size_t j = i;
    std::size_t k = 0;
    while (j < text.size() && k < target.size()) {
      if (unit(text[j])) {
        if (ascii_upper(text[j]) != target[k]) {
          break;
        }
        ++k;
        ++j;
      } else if (k > 0 && separators.find(text[j]) != std::string_view::npos) {
        std::size_t next = j + 1;
        while (next < text.size() && next - j < 3
               && separators.find(text[next]) != std::string_view::npos) {
          ++next;
        }
        if (next >= text.size() || !unit(text[next])) {
          break;
        }
        j = next;
      } else {
        break;
      }
    }
    if (k == target.size() && (j == text.size() || !unit(text[j]))) {
      std::size_t from = i;
      if (digits_only && from > 0 && text[from - 1] == '+') {
        --from;
      }
      add(from, j);
    }
  }
}

bool
has_letter_or_digit(std::string_view text)
{
  for (std::int32_t i = 0; i < static_cast<std::int32_t>(text.size());) {
    UChar32 c = 0;
    U8_NEXT(text, i, static_cast<std::int32_t>(text.size()), c);
    if (c >= 0 && u_isalnum(c) != 0) {
      return true;
    }
  }
  return false;
}

std::string_view
trim(std::string_view text)
{
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// Calls `each` with the submatches of every match of `re` in `text`.
template<typename Each>
void
for_each_match(const RE2& re, std::string_view text, Each each)
{
  const int groups = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> match(static_cast<std::size_t>(groups));
  std::size_t at = 0;
  const re2::StringPiece whole(text.data(), text.size());
  while (at <= text.size()
         && re.Match(
           whole, at, text.size(), RE2::UNANCHORED, match.data(), groups)) {
    const auto begin = static_cast<std::size_t>(match[0].data() - text.data());
    const auto end = begin + match[0].size();
    each(match, begin, end);
    at = end > begin ? end : begin + 1;
  }
}

RE2::Options
re_options(bool case_insensitive, bool longest)
{
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingUTF8);
  options.set_case_sensitive(!case_insensitive);
  options.set_longest_match(longest);
  options.set_log_errors(false);
  options.set_max_mem(64 << 20);
  return options;
}

// Month names of one language and English, for the date patterns.
struct Dates
{
  std::unique_ptr<RE2> day_month;
  std::unique_ptr<RE2> month_day;
};

bool
letter_at(std::string_view text, std::size_t offset)
{
  if (offset >= text.size()) {
    return false;
  }
  auto i = static_cast<std::int32_t>(offset);
  UChar32 c = 0;
  U8_NEXT(text, i, static_cast<std::int32_t>(text.size()), c);
  return c >= 0 && u_isalpha(c) != 0;
}

bool
letter_before(std::string_view text, std::size_t offset)
{
  if (offset == 0) {
    return false;
  }
  auto i = static_cast<std::int32_t>(offset);
  UChar32 c = 0;
  // U8_PREV casts its string to a pointer: it needs data().
  U8_PREV(text.data(), 0, i, c); // NOLINT(readability-simplify-subscript-expr)
  return c >= 0 && u_isalpha(c) != 0;
}

} // namespace

std::string_view
kind_name(Kind kind)
{
  switch (kind) {
  case Kind::name:
    return "NAME";
  case Kind::phone:
    return "PHONE";
  case Kind::email:
    return "EMAIL";
  case Kind::url:
    return "URL";
  case Kind::handle:
    return "HANDLE";
  case Kind::place:
    return "PLACE";
  case Kind::id:
    return "ID";
  case Kind::coordinates:
    return "COORDINATES";
  case Kind::date:
    return "DATE";
  }
  return "NAME";
}

std::string
placeholder(Kind kind)
{
  return fmt::format("[{}]", kind_name(kind));
}

struct Redactor::State
{
  std::vector<std::string> regions;
  std::vector<std::unique_ptr<RE2>> id_patterns;
  const icu::Normalizer2* nfkc = nullptr;
  const icu::Normalizer2* fold = nullptr;
  std::unique_ptr<icu::Transliterator> to_ascii;
  std::unique_ptr<RE2> email;
  std::unique_ptr<RE2> url;
  std::unique_ptr<RE2> bare_domain;
  std::unique_ptr<RE2> map_host;
  std::unique_ptr<RE2> handle;
  std::unique_ptr<RE2> geo_uri;
  std::unique_ptr<RE2> decimal_pair;
  std::unique_ptr<RE2> hemisphere_pair;
  std::unique_ptr<RE2> dms;
  std::unique_ptr<RE2> plus_code;
  std::unique_ptr<RE2> iso_date;
  std::unique_ptr<RE2> numeric_date;
  std::unique_ptr<RE2> clock_time;
  std::unique_ptr<RE2> am_pm;
  // Made on first use, by language.
  mutable std::map<std::string, Dates, std::less<>> dates;
  mutable std::
    map<std::string, std::unique_ptr<icu::BreakIterator>, std::less<>>
      words;
  mutable std::unordered_map<std::u16string, WordKey> keys;

  const WordKey& key(const icu::UnicodeString& word) const;
  WordKey make_key(std::string_view text) const;
  icu::BreakIterator& breaker(const std::string& language) const;
  const Dates& dates_for(const std::string& language) const;
  Prepared prepare(std::string_view text) const;
  std::vector<Word> split(const Prepared& prepared,
                          const std::string& language) const;
  std::vector<WordKey> needle_words(std::string_view value,
                                    const std::string& language) const;
};

const WordKey&
Redactor::State::key(const icu::UnicodeString& word) const
{
  std::u16string id(word.getBuffer(), static_cast<std::size_t>(word.length()));
  if (auto found = keys.find(id); found != keys.end()) {
    return found->second;
  }
  WordKey out;
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString folded = fold->normalize(word, status);
  if (U_FAILURE(status) != 0) {
    folded = word;
  }
  for (std::int32_t i = 0; i < folded.length();) {
    const UChar32 c = folded.char32At(i);
    if (u_isalpha(c) != 0) {
      UErrorCode script_status = U_ZERO_ERROR;
      const auto script = uscript_getScript(c, &script_status);
      out.script = script == USCRIPT_LATIN        ? Script::latin
                   : script == USCRIPT_CYRILLIC   ? Script::cyrillic
                   : script == USCRIPT_DEVANAGARI ? Script::devanagari
                                                  : Script::other;
      break;
    }
    i += U16_LENGTH(c);
  }
  bool ascii = true;
  for (std::int32_t i = 0; i < folded.length(); ++i) {
    ascii = ascii && folded.charAt(i) < 0x80;
  }
  if (!ascii) {
    to_ascii->transliterate(folded);
  }
  for (std::int32_t i = 0; i < folded.length(); ++i) {
    const char16_t c = folded.charAt(i);
    if (c < 0x80 && ascii_alnum(static_cast<char>(c))) {
      out.plain += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
  }
  out.loose = loosen(out.plain);
  return keys.emplace(std::move(id), std::move(out)).first->second;
}

icu::BreakIterator&
Redactor::State::breaker(const std::string& language) const
{
  if (auto found = words.find(language); found != words.end()) {
    return *found->second;
  }
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::BreakIterator> made(
    icu::BreakIterator::createWordInstance(icu::Locale(language.c_str()),
                                           status));
  if (U_FAILURE(status) != 0 || !made) {
    status = U_ZERO_ERROR;
    made.reset(
      icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
  }
  return *words.emplace(language, std::move(made)).first->second;
}

Prepared
Redactor::State::prepare(std::string_view text) const
{
  Prepared out;
  if (is_ascii(text)) {
    out.text = std::string(text);
    out.begin.resize(text.size());
    out.end.resize(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
      out.begin[i] = i;
      out.end[i] = i + 1;
    }
  } else {
    out.text.reserve(text.size());
    icu::UnicodeString segment;
    std::size_t segment_begin = 0;
    const auto append =
      [&](const icu::UnicodeString& units, std::size_t from, std::size_t to) {
        const auto bytes = to_u8(units);
        out.text += bytes;
        out.begin.insert(out.begin.end(), bytes.size(), from);
        out.end.insert(out.end.end(), bytes.size(), to);
      };
    const auto flush = [&](std::size_t to) {
      if (segment.isEmpty() != 0) {
        return;
      }
      UErrorCode status = U_ZERO_ERROR;
      const auto normal = nfkc->normalize(segment, status);
      append(U_FAILURE(status) != 0 ? segment : normal, segment_begin, to);
      segment.remove();
    };
    const auto size = static_cast<std::int32_t>(text.size());
    for (std::int32_t i = 0; i < size;) {
      const auto from = static_cast<std::size_t>(i);
      UChar32 c = 0;
      U8_NEXT(text, i, size, c);
      const auto to = static_cast<std::size_t>(i);
      if (u_charType(c) == U_FORMAT_CHAR) {
        flush(from);
        continue;
      }
      if (nfkc->isInert(c) != 0) {
        flush(from);
        append(icu::UnicodeString(c), from, to);
        continue;
      }
      if (nfkc->hasBoundaryBefore(c) != 0) {
        flush(from);
      }
      if (segment.isEmpty() != 0) {
        segment_begin = from;
      }
      segment.append(c);
    }
    flush(text.size());
  }
  out.u16 = to_u16(out.text);
  out.u16_to_8.reserve(static_cast<std::size_t>(out.u16.length()) + 1);
  std::size_t byte = 0;
  for (std::int32_t i = 0; i < out.u16.length(); ++i) {
    out.u16_to_8.push_back(byte);
    const char16_t unit = out.u16.charAt(i);
    if (U16_IS_LEAD(unit)) {
      continue; // the trail unit carries the four bytes
    }
    const UChar32 c = U16_IS_TRAIL(unit) && i > 0
                        ? U16_GET_SUPPLEMENTARY(out.u16.charAt(i - 1), unit)
                        : unit;
    byte += static_cast<std::size_t>(U8_LENGTH(c));
  }
  out.u16_to_8.push_back(byte);
  return out;
}

std::vector<Word>
Redactor::State::split(const Prepared& prepared,
                       const std::string& language) const
{
  std::vector<Word> out;
  auto& iterator = breaker(language);
  iterator.setText(prepared.u16);
  std::int32_t start = iterator.first();
  for (std::int32_t end = iterator.next(); end != icu::BreakIterator::DONE;
       start = end, end = iterator.next()) {
    if (iterator.getRuleStatus() < UBRK_WORD_NUMBER) {
      continue;
    }
    const auto from = prepared.u16_to_8[static_cast<std::size_t>(start)];
    const auto to = prepared.u16_to_8[static_cast<std::size_t>(end)];
    if (to <= from) {
      continue;
    }
    icu::UnicodeString word(prepared.u16, start, end - start);
    const auto [begin, stop] = prepared.input(from, to);
    out.push_back({begin, stop, &key(word)});
  }
  return out;
}

std::vector<WordKey>
Redactor::State::needle_words(std::string_view value,
                              const std::string& language) const
{
  const auto prepared = prepare(value);
  std::vector<WordKey> out;
  for (const auto& word : split(prepared, language)) {
    if (!word.key->plain.empty()) {
      out.push_back(*word.key);
    }
  }
  return out;
}

const Dates&
Redactor::State::dates_for(const std::string& language) const
{
  if (auto found = dates.find(language); found != dates.end()) {
    return found->second;
  }
  std::set<std::string> wide;
  std::set<std::string> abbreviated;
  for (const auto& tag : {language, std::string("en")}) {
    UErrorCode status = U_ZERO_ERROR;
    icu::DateFormatSymbols symbols(icu::Locale(tag.c_str()), status);
    if (U_FAILURE(status) != 0) {
      continue;
    }
    const auto add = [&](std::set<std::string>& into,
                         icu::DateFormatSymbols::DtContextType context,
                         icu::DateFormatSymbols::DtWidthType width) {
      std::int32_t count = 0;
      const auto* months = symbols.getMonths(count, context, width);
      for (std::int32_t i = 0; i < count; ++i) {
        UErrorCode normal_status = U_ZERO_ERROR;
        auto name = to_u8(nfkc->normalize(months[i], normal_status));
        while (!name.empty() && name.back() == '.') {
          name.pop_back();
        }
        if (U_SUCCESS(normal_status) != 0 && name.size() >= 3) {
          into.insert(RE2::QuoteMeta(name));
        }
      }
    };
    add(wide, icu::DateFormatSymbols::FORMAT, icu::DateFormatSymbols::WIDE);
    add(wide, icu::DateFormatSymbols::STANDALONE, icu::DateFormatSymbols::WIDE);
    add(abbreviated,
        icu::DateFormatSymbols::FORMAT,
        icu::DateFormatSymbols::ABBREVIATED);
  }
  const auto join = [](const std::set<std::string>& names) {
    std::string out;
    for (const auto& name : names) {
      out += (out.empty() ? "" : "|") + name;
    }
    return out;
  };
  std::set<std::string> any = wide;
  any.insert(abbreviated.begin(), abbreviated.end());
  Dates made;
  // 14 March 2025, 14th of March, 14 de marzo de 2025, 14 марта 2025 г.
  made.day_month = std::make_unique<RE2>(
    fmt::format(
      R"((\d{{1,2}})(?:st|nd|rd|th|\.|-?го|-?е)?(?:\s+(?:of|de|ya))?\s+({})\.?(?:,?\s+(?:de\s+|del\s+)?(\d{{4}})(?:\s*(?:г\.|года|р\.|року))?)?)",
      join(any)),
    re_options(true, true));
  // March 14, 2025
  made.month_day = std::make_unique<RE2>(
    fmt::format(R"(({})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?)",
                join(wide)),
    re_options(true, true));
  return dates.emplace(language, std::move(made)).first->second;
}

Redactor::Redactor(std::unique_ptr<State> state)
  : m_state(std::move(state))
{
}
Redactor::Redactor(Redactor&&) noexcept = default;
Redactor& Redactor::operator=(Redactor&&) noexcept = default;
Redactor::~Redactor() = default;

Result<Redactor>
Redactor::create(const Policy& policy)
{
  auto state = std::make_unique<State>();
  auto* util = PhoneUtil::GetInstance();
  std::set<std::string> supported;
  util->GetSupportedRegions(&supported);
  for (const auto& region : policy.phone_regions) {
    if (!supported.contains(region)) {
      return make_error(
        Errc::invalid_input,
        fmt::format("policy: phone region '{}' is not a region "
                    "libphonenumber knows",
                    region),
        "Give ISO 3166 region codes in capitals, such as GB (not UK), KE, "
        "ES, RU, IN.");
    }
    state->regions.push_back(region);
  }
  for (std::size_t i = 0; i < policy.id_patterns.size(); ++i) {
    auto re =
      std::make_unique<RE2>(policy.id_patterns[i], re_options(false, true));
    if (!re->ok()) {
      return make_error(
        Errc::invalid_input,
        fmt::format("policy: national ID pattern {} does not compile: {}",
                    i + 1,
                    re->error()),
        "Write the pattern in RE2 syntax (no look-around, no "
        "backreferences).");
    }
    state->id_patterns.push_back(std::move(re));
  }
  UErrorCode status = U_ZERO_ERROR;
  state->nfkc = icu::Normalizer2::getNFKCInstance(status);
  state->fold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  state->to_ascii.reset(icu::Transliterator::createInstance(
    "Any-Latin; Latin-ASCII", UTRANS_FORWARD, status));
  if (U_FAILURE(status) != 0 || !state->to_ascii) {
    return make_error(Errc::internal,
                      fmt::format("ICU: the normaliser or transliterator "
                                  "could not be made: {}",
                                  u_errorName(status)));
  }
  const auto make = [](const char* pattern, bool fold = true) {
    return std::make_unique<RE2>(pattern, re_options(fold, false));
  };
  state->email =
    make(R"([\pL\pN._%+\-]+@[\pL\pN\-]+(?:\.[\pL\pN\-]+)*\.\pL{2,})");
  state->url = make(R"((?:https?://|www\.)[^\s<>"“”«»]+)");
  state->bare_domain = make(
    R"([a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:com|org|net|info|io|me|co|app|ly|link|ke|tz|ug|rw|ru|ua|by|kz|in|es|mx|ar|cl|pe|uk|de|fr)(?:/[^\s<>"“”«»]*)?)");
  state->map_host = make(
    R"((?:google\.[a-z.]+/maps|maps\.google\.|goo\.gl/maps|maps\.app\.goo\.gl|openstreetmap\.org|osm\.org|maps\.apple\.com|yandex\.[a-z]+/maps|2gis\.))");
  state->handle =
    make(R"((?:^|[^\pL\pN_.@/])(@[\pL\pN_](?:[\pL\pN_.]{0,28}[\pL\pN_])?))");
  state->geo_uri = make(
    R"(geo:[-+]?\d{1,3}(?:\.\d+)?,\s*[-+]?\d{1,3}(?:\.\d+)?(?:[,;][^\s]*)?)");
  state->decimal_pair = make(
    R"([-+−]?\d{1,2}\.\d{4,}(?:\s*°)?\s+[-+−]?\d{1,3}\.\d{4,}(?:\s*°)?|[-+−]?\d{1,2}\.\d{3,}(?:\s*°)?\s*[,;/]\s*[-+−]?\d{1,3}\.\d{3,}(?:\s*°)?)");
  state->hemisphere_pair = make(
    R"(\d{1,3}(?:[.,]\d+\s*°?|\s*°)\s*[NSnsСЮсю]\.?\s*,?\s*\d{1,3}(?:[.,]\d+\s*°?|\s*°)\s*[EWewВЗвз]|[NSns]\s*\d{1,3}(?:\.\d+)?\s*°?\s*,?\s*[EWew]\s*\d{1,3}(?:\.\d+)?\s*°?)");
  state->dms = make(
    R"(\d{1,3}\s*°\s*\d{1,2}(?:[.,]\d+)?\s*(?:'|′|’)(?:\s*\d{1,2}(?:[.,]\d+)?\s*(?:"|″|”|′′|''|’’)?)?(?:\s*(?:[сю]\.?\s*ш\.?|[вз]\.?\s*д\.?|[NSEWnsewСЮВЗсювз]))?)");
  state->plus_code = std::make_unique<RE2>(
    R"([23456789CFGHJMPQRVWX]{4,8}\+[23456789CFGHJMPQRVWX]{2,3})",
    re_options(false, false));
  state->iso_date = std::make_unique<RE2>(
    R"((\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)",
    re_options(false, true));
  state->numeric_date =
    std::make_unique<RE2>(R"((\d{1,2})([./-])(\d{1,2})([./-])(\d{4}|\d{2}))",
                          re_options(false, true));
  state->clock_time = std::make_unique<RE2>(
    R"((\d{1,2})(?::|h)(\d{2})(?::\d{2})?(?:\s*(?:[ap]\.?\s?m|hrs|h))?)",
    re_options(true, true));
  state->am_pm =
    std::make_unique<RE2>(R"((\d{1,2})\s*[ap]\.?m)", re_options(true, true));
  for (const auto* re : {state->email.get(),
                         state->url.get(),
                         state->bare_domain.get(),
                         state->map_host.get(),
                         state->handle.get(),
                         state->geo_uri.get(),
                         state->decimal_pair.get(),
                         state->hemisphere_pair.get(),
                         state->dms.get(),
                         state->plus_code.get(),
                         state->iso_date.get(),
                         state->numeric_date.get(),
                         state->clock_time.get(),
                         state->am_pm.get()}) {
    if (!re->ok()) {
      return make_error(
        Errc::internal,
        fmt::format("redaction pattern does not compile: {}", re->error()));
    }
  }
  return Redactor(std::move(state));
}

namespace {

// A value to find: its text as given (found literally too) and its kind.
struct Value
{
  std::string_view text;
  Kind kind;
  // Only the whole value, not each of its words.
  bool whole_only = false;
};

// Checks every value and term: UTF-8, and a letter or digit in it.
Result<void>
check_value(std::string_view what, std::string_view value)
{
  if (auto bad = utf8::first_invalid(value)) {
    return make_error(
      Errc::invalid_input,
      fmt::format("{}: invalid UTF-8 at byte {}", what, *bad),
      "Correct the value in the record; it must be UTF-8 text.");
  }
  if (!trim(value).empty() && !has_letter_or_digit(value)) {
    return make_error(Errc::invalid_input,
                      fmt::format("{}: has no letter or digit", what),
                      "Correct or remove the value: redaction matches "
                      "words, and it has none.");
  }
  return {};
}

void
add_identity_values(const Identity& person,
                    std::vector<Value>& values,
                    std::vector<std::string_view>& phones,
                    std::vector<std::string_view>& ids)
{
  for (const auto& name : person.names) {
    values.push_back({name, Kind::name});
  }
  for (const auto& alias : person.aliases) {
    values.push_back({alias, Kind::name});
  }
  for (const auto& email : person.emails) {
    values.push_back({email, Kind::email, true});
    const auto at = std::string_view(email).find('@');
    if (at != std::string_view::npos && at >= 3) {
      values.push_back(
        {std::string_view(email).substr(0, at), Kind::email, true});
    }
  }
  if (!trim(person.address).empty()) {
    values.push_back({person.address, Kind::place});
  }
  for (const auto& phone : person.phones) {
    values.push_back({phone, Kind::phone, true});
    phones.push_back(phone);
  }
  for (const auto& id : person.id_numbers) {
    values.push_back({id, Kind::id, true});
    ids.push_back(id);
  }
}

// The parts of a place worth finding alone: each part between commas, and
// each run of capitalised words ("Kilindini Road", "Mombasa").
std::vector<std::string>
place_parts(std::string_view place)
{
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= place.size()) {
    auto comma = place.find_first_of(",;", start);
    if (comma == std::string_view::npos) {
      comma = place.size();
    }
    const auto part = trim(place.substr(start, comma - start));
    if (part.size() >= 4 && part.size() < place.size()) {
      out.emplace_back(part);
    }
    start = comma + 1;
  }
  // Runs of words that start with a capital letter (ICU's notion).
  // A single capitalised first word is how a phrase starts ("Lodge 44"), not
  // a name of its own.
  std::string run;
  std::size_t run_words = 0;
  bool run_first = false;
  const auto flush = [&] {
    const auto kept = trim(run);
    if (kept.size() >= 4 && !(run_first && run_words == 1)) {
      out.emplace_back(kept);
    }
    run.clear();
    run_words = 0;
  };
  std::size_t i = 0;
  while (i < place.size()) {
    auto end = place.find_first_of(" \t\n,;()", i);
    if (end == std::string_view::npos) {
      end = place.size();
    }
    const auto word = place.substr(i, end - i);
    if (!word.empty()) {
      std::int32_t k = 0;
      UChar32 c = 0;
      U8_NEXT(word, k, static_cast<std::int32_t>(word.size()), c);
      if (c >= 0 && u_isupper(c) != 0) {
        if (run.empty()) {
          run_first = i == 0;
        }
        run += std::string(word) + " ";
        ++run_words;
      } else {
        flush();
      }
    }
    if (end < place.size() && place[end] != ' ') {
      flush();
    }
    i = end + 1;
  }
  flush();
  return out;
}

} // namespace

Result<Redaction>
Redactor::redact(const TextInput& input) const
{
  const auto& s = *m_state;
  if (auto bad = utf8::first_invalid(input.text)) {
    return make_error(Errc::invalid_input,
                      fmt::format("narrative: invalid UTF-8 at byte {}", *bad),
                      "The text must be UTF-8; convert it to UTF-8 first.");
  }
  // The word keys are kept between texts (names and common words recur); a
  // bound keeps a long batch from growing without end.
  if (s.keys.size() > 200000) {
    s.keys.clear();
  }
  std::vector<Value> values;
  std::vector<std::string_view> own_phones;
  std::vector<std::string_view> own_ids;
  add_identity_values(input.own, values, own_phones, own_ids);
  for (const auto& other : input.others) {
    add_identity_values(other, values, own_phones, own_ids);
  }
  std::vector<std::string> parts;
  if (!trim(input.location).empty()) {
    values.push_back({input.location, Kind::place});
  }
  for (const auto& term : input.terms) {
    values.push_back(
      {term.text, term.kind == Kind::place ? Kind::place : Kind::name});
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    CUSTODY_TRY(check_value(
      fmt::format("identity value {} ({})", i + 1, kind_name(values[i].kind)),
      values[i].text));
  }
  for (const auto& value : values) {
    if (value.kind == Kind::place) {
      for (auto& part : place_parts(value.text)) {
        parts.push_back(std::move(part));
      }
    }
  }

  const auto prepared = s.prepare(input.text);
  const auto& text = prepared.text;
  const auto words = s.split(prepared, input.language);
  const auto language = language_of(input.language);
  std::vector<Raw> raw;
  const auto add = [&](std::size_t from, std::size_t to, Kind kind) {
    if (to > from) {
      const auto [begin, end] = prepared.input(from, to);
      raw.push_back({begin, end, kind, placeholder(kind)});
    }
  };

  // Identity values and terms: literally, then word by word.
  std::vector<Needle> needles;
  const auto add_needle = [&](std::string_view value, Kind kind, bool whole) {
    auto keys = s.needle_words(value, input.language);
    if (keys.empty()) {
      return;
    }
    if (keys.size() > 1) {
      WordKey joined;
      for (const auto& k : keys) {
        joined.plain += k.plain;
      }
      joined.script = keys.front().script;
      joined.loose = loosen(joined.plain);
      needles.push_back({{joined}, kind});
      if (!whole) {
        for (const auto& k : keys) {
          if (k.plain.size() >= 2
              && !std::all_of(k.plain.begin(), k.plain.end(), ascii_digit)) {
            needles.push_back({{k}, kind});
          }
        }
      }
    }
    needles.push_back({std::move(keys), kind});
  };
  for (const auto& value : values) {
    const auto kept = trim(value.text);
    if (kept.empty()) {
      continue;
    }
    for (auto at = input.text.find(kept); at != std::string_view::npos;
         at = input.text.find(kept, at + 1)) {
      raw.push_back(
        {at, at + kept.size(), value.kind, placeholder(value.kind)});
    }
    // An address or place is found whole, and by its parts below.
    add_needle(kept, value.kind, value.whole_only || value.kind == Kind::place);
  }
  for (const auto& part : parts) {
    add_needle(part, Kind::place, true);
  }
  // The words of one value are written next to each other: spaces, a
  // hyphen, a dot or comma, format characters between them, not a sentence.
  const auto joins = [&](const Word& a, const Word& b) {
    const auto gap = input.text.substr(a.end, b.begin - a.end);
    return gap.size() <= 12 && std::all_of(gap.begin(), gap.end(), [](char c) {
             return static_cast<unsigned char>(c) >= 0x80
                    || std::string_view(" \t\r\n-.,'").find(c)
                         != std::string_view::npos;
           });
  };
  for (std::size_t i = 0; i < words.size(); ++i) {
    for (const auto& needle : needles) {
      const auto n = needle.words.size();
      if (i + n > words.size()) {
        continue;
      }
      bool all = true;
      for (std::size_t k = 0; k < n && all; ++k) {
        all = word_matches(*words[i + k].key, needle.words[k], language)
              && (k == 0 || joins(words[i + k - 1], words[i + k]));
      }
      if (all) {
        raw.push_back({words[i].begin,
                       words[i + n - 1].end,
                       needle.kind,
                       placeholder(needle.kind)});
      }
    }
  }

  // The record's phones and ID numbers however they are spaced.
  auto* util = PhoneUtil::GetInstance();
  for (auto phone : own_phones) {
    const auto all = digits_of(phone);
    if (all.size() < 4) {
      continue;
    }
    std::set<std::string> targets = {all};
    std::string national;
    for (const auto& region :
         s.regions.empty() ? std::vector<std::string>{"ZZ"} : s.regions) {
      i18n::phonenumbers::PhoneNumber parsed;
      if (util->Parse(std::string(phone), region, &parsed)
          == PhoneUtil::NO_PARSING_ERROR) {
        util->GetNationalSignificantNumber(parsed, &national);
        if (national.size() >= 6) {
          targets.insert(national);
        }
      }
    }
    if (all.size() > 9) {
      targets.insert(all.substr(all.size() - 9));
    }
    for (const auto& target : std::set<std::string>(targets)) {
      for (const char* trunk : {"0", "8"}) {
        if (target.size() >= 6 && target.size() <= 10) {
          targets.insert(trunk + target);
        }
      }
    }
    for (const auto& target : targets) {
      find_compact(
        text, target, " -.()/", true, [&](std::size_t from, std::size_t to) {
          add(from, to, Kind::phone);
        });
    }
  }
  for (auto id : own_ids) {
    std::set<std::string> targets;
    std::string joined;
    std::size_t start = 0;
    while (start < id.size()) {
      auto end = id.find_first_of(" \t", start);
      if (end == std::string_view::npos) {
        end = id.size();
      }
      const auto token = id.substr(start, end - start);
      if (std::any_of(token.begin(), token.end(), ascii_digit)) {
        const auto key = compact(token);
        joined += key;
        if (key.size() >= 5) {
          targets.insert(key);
        }
      }
      start = end + 1;
    }
    if (joined.size() >= 4) {
      targets.insert(joined);
    }
    for (const auto& target : targets) {
      find_compact(
        text, target, " -./", false, [&](std::size_t from, std::size_t to) {
          add(from, to, Kind::id);
        });
    }
  }

  // Phone numbers of the policy's regions. The matcher reads only the
  // stretches around runs of digits (six or more, near each other, with a
  // margin for a '+', a bracket or a word before): fewer than six digits is
  // a year or a count, not a number to call, and the matcher's regular
  // expressions cost by the byte.
  std::vector<std::pair<std::size_t, std::size_t>> windows;
  {
    std::size_t first = 0;
    std::size_t last = 0;
    std::size_t digits = 0;
    const auto close = [&] {
      if (digits >= 6) {
        auto from = first >= 8 ? first - 8 : 0;
        auto to = std::min(text.size(), last + 9);
        while (from > 0
               && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) {
          --from;
        }
        while (to < text.size()
               && (static_cast<unsigned char>(text[to]) & 0xC0) == 0x80) {
          ++to;
        }
        windows.emplace_back(from, to);
      }
      digits = 0;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (!ascii_digit(text[i])) {
        continue;
      }
      if (digits > 0 && i - last > 12) {
        close();
      }
      if (digits == 0) {
        first = i;
      }
      last = i;
      ++digits;
    }
    close();
  }
  for (const auto& [from, to] : windows) {
    const std::string window = text.substr(from, to - from);
    // Once every digit of the stretch is in a number found, the next
    // regions can only find those numbers again.
    std::vector<bool> covered(window.size(), false);
    const auto all_covered = [&] {
      for (std::size_t i = 0; i < window.size(); ++i) {
        if (ascii_digit(window[i]) && !covered[i]) {
          return false;
        }
      }
      return true;
    };
    // Without a region, numbers written in international form (+254 ...)
    // are still numbers: libphonenumber's unknown region "ZZ" finds those.
    for (const auto& region :
         s.regions.empty() ? std::vector<std::string>{"ZZ"} : s.regions) {
      if (all_covered()) {
        break;
      }
      i18n::phonenumbers::PhoneNumberMatcher matcher(
        *util,
        window,
        region,
        i18n::phonenumbers::PhoneNumberMatcher::POSSIBLE,
        std::numeric_limits<int>::max());
      i18n::phonenumbers::PhoneNumberMatch match;
      while (matcher.HasNext()) {
        matcher.Next(&match);
        if (digits_of(match.raw_string()).size() < 6) {
          continue;
        }
        add(from + static_cast<std::size_t>(match.start()),
            from + static_cast<std::size_t>(match.end()),
            Kind::phone);
        raw.back().weak = true;
        std::fill(
          covered.begin() + match.start(), covered.begin() + match.end(), true);
      }
    }
  }

  // E-mails, links, handles, coordinates, national IDs.
  for_each_match(*s.email, text, [&](auto&, std::size_t from, std::size_t to) {
    add(from, to, Kind::email);
  });
  const auto add_link = [&](std::size_t from, std::size_t to) {
    while (to > from
           && std::string_view(".,;:!?)]}'").find(text[to - 1])
                != std::string_view::npos) {
      --to;
    }
    const auto link = std::string_view(text).substr(from, to - from);
    const bool map = RE2::PartialMatch(
      re2::StringPiece(link.data(), link.size()), *s.map_host);
    add(from, to, map ? Kind::coordinates : Kind::url);
  };
  for_each_match(*s.url, text, [&](auto&, std::size_t from, std::size_t to) {
    if (!letter_before(text, from)) {
      add_link(from, to);
    }
  });
  for_each_match(
    *s.bare_domain, text, [&](auto&, std::size_t from, std::size_t to) {
      if (from == 0
          || std::string_view("@./").find(text[from - 1])
               == std::string_view::npos) {
        add_link(from, to);
      }
    });
  for_each_match(*s.handle, text, [&](auto& match, std::size_t, std::size_t) {
    const auto from = static_cast<std::size_t>(match[1].data() - text.data());
    add(from, from + match[1].size(), Kind::handle);
  });
  for (const auto* re : {s.geo_uri.get(),
                         s.decimal_pair.get(),
                         s.hemisphere_pair.get(),
                         s.dms.get(),
                         s.plus_code.get()}) {
    for_each_match(*re, text, [&](auto&, std::size_t from, std::size_t to) {
      add(from, to, Kind::coordinates);
    });
  }
  for (const auto& re : s.id_patterns) {
    for_each_match(*re, text, [&](auto&, std::size_t from, std::size_t to) {
      add(from, to, Kind::id);
    });
  }

  // Dates to the month, times out. Found with keep_dates too, so that a date
  // kept is not taken for a phone number.
  std::vector<Raw> dates_found;
  {
    const auto digit_at = [&](std::size_t at) {
      return at < text.size() && ascii_digit(text[at]);
    };
    const auto add_date = [&](std::size_t from,
                              std::size_t to,
                              std::string replacement) {
      if (to > from) {
        const auto [begin, end] = prepared.input(from, to);
        dates_found.push_back({begin, end, Kind::date, std::move(replacement)});
      }
    };
    const auto piece = [&](const re2::StringPiece& p) {
      return std::string(p.data(), p.size());
    };
    for_each_match(
      *s.iso_date, text, [&](auto& m, std::size_t from, std::size_t to) {
        if ((from == 0 || !ascii_digit(text[from - 1])) && !digit_at(to)) {
          add_date(from, to, piece(m[1]) + "-" + piece(m[2]));
        }
      });
    for_each_match(
      *s.numeric_date, text, [&](auto& m, std::size_t from, std::size_t to) {
        if ((from > 0 && ascii_digit(text[from - 1])) || digit_at(to)
            || m[2] != m[4]) {
          return;
        }
        const int first = std::stoi(piece(m[1]));
        const int second = std::stoi(piece(m[3]));
        if (first < 1 || second < 1 || first > 31 || second > 31
            || (first > 12 && second > 12)) {
          return;
        }
        // Day first unless the first cannot be a day's month partner.
        const auto month = first > 12 ? m[3] : (second > 12 ? m[1] : m[3]);
        add_date(from, to, piece(month) + piece(m[2]) + piece(m[5]));
      });
    const auto& dates = s.dates_for(input.language);
    for_each_match(
      *dates.day_month, text, [&](auto& m, std::size_t from, std::size_t to) {
        const auto month_end =
          static_cast<std::size_t>(m[2].data() - text.data()) + m[2].size();
        if ((from > 0 && ascii_digit(text[from - 1]))
            || letter_at(text, month_end)) {
          return;
        }
        const auto month_from =
          static_cast<std::size_t>(m[2].data() - text.data());
        add_date(from, to, text.substr(month_from, to - month_from));
      });
    for_each_match(
      *dates.month_day, text, [&](auto& m, std::size_t from, std::size_t to) {
        if (letter_before(text, from) || digit_at(to)
            || letter_at(text, from + m[1].size())) {
          return;
        }
        std::string replacement = piece(m[1]);
        if (!m[3].empty()) {
          replacement += " " + piece(m[3]);
        }
        add_date(from, to, replacement);
      });
    for_each_match(
      *s.clock_time, text, [&](auto& m, std::size_t from, std::size_t to) {
        if ((from > 0
             && (ascii_alnum(text[from - 1]) || text[from - 1] == ':'
                 || text[from - 1] == '.'))
            || digit_at(to) || letter_at(text, to)) {
          return;
        }
        if (std::stoi(piece(m[1])) > 24 || std::stoi(piece(m[2])) > 59) {
          return;
        }
        add_date(from, to, placeholder(Kind::date));
      });
    for_each_match(
      *s.am_pm, text, [&](auto& m, std::size_t from, std::size_t to) {
        if ((from > 0 && ascii_alnum(text[from - 1])) || letter_at(text, to)) {
          return;
        }
        const int hour = std::stoi(piece(m[1]));
        if (hour >= 1 && hour <= 12) {
          add_date(from, to, placeholder(Kind::date));
        }
      });
  }

  std::erase_if(raw, [&](const Raw& span) {
    return span.weak
           && std::any_of(
             dates_found.begin(), dates_found.end(), [&](const Raw& date) {
               return date.begin <= span.begin && span.end <= date.end;
             });
  });
  if (!input.keep_dates) {
    raw.insert(raw.end(),
               std::make_move_iterator(dates_found.begin()),
               std::make_move_iterator(dates_found.end()));
  }

  // Whole words: a span that starts or ends inside a word takes all of it.
  for (auto& span : raw) {
    auto it = std::upper_bound(
      words.begin(),
      words.end(),
      span.begin,
      [](std::size_t at, const Word& w) { return at < w.end; });
    if (it != words.end() && it->begin < span.begin) {
      span.begin = it->begin;
      if (span.kind == Kind::date) {
        span.replacement = placeholder(Kind::date);
      }
    }
    it = std::upper_bound(
      words.begin(), words.end(), span.end, [](std::size_t at, const Word& w) {
        return at < w.end;
      });
    if (it != words.end() && it->begin < span.end && span.end < it->end) {
      span.end = it->end;
      if (span.kind == Kind::date) {
        span.replacement = placeholder(Kind::date);
      }
    }
  }

  // Merge: overlapping or touching spans become one, of the kind that
  // protects most; coordinates written as two halves become one.
  std::sort(raw.begin(), raw.end(), [](const Raw& a, const Raw& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  Redaction out;
  std::vector<bool> mixed;
  for (auto& span : raw) {
    if (!out.spans.empty()) {
      auto& last = out.spans.back();
      bool join = span.begin <= last.end;
      if (!join && span.kind == Kind::coordinates
          && last.kind == Kind::coordinates) {
        const auto gap = input.text.substr(last.end, span.begin - last.end);
        join = gap.find_first_not_of(" ,;/") == std::string_view::npos;
      }
      if (join) {
        if (span.end > last.end || span.kind != last.kind) {
          mixed.back() = true;
        }
        last.end = std::max(last.end, span.end);
        if (priority(span.kind) > priority(last.kind)) {
          last.kind = span.kind;
        }
        continue;
      }
    }
    out.spans.push_back(
      {span.begin, span.end, span.kind, std::move(span.replacement)});
    mixed.push_back(false);
  }
  for (std::size_t i = 0; i < out.spans.size(); ++i) {
    if (mixed[i] || out.spans[i].kind != Kind::date) {
      out.spans[i].replacement = placeholder(out.spans[i].kind);
    }
  }

  // The output, and the check that no value survived in it (placeholders
  // masked: a value "NAME" is not in "[NAME]"). A date's month kept next to
  // other text could spell one; then dates become placeholders too.
  for (int attempt = 0; attempt < 2; ++attempt) {
    out.text.clear();
    std::string masked;
    std::size_t at = 0;
    for (const auto& span : out.spans) {
      const auto kept = input.text.substr(at, span.begin - at);
      out.text += kept;
      out.text += span.replacement;
      masked += kept;
      masked += span.replacement == placeholder(span.kind) ? std::string("\xff")
                                                           : span.replacement;
      at = span.end;
    }
    out.text += input.text.substr(at);
    masked += input.text.substr(at);
    bool clean = true;
    for (const auto& value : values) {
      const auto kept = trim(value.text);
      if (!kept.empty() && masked.find(kept) != std::string::npos) {
        clean = false;
        break;
      }
    }
    if (clean) {
      for (const auto& span : out.spans) {
        ++out.counts[static_cast<std::size_t>(span.kind)];
      }
      return out;
    }
    for (auto& span : out.spans) {
      span.replacement = placeholder(span.kind);
    }
  }
  return make_error(Errc::internal,
                    "redaction: an identity value is still in the output; "
                    "nothing was produced");
}

} // namespace custody::redact
