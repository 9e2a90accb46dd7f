// Reading the answers of the interactive intake: dates, times, instants,
// districts, languages and vocabularies, each into the form's value.
#include <custody/base/utf8.hpp>
#include <custody/records/answers.hpp>

#include <fmt/core.h>

#include <unicode/uloc.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <mutex>
#include <set>

namespace custody::answers {

namespace {

using namespace std::chrono;

constexpr std::size_t k_short_bytes = 256;
constexpr std::size_t k_free_bytes = 65536;
constexpr std::size_t k_max_items = 64;

constexpr std::string_view k_date_example =
  "write the date as 2026-11-03 or 3 Nov 2026 (a month alone as 2026-11 or "
  "Nov 2026, a year alone as 2026)";
constexpr std::string_view k_time_example =
  "write the time as 23:40 or 11pm (11:30 pm, 07:05, noon, midnight)";

// The questions, in the order custody has always asked them: the incident,
// the person, her account, the aggressor, the team's response, consent.
constexpr Question k_questions[] = {
  {"/incident/date", Kind::date, Need::required, "", "Incident date"},
  {"/incident/date_approximate",
   Kind::yes_no,
   Need::optional,
   "",
   "Is that date approximate? [y/N]"},
  {"/incident/time", Kind::time, Need::optional, "", "Time of day"},
  {"/incident/location",
   Kind::short_text,
   Need::optional,
   "",
   "Exact place (kept in the identity compartment)"},
  {"/incident/district", Kind::district, Need::required, "", "District"},
  {"/incident/setting", Kind::choose_one, Need::optional, "setting", "Setting"},
  {"/incident/violence_types",
   Kind::choose_many,
   Need::required,
   "violence_type",
   "Types of violence or violation"},
  {"/incident/perpetrators",
   Kind::choose_many,
   Need::required,
   "perpetrator",
   "Perpetrators"},
  {"/incident/event_ref",
   Kind::reference,
   Need::optional,
   "",
   "Event reference, to group the records of one event"},
  {"/person/person_ref",
   Kind::reference,
   Need::required,
   "",
   "Person reference (your organisation's, never a name)"},
  {"/person/population",
   Kind::choose_one,
   Need::required,
   "population",
   "Population"},
  {"/person/names",
   Kind::short_list,
   Need::optional,
   "",
   "Names (separate several with ';')"},
  {"/person/aliases", Kind::short_list, Need::optional, "", "Aliases"},
  {"/person/phones", Kind::short_list, Need::optional, "", "Phone numbers"},
  {"/person/emails", Kind::short_list, Need::optional, "", "E-mail addresses"},
  {"/person/id_numbers", Kind::short_list, Need::optional, "", "ID numbers"},
  {"/person/address", Kind::short_text, Need::optional, "", "Address"},
  {"/narrative/text",
   Kind::free_text,
   Need::required,
   "",
   "The account, in the person's words"},
  {"/narrative/language",
   Kind::language,
   Need::required,
   "",
   "Language of the account"},
  {"/aggressor/description",
   Kind::line_text,
   Need::optional,
   "",
   "Aggressor: description"},
  {"/aggressor/vehicle/plate",
   Kind::short_text,
   Need::optional,
   "",
   "Vehicle plate"},
  {"/aggressor/vehicle/make",
   Kind::short_text,
   Need::optional,
   "",
   "Vehicle make"},
  {"/aggressor/vehicle/colour",
   Kind::short_text,
   Need::optional,
   "",
   "Vehicle colour"},
  {"/aggressor/phones",
   Kind::short_list,
   Need::optional,
   "",
   "Aggressor phone numbers"},
  {"/aggressor/handles",
   Kind::short_list,
   Need::optional,
   "",
   "Aggressor online handles"},
  {"/aggressor/modus_operandi",
   Kind::line_text,
   Need::optional,
   "",
   "How the aggressor operates"},
  {"/response/first_contact_at",
   Kind::instant,
   Need::optional,
   "",
   "First contact with the team (date, time, UTC offset)"},
  {"/response/actions",
   Kind::choose_many,
   Need::optional,
   "response_action",
   "Actions taken"},
  {"/response/referrals",
   Kind::choose_many,
   Need::optional,
   "referral",
   "Referrals"},
  {"/response/outcome", Kind::choose_one, Need::optional, "outcome", "Outcome"},
  {"/response/notes", Kind::free_text, Need::optional, "", "The team's notes"},
  {"/consent/scopes",
   Kind::choose_many,
   Need::required,
   "consent_scope",
   "Consent given"},
};

Error
refused(std::string message, std::string_view hint)
{
  return Error{Errc::invalid_input, std::move(message), std::string(hint)};
}

// The white space of ASCII, which the schema's `\S` does not match.
constexpr std::string_view k_space = " \t\r\n\f\v";

std::string_view
trim(std::string_view text)
{
  const auto first = text.find_first_not_of(k_space);
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(k_space);
  return text.substr(first, last - first + 1);
}

bool
has_control(std::string_view text)
{
  return std::any_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
  });
}

std::string
lower_ascii(std::string_view text)
{
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

bool
is_digit(char c)
{
  return c >= '0' && c <= '9';
}

bool
is_alpha(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool
all_digits(std::string_view text)
{
  return !text.empty() && std::all_of(text.begin(), text.end(), is_digit);
}

int
number_of(std::string_view digits)
{
  int value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

// Splits on any of `separators`, dropping empty pieces.
std::vector<std::string>
split(std::string_view text, std::string_view separators)
{
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find_first_of(separators, start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    if (end > start) {
      pieces.emplace_back(text.substr(start, end - start));
    }
    start = end + 1;
  }
  return pieces;
}

Result<std::string_view>
non_empty(std::string_view text, std::string_view what)
{
  const auto trimmed = trim(text);
  if (trimmed.empty()) {
    return tl::unexpected(
      refused(fmt::format("{} is needed", what), "type an answer"));
  }
  if (utf8::first_invalid(trimmed).has_value()) {
    return tl::unexpected(refused("the answer is not valid UTF-8",
                                  "type it again, or set the terminal to "
                                  "UTF-8"));
  }
  return trimmed;
}

Read
one(json::Json value, std::string words)
{
  Read read;
  read.readings.push_back(Reading{std::move(value), std::move(words)});
  return read;
}

// ---------------------------------------------------------------------------
// Dates.

constexpr std::array<std::string_view, 12> k_months = {"January",
                                                       "February",
                                                       "March",
                                                       "April",
                                                       "May",
                                                       "June",
                                                       "July",
                                                       "August",
                                                       "September",
                                                       "October",
                                                       "November",
                                                       "December"};

// A month by its English name or its first three letters ("sept" too).
std::optional<unsigned>
month_named(std::string_view word)
{
  std::string name = lower_ascii(word);
  if (!name.empty() && name.back() == '.') {
    name.pop_back();
  }
  if (name == "sept") {
    return 9;
  }
  for (unsigned m = 0; m < k_months.size(); ++m) {
    const std::string full = lower_ascii(k_months[m]);
    if (name == full || (name.size() == 3 && full.starts_with(name))) {
      return m + 1;
    }
  }
  return std::nullopt;
}

struct Day
{
  int year = 0;
  unsigned month = 0; // 0 when unknown
  unsigned day = 0;   // 0 when unknown
};

bool
in_calendar(const Day& date)
{
  // The form's pattern: years 1900 to 2099.
  if (date.year < 1900 || date.year > 2099 || date.month > 12) {
    return false;
  }
  if (date.day == 0) {
    return true;
  }
  return date.month != 0
         && year_month_day(
              year(date.year), month(date.month), std::chrono::day(date.day))
              .ok();
}

std::string
iso_of(const Day& date)
{
  if (date.month == 0) {
    return fmt::format("{:04}", date.year);
  }
  if (date.day == 0) {
    return fmt::format("{:04}-{:02}", date.year, date.month);
  }
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

std::string
words_of(const Day& date)
{
  if (date.month == 0) {
    return fmt::format("{}", date.year);
  }
  if (date.day == 0) {
    return fmt::format("{} {}", k_months[date.month - 1], date.year);
  }
  return fmt::format("{} {} {}", date.day, k_months[date.month - 1], date.year);
}

sys_days
first_day(const Day& date)
{
  return sys_days(year(date.year) / month(std::max(date.month, 1U))
                  / std::chrono::day(std::max(date.day, 1U)));
}

// Day and month as numbers, in that order; the caller tries both orders.
std::optional<Day>
numeric_day(int year_value, int day_value, int month_value)
{
  if (day_value < 1 || month_value < 1) {
    return std::nullopt;
  }
  Day date{year_value,
           static_cast<unsigned>(month_value),
           static_cast<unsigned>(day_value)};
  // The year's range is read_days()'s to refuse, in its own words.
  if (!year_month_day(
         year(date.year), month(date.month), std::chrono::day(date.day))
         .ok()) {
    return std::nullopt;
  }
  return date;
}

Error
two_digit_year()
{
  return refused("the year needs all four digits", k_date_example);
}

// The readings of a date, before the future is checked.
Result<std::vector<Day>>
parse_date(std::string_view text)
{
  const auto not_a_date = [] {
    return tl::unexpected(
      refused("that is not a date custody can read", k_date_example));
  };
  const bool has_letters = std::any_of(text.begin(), text.end(), is_alpha);
  if (!has_letters) {
    const auto parts = split(text, "-/. ");
    std::vector<std::size_t> sizes;
    for (const auto& part : parts) {
      if (!all_digits(part)) {
        return not_a_date();
      }
      sizes.push_back(part.size());
    }
    if (sizes.size() == 1 && sizes[0] == 4) {
      return std::vector<Day>{Day{number_of(parts[0]), 0, 0}};
    }
    if (sizes.size() == 2 && sizes[0] == 4 && sizes[1] <= 2) {
      return std::vector<Day>{Day{
        number_of(parts[0]), static_cast<unsigned>(number_of(parts[1])), 0}};
    }
    if (sizes.size() == 2 && sizes[0] <= 2 && sizes[1] == 4) {
      return std::vector<Day>{Day{
        number_of(parts[1]), static_cast<unsigned>(number_of(parts[0])), 0}};
    }
    if (sizes.size() == 3 && sizes[0] == 4 && sizes[1] <= 2 && sizes[2] <= 2) {
      return std::vector<Day>{Day{number_of(parts[0]),
                                  static_cast<unsigned>(number_of(parts[1])),
                                  static_cast<unsigned>(number_of(parts[2]))}};
    }
    if (sizes.size() == 3 && sizes[0] <= 2 && sizes[1] <= 2 && sizes[2] == 2) {
      return tl::unexpected(two_digit_year());
    }
    if (sizes.size() == 3 && sizes[0] <= 2 && sizes[1] <= 2 && sizes[2] == 4) {
      // Day first in most of the world, month first in the United States:
      // both readings that are dates, the person picks.
      const int y = number_of(parts[2]);
      const int a = number_of(parts[0]);
      const int b = number_of(parts[1]);
      std::vector<Day> both;
      for (const auto& date : {numeric_day(y, a, b), numeric_day(y, b, a)}) {
        if (date
            && std::none_of(both.begin(), both.end(), [&](const Day& seen) {
                 return seen.month == date->month && seen.day == date->day;
               })) {
          both.push_back(*date);
        }
      }
      if (both.empty()) {
        return tl::unexpected(
          refused("there is no such day in the calendar", k_date_example));
      }
      return both;
    }
    return not_a_date();
  }
  // Words: a month's name with a day and a year, or a year alone.
  std::optional<unsigned> month_value;
  std::vector<std::string> numbers; // in order
  std::vector<char> order;          // 'm' for the month, 'n' for a number
  for (auto token : split(lower_ascii(text), " ,-/")) {
    if (token == "of" || token == "the") {
      continue;
    }
    if (const auto m = month_named(token)) {
      if (month_value) {
        return not_a_date();
      }
      month_value = m;
      order.push_back('m');
      continue;
    }
    if (token.back() == '.') {
      token.pop_back();
    }
    // "3rd", "21st": ordinal suffixes on a day.
    for (const char* suffix : {"st", "nd", "rd", "th"}) {
      if (token.size() > 2 && token.ends_with(suffix)
          && all_digits(token.substr(0, token.size() - 2))) {
        token.resize(token.size() - 2);
        break;
      }
    }
    if (!all_digits(token)) {
      return not_a_date();
    }
    numbers.push_back(token);
    order.push_back('n');
  }
  if (!month_value) {
    return not_a_date();
  }
  Day date;
  date.month = *month_value;
  const std::string pattern(order.begin(), order.end());
  std::string day_text;
  std::string year_text;
  if (pattern == "mn") { // Nov 2026
    year_text = numbers[0];
  } else if (pattern == "nmn" || pattern == "mnn") { // 3 Nov 2026, Nov 3 2026
    day_text = numbers[0];
    year_text = numbers[1];
  } else {
    return not_a_date();
  }
  if (year_text.size() == 2) {
    return tl::unexpected(two_digit_year());
  }
  if (year_text.size() != 4 || day_text.size() > 2) {
    return not_a_date();
  }
  date.year = number_of(year_text);
  if (!day_text.empty()) {
    const int day_value = number_of(day_text);
    if (day_value < 1) {
      return not_a_date();
    }
    date.day = static_cast<unsigned>(day_value);
  }
  return std::vector<Day>{date};
}

Result<std::vector<Day>>
read_days(std::string_view text, const Context& context)
{
  CUSTODY_ASSIGN(found, parse_date(text));
  for (const auto& date : found) {
    if (!in_calendar(date)) {
      if (date.year < 1900 || date.year > 2099) {
        return tl::unexpected(
          refused("the year must be between 1900 and 2099", k_date_example));
      }
      return tl::unexpected(
        refused("there is no such day in the calendar", k_date_example));
    }
  }
  if (context.today) {
    // A day of slack: the incident's place may be a day ahead of this
    // computer's clock.
    const sys_days latest = *context.today + days{1};
    std::erase_if(found,
                  [&](const Day& date) { return first_day(date) > latest; });
    if (found.empty()) {
      return tl::unexpected(
        refused("that date is in the future",
                "check the year; " + std::string(k_date_example)));
    }
  }
  return found;
}

// ---------------------------------------------------------------------------
// Times.

struct Clock
{
  int hour = 0;
  int minute = 0;
  std::string_view part; // "morning", "evening", "midday", "midnight" or ""
};

std::string
clock_text(const Clock& clock)
{
  return fmt::format("{:02}:{:02}", clock.hour, clock.minute);
}

std::string
clock_words(const Clock& clock)
{
  if (clock.part.empty()) {
    return clock_text(clock);
  }
  return fmt::format("{} ({})", clock_text(clock), clock.part);
}

// With Clock24::yes (RFC 3339's own form), an hour is never read as half of
// the day.
enum class Clock24 { no, yes };

Result<std::vector<Clock>>
parse_time(std::string_view text, Clock24 clock24 = Clock24::no)
{
  const auto not_a_time = [] {
    return tl::unexpected(
      refused("that is not a time custody can read", k_time_example));
  };
  std::string compact;
  for (const char c : lower_ascii(text)) {
    if (c != ' ') {
      compact.push_back(c);
    }
  }
  for (const auto& [from, to] : {std::pair{"a.m.", "am"},
                                 std::pair{"p.m.", "pm"},
                                 std::pair{"a.m", "am"},
                                 std::pair{"p.m", "pm"}}) {
    if (compact.ends_with(from)) {
      compact.replace(compact.size() - std::string_view(from).size(),
                      std::string_view(from).size(),
                      to);
    }
  }
  if (compact == "noon" || compact == "midday") {
    return std::vector<Clock>{{12, 0, ""}};
  }
  if (compact == "midnight") {
    return std::vector<Clock>{{0, 0, ""}};
  }
  char meridiem = 0;
  if (compact.ends_with("am") || compact.ends_with("pm")) {
    meridiem = compact[compact.size() - 2];
    compact.resize(compact.size() - 2);
  }
  const auto separator = compact.find_first_of(":.h");
  std::string_view hour_text = compact;
  std::string_view minute_text;
  if (separator != std::string::npos) {
    hour_text = std::string_view(compact).substr(0, separator);
    minute_text = std::string_view(compact).substr(separator + 1);
    if (minute_text.size() != 2 || !all_digits(minute_text)) {
      return not_a_time();
    }
  }
  if (hour_text.empty() || hour_text.size() > 2 || !all_digits(hour_text)) {
    return not_a_time();
  }
  const int hour = number_of(hour_text);
  const int minute = minute_text.empty() ? 0 : number_of(minute_text);
  if (minute > 59) {
    return not_a_time();
  }
  if (meridiem != 0) {
    if (hour < 1 || hour > 12) {
      return tl::unexpected(
        refused("with am or pm, the hour is from 1 to 12", k_time_example));
    }
    const int base = hour == 12 ? 0 : hour;
    return std::vector<Clock>{{meridiem == 'p' ? base + 12 : base, minute, ""}};
  }
  if (hour > 23) {
    return not_a_time();
  }
  // "10:30" and "7" could be either half of the day; "07:30" and "19:30"
  // cannot.
  const bool leading_zero = hour_text.size() == 2 && hour_text[0] == '0';
  if (clock24 == Clock24::yes) {
    return std::vector<Clock>{{hour, minute, ""}};
  }
  if (hour == 12 && minute_text.empty()) {
    return std::vector<Clock>{{12, 0, "midday"}, {0, 0, "midnight"}};
  }
  if (hour >= 1 && hour <= 11 && !leading_zero) {
    return std::vector<Clock>{{hour, minute, "morning"},
                              {hour + 12, minute, "afternoon or evening"}};
  }
  return std::vector<Clock>{{hour, minute, ""}};
}

// ---------------------------------------------------------------------------
// Offsets from UTC.

// "+03:00", "+0300", "+3", "-05:30" (the sign included); nullopt when `text`
// is not one.
std::optional<minutes>
parse_offset(std::string_view text)
{
  if (text.size() < 2 || (text[0] != '+' && text[0] != '-')) {
    return std::nullopt;
  }
  const int sign = text[0] == '-' ? -1 : 1;
  std::string digits;
  for (const char c : text.substr(1)) {
    if (c == ':') {
      continue;
    }
    if (!is_digit(c)) {
      return std::nullopt;
    }
    digits.push_back(c);
  }
  int hour = 0;
  int minute = 0;
  if (digits.size() <= 2) {
    hour = number_of(digits);
  } else if (digits.size() == 3 || digits.size() == 4) {
    hour = number_of(std::string_view(digits).substr(0, digits.size() - 2));
    minute = number_of(std::string_view(digits).substr(digits.size() - 2));
  } else {
    return std::nullopt;
  }
  // The form's pattern: hours 00 to 23.
  if (hour > 23 || minute > 59) {
    return std::nullopt;
  }
  return minutes(sign * (hour * 60 + minute));
}

std::string
offset_text(minutes offset)
{
  const auto total = offset.count();
  const auto magnitude = total < 0 ? -total : total;
  return fmt::format(
    "{}{:02}:{:02}", total < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
}

std::string
instant_example(const Context& context)
{
  const std::string offset =
    context.local_offset ? offset_text(*context.local_offset) : "+03:00";
  std::string example = fmt::format(
    "write it as 2026-11-03 08:10 {} or 3 Nov 2026 8:10am {}", offset, offset);
  if (context.local_offset) {
    example += fmt::format(" ({} is this computer's offset from UTC)", offset);
  }
  return example;
}

// ---------------------------------------------------------------------------
// Languages, by ICU's list of ISO 639 codes and its names for them.

struct Language
{
  std::string code;
  std::string name;        // in English
  std::string own_name;    // in the language itself
  std::string folded_name; // case-folded, for matching
  std::string folded_own;
};

std::string
fold(std::string_view text)
{
  std::string out;
  icu::UnicodeString::fromUTF8(
    icu::StringPiece(text.data(), static_cast<int32_t>(text.size())))
    .foldCase()
    .toUTF8String(out);
  return out;
}

std::string
display_language(const char* code, const char* in)
{
  UErrorCode status = U_ZERO_ERROR;
  std::array<UChar, 256> buffer{};
  const int32_t length = uloc_getDisplayLanguage(
    code, in, buffer.data(), static_cast<int32_t>(buffer.size()), &status);
  if (U_FAILURE(status) != 0 || length <= 0
      || length >= static_cast<int32_t>(buffer.size())) {
    return {};
  }
  std::string out;
  icu::UnicodeString(buffer.data(), length).toUTF8String(out);
  // ICU gives the code back when it has no name for it.
  return out == code ? std::string() : out;
}

const std::vector<Language>&
languages()
{
  static std::once_flag once;
  static std::vector<Language> known;
  std::call_once(once, [] {
    for (const char* const* code = uloc_getISOLanguages(); *code != nullptr;
         ++code) {
      Language language;
      language.code = *code;
      language.name = display_language(*code, "en");
      language.own_name = display_language(*code, *code);
      language.folded_name = fold(language.name);
      language.folded_own = fold(language.own_name);
      known.push_back(std::move(language));
    }
  });
  return known;
}

const Language*
language_of(std::string_view code)
{
  for (const auto& language : languages()) {
    if (language.code == code) {
      return &language;
    }
  }
  return nullptr;
}

// A well-formed tag in BCP 47's case ("en-GB", "zh-Hans"), or nullopt.
std::optional<std::string>
normal_tag(std::string_view text)
{
  const auto parts = split(text, "-_");
  if (parts.empty() || text.front() == '-' || text.back() == '-'
      || text.front() == '_' || text.back() == '_') {
    return std::nullopt;
  }
  std::string tag;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string part = lower_ascii(parts[i]);
    const bool letters = std::all_of(part.begin(), part.end(), is_alpha);
    const bool alnum = std::all_of(part.begin(), part.end(), [](char c) {
      return is_alpha(c) || is_digit(c);
    });
    if (i == 0) {
      if (!letters || part.size() < 2 || part.size() > 3) {
        return std::nullopt;
      }
      tag = part;
      continue;
    }
    if (!alnum || part.size() < 2 || part.size() > 8) {
      return std::nullopt;
    }
    std::string subtag = part;
    if (letters && subtag.size() == 2) {
      for (char& c : subtag) {
        c = static_cast<char>(c - 'a' + 'A');
      }
    } else if (letters && subtag.size() == 4) {
      subtag[0] = static_cast<char>(subtag[0] - 'a' + 'A');
    }
    tag += '-';
    tag += subtag;
  }
  return tag;
}

// Reads `text` as a list of short texts separated by ';'.
Result<Read>
read_list(std::string_view text)
{
  json::Json items = json::Json::array();
  for (const auto& piece : split(text, ";")) {
    const auto item = trim(piece);
    if (item.empty()) {
      continue;
    }
    if (item.size() > k_short_bytes) {
      return tl::unexpected(
        refused(fmt::format("item {} is {} bytes; each may be at most {}",
                            items.size() + 1,
                            item.size(),
                            k_short_bytes),
                "shorten it, or split it with ';'"));
    }
    items.push_back(std::string(item));
  }
  if (items.size() > k_max_items) {
    return tl::unexpected(
      refused(fmt::format("{} items; at most {}", items.size(), k_max_items),
              "keep the ones that matter"));
  }
  if (items.empty()) {
    return tl::unexpected(refused("the list is empty", "type an item"));
  }
  std::string words;
  for (const auto& item : items) {
    words += (words.empty() ? "" : "; ") + item.get<std::string>();
  }
  return one(std::move(items), std::move(words));
}

// The schema's JSON, built in; null when it cannot be read (a build error).
const json::Json&
schema_file(std::string_view name)
{
  static std::mutex mutex;
  static std::map<std::string, json::Json, std::less<>> cache;
  const std::lock_guard lock(mutex);
  if (const auto it = cache.find(name); it != cache.end()) {
    return it->second;
  }
  json::Json parsed;
  const auto& files = schema::embedded_files();
  if (const auto it = files.find(name); it != files.end()) {
    if (auto document = json::parse_strict(it->second)) {
      parsed = std::move(*document);
    }
  }
  return cache.emplace(std::string(name), std::move(parsed)).first->second;
}

std::string
description_of(const json::Json& node)
{
  if (node.is_object()) {
    if (const auto it = node.find("description");
        it != node.end() && it->is_string()) {
      return it->get<std::string>();
    }
  }
  return {};
}

// The node a `$ref` of the incident schema names, and its file.
std::pair<const json::Json*, std::string>
resolve(const json::Json& node, const std::string& file)
{
  if (!node.is_object() || !node.contains("$ref")
      || !node.at("$ref").is_string()) {
    return {nullptr, {}};
  }
  const std::string ref = node.at("$ref").get<std::string>();
  const auto hash = ref.find('#');
  const std::string target_file =
    hash == 0 ? file : ref.substr(0, std::min(hash, ref.size()));
  const json::Json& document = schema_file(target_file);
  if (hash == std::string::npos || hash + 1 >= ref.size()) {
    return {&document, target_file};
  }
  const json::Json::json_pointer pointer(ref.substr(hash + 1));
  if (!document.contains(pointer)) {
    return {nullptr, {}};
  }
  return {&document.at(pointer), target_file};
}

std::string
how_to_answer(const Question& question, const Context& context)
{
  switch (question.kind) {
  case Kind::date:
    return "Write the date as 2026-11-03 or 3 Nov 2026; a month alone as "
           "2026-11 or Nov 2026, a year alone as 2026. A date like 03/11/2026 "
           "is asked about: day first or month first.";
  case Kind::yes_no:
    return "Answer y or n; empty means no.";
  case Kind::time:
    return "Write the time as 23:40 or 11pm (11:30 pm, 07:05, noon, midnight); "
           "10:30 is asked about: morning or evening.";
  case Kind::instant:
    return "Write the date, the time and the offset from UTC: "
           + instant_example(context) + ".";
  case Kind::district:
    return "Type the district's name or part of it, or its code.";
  // The schema's own descriptions say how long these may be.
  case Kind::reference:
  case Kind::short_text:
    return {};
  case Kind::short_list:
    return "Separate several with ';'.";
  case Kind::line_text:
    return "One line.";
  case Kind::free_text:
    return "Several lines; end with a line holding only '.'.";
  case Kind::language:
    return "Type the language's code (sw, en, es, en-GB) or its name "
           "(Swahili, English).";
  case Kind::choose_one:
    return "Type a number from the list, or part of a label to search.";
  case Kind::choose_many:
    return "Type numbers from the list (1 3 4), or part of a label to search; "
           "empty when you are done.";
  }
  return {};
}

} // namespace

std::span<const Question>
questions()
{
  return k_questions;
}

const Question*
find_question(std::string_view pointer)
{
  for (const auto& question : k_questions) {
    if (question.pointer == pointer) {
      return &question;
    }
  }
  return nullptr;
}

Result<Read>
read_date(std::string_view text, const Context& context)
{
  CUSTODY_ASSIGN(answer, non_empty(text, "a date"));
  CUSTODY_ASSIGN(dates, read_days(answer, context));
  Read read;
  for (const auto& date : dates) {
    read.readings.push_back(Reading{iso_of(date), words_of(date)});
  }
  return read;
}

Result<Read>
read_time(std::string_view text)
{
  CUSTODY_ASSIGN(answer, non_empty(text, "a time"));
  CUSTODY_ASSIGN(clocks, parse_time(answer));
  Read read;
  for (const auto& clock : clocks) {
    read.readings.push_back(Reading{clock_text(clock), clock_words(clock)});
  }
  return read;
}

Result<Read>
read_instant(std::string_view text, const Context& context)
{
  CUSTODY_ASSIGN(answer, non_empty(text, "a date and time"));
  std::string lowered = lower_ascii(answer);
  // RFC 3339 as the form holds it ("2026-11-03T08:10:00+03:00"): the date and
  // the time split at the T, and the clock is a 24-hour one.
  Clock24 clock24 = Clock24::no;
  if (lowered.size() > 11 && lowered[10] == 't' && is_digit(lowered[9])
      && is_digit(lowered[11])) {
    lowered[10] = ' ';
    clock24 = Clock24::yes;
  }
  std::replace(lowered.begin(), lowered.end(), ',', ' ');
  std::vector<std::string> tokens = split(lowered, " \t");
  const auto example = instant_example(context);
  std::optional<minutes> offset;
  if (!tokens.empty()) {
    std::string& last = tokens.back();
    if (last == "z" || last == "utc" || last == "gmt") {
      offset = minutes(0);
      tokens.pop_back();
    } else if ((last.starts_with("utc") || last.starts_with("gmt"))
               && last.size() > 3) {
      offset = parse_offset(std::string_view(last).substr(3));
      if (!offset) {
        return tl::unexpected(refused("that offset from UTC is not one "
                                      "custody can read",
                                      example));
      }
      tokens.pop_back();
    } else if (last.starts_with('+') || last.starts_with('-')) {
      offset = parse_offset(last);
      if (!offset) {
        return tl::unexpected(refused("that offset from UTC is not one "
                                      "custody can read",
                                      example));
      }
      tokens.pop_back();
    } else if (last.size() > 1 && last.back() == 'z' && is_digit(last[0])) {
      offset = minutes(0); // "08:10z"
      last.pop_back();
    } else if (const auto sign = last.find_first_of("+-", 1);
               sign != std::string::npos && is_digit(last[0])
               && (last.substr(0, sign).find(':') != std::string::npos
                   || last.substr(0, sign).ends_with("am")
                   || last.substr(0, sign).ends_with("pm"))) {
      // "08:10+03:00", "8pm-5": the offset written onto the time.
      offset = parse_offset(std::string_view(last).substr(sign));
      if (!offset) {
        return tl::unexpected(refused("that offset from UTC is not one "
                                      "custody can read",
                                      example));
      }
      last.resize(sign);
    }
  }
  // The time: the last token, or the last two when the second is am or pm.
  std::string time_text;
  if (tokens.size() >= 2
      && (tokens.back() == "am" || tokens.back() == "pm"
          || tokens.back() == "a.m." || tokens.back() == "p.m.")) {
    time_text = tokens[tokens.size() - 2] + tokens.back();
    tokens.resize(tokens.size() - 2);
  } else if (!tokens.empty()) {
    time_text = tokens.back();
    tokens.pop_back();
  }
  std::string seconds_text = "00";
  // Seconds, as RFC 3339 gives them ("08:10:05", "08:10:05.250").
  if (time_text.size() > 5 && time_text[2] == ':' && time_text[5] == ':') {
    const std::string rest = time_text.substr(6);
    const auto fraction = rest.find('.');
    const std::string whole = rest.substr(0, fraction);
    const std::string digits =
      fraction == std::string::npos ? "" : rest.substr(fraction + 1);
    if (whole.size() != 2 || !all_digits(whole) || number_of(whole) > 59
        || (fraction != std::string::npos
            && (digits.empty() || digits.size() > 9 || !all_digits(digits)))) {
      return tl::unexpected(refused("those seconds are not a time", example));
    }
    seconds_text = rest;
    time_text.resize(5);
    clock24 = Clock24::yes;
  }
  std::string date_text;
  for (const auto& token : tokens) {
    date_text += (date_text.empty() ? "" : " ") + token;
  }
  if (date_text.empty() || time_text.empty()) {
    return tl::unexpected(
      refused("a date and a time of day are both needed", example));
  }
  auto clocks = parse_time(time_text, clock24);
  if (!clocks) {
    return tl::unexpected(
      refused("the time of day is not one custody can read", example));
  }
  auto dates = read_days(date_text, context);
  if (!dates) {
    return tl::unexpected(refused(
      dates.error().message + " (the date of the first contact)", example));
  }
  for (const auto& date : *dates) {
    if (date.day == 0) {
      return tl::unexpected(refused(
        "the first contact needs the whole date, with its day", example));
    }
  }
  if (!offset) {
    return tl::unexpected(
      refused("the offset from UTC is missing (the time zone: +03:00 for "
              "East Africa, +00:00 or Z for UTC)",
              example));
  }
  Read read;
  for (const auto& date : *dates) {
    for (const auto& clock : *clocks) {
      const std::string zone =
        *offset == minutes(0)
            && (lowered.ends_with("z") || lowered.ends_with("utc")
                || lowered.ends_with("gmt"))
          ? std::string("Z")
          : offset_text(*offset);
      std::string value = fmt::format(
        "{}T{}:{}{}", iso_of(date), clock_text(clock), seconds_text, zone);
      std::string words = fmt::format("{}, {} ({} from UTC)",
                                      words_of(date),
                                      clock_words(clock),
                                      offset_text(*offset));
      read.readings.push_back(Reading{std::move(value), std::move(words)});
    }
  }
  return read;
}

Result<Read>
read_district(std::string_view text, const Context& context)
{
  CUSTODY_ASSIGN(answer, non_empty(text, "a district"));
  if (context.places == nullptr) {
    // No places list: any code of the form's shape.
    const std::string code = lower_ascii(answer);
    const bool shaped =
      code.size() <= 64 && is_alpha(code[0])
      && std::all_of(code.begin(), code.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_';
         });
    if (!shaped) {
      return tl::unexpected(
        refused("a district code is lower-case letters, digits and '_', "
                "starting with a letter",
                "for example old_town"));
    }
    return one(code, code);
  }
  const Vocabulary districts = Vocabulary::of_places(*context.places);
  const auto found = districts.search(answer);
  if (found.empty()) {
    return tl::unexpected(
      refused("no district of the places list has that name or code",
              "type part of the district's name"));
  }
  Read read;
  for (const auto& entry : found) {
    const auto& term = districts.term(*entry.term);
    read.readings.push_back(
      Reading{term.code, fmt::format("{} ({})", term.label, term.code)});
  }
  return read;
}

Result<Read>
read_language(std::string_view text)
{
  CUSTODY_ASSIGN(answer, non_empty(text, "a language"));
  constexpr std::string_view hint =
    "type its code (sw, en, es, en-GB) or its name (Swahili, English)";
  if (const auto tag = normal_tag(answer)) {
    const std::string primary = tag->substr(0, tag->find('-'));
    if (const Language* language = language_of(primary)) {
      return one(*tag,
                 language->name.empty()
                   ? *tag
                   : fmt::format("{} ({})", language->name, *tag));
    }
  }
  const std::string folded = fold(answer);
  Read read;
  for (const auto& language : languages()) {
    if ((!language.folded_name.empty() && language.folded_name == folded)
        || (!language.folded_own.empty() && language.folded_own == folded)) {
      read.readings.push_back(Reading{
        language.code, fmt::format("{} ({})", language.name, language.code)});
    }
  }
  if (read.readings.empty()) {
    return tl::unexpected(
      refused("that is not a language code or name custody knows", hint));
  }
  return read;
}

Result<Read>
read_yes_no(std::string_view text)
{
  const std::string answer = lower_ascii(trim(text));
  if (answer == "y" || answer == "yes") {
    return one(true, "yes");
  }
  if (answer == "n" || answer == "no") {
    return one(false, "no");
  }
  return tl::unexpected(refused("answer yes or no", "type y or n"));
}

Result<Read>
read(const Question& question, std::string_view text, const Context& context)
{
  if (utf8::first_invalid(text).has_value()) {
    return tl::unexpected(refused("the answer is not valid UTF-8",
                                  "type it again, or set the terminal to "
                                  "UTF-8"));
  }
  switch (question.kind) {
  case Kind::date:
    return read_date(text, context);
  case Kind::yes_no:
    return read_yes_no(text);
  case Kind::time:
    return read_time(text);
  case Kind::instant:
    return read_instant(text, context);
  case Kind::district:
    return read_district(text, context);
  case Kind::language:
    return read_language(text);
  case Kind::short_list:
    return read_list(text);
  case Kind::reference:
  case Kind::short_text: {
    CUSTODY_ASSIGN(answer, non_empty(text, "an answer"));
    if (question.kind == Kind::reference && has_control(answer)) {
      return tl::unexpected(
        refused("a reference is one line of plain text", "type it again"));
    }
    if (answer.size() > k_short_bytes) {
      return tl::unexpected(refused(
        fmt::format(
          "the answer is {} bytes; at most {}", answer.size(), k_short_bytes),
        "shorten it"));
    }
    return one(std::string(answer), std::string(answer));
  }
  case Kind::line_text:
  case Kind::free_text: {
    if (utf8::first_invalid(text).has_value()) {
      return tl::unexpected(refused("the answer is not valid UTF-8",
                                    "type it again, or set the terminal to "
                                    "UTF-8"));
    }
    if (text.size() > k_free_bytes) {
      return tl::unexpected(
        refused(fmt::format("the text is {} bytes; at most {} (64 KiB)",
                            text.size(),
                            k_free_bytes),
                "shorten it"));
    }
    return one(std::string(text), std::string(text));
  }
  case Kind::choose_one:
  case Kind::choose_many:
    break;
  }
  return make_error(
    Errc::internal,
    fmt::format("{} is answered from a list", question.pointer));
}

Result<void>
check_value(const schema::SchemaSet& schemas,
            std::string_view pointer,
            const json::Json& value)
{
  json::Json form = json::Json::object();
  form[json::Json::json_pointer(std::string(pointer))] = value;
  const auto report = schemas.validate(form);
  const std::string below = std::string(pointer) + "/";
  for (const auto& problem : report.problems) {
    if (problem.pointer == pointer || problem.pointer.starts_with(below)) {
      return make_error(Errc::invalid_input,
                        fmt::format("{}: {}", problem.pointer, problem.message),
                        "answer the question again");
    }
  }
  return {};
}

Result<void>
check_choices(const Question& question, const std::vector<std::string>& codes)
{
  if (question.need == Need::required && codes.empty()) {
    return make_error(Errc::invalid_input,
                      "choose at least one",
                      "type a number from the list");
  }
  if (codes.size() > k_max_items) {
    return make_error(Errc::invalid_input,
                      fmt::format("at most {} may be chosen", k_max_items));
  }
  const std::set<std::string> distinct(codes.begin(), codes.end());
  if (distinct.size() != codes.size()) {
    return make_error(Errc::invalid_input, "a choice is given twice");
  }
  if (question.pointer == "/consent/scopes" && codes.size() > 1
      && distinct.contains("document_only")) {
    return make_error(
      Errc::invalid_input,
      "document_only cannot be combined with another scope",
      "choose document_only alone, or the other scopes without it");
  }
  return {};
}

json::Json
form_of(const json::Json& answers)
{
  json::Json form = {{"form_version", 1}};
  for (const auto& question : k_questions) {
    const auto it = answers.find(std::string(question.pointer));
    if (it == answers.end() || it->is_null()) {
      continue;
    }
    const bool empty =
      (it->is_string() && it->get_ref<const std::string&>().empty())
      || (it->is_array() && it->empty());
    if (empty && question.need == Need::optional) {
      continue;
    }
    form[json::Json::json_pointer(std::string(question.pointer))] = *it;
  }
  return form;
}

std::string
help(const Question& question)
{
  // The field's own description, then that of what it refers to (a shared
  // definition, or the vocabulary), as the schema words them.
  std::vector<std::string> said;
  const json::Json* node = &schema_file("incident.schema.json");
  std::string file = "incident.schema.json";
  for (const auto& token : split(question.pointer, "/")) {
    if (node == nullptr || !node->is_object() || !node->contains("properties")
        || !node->at("properties").contains(token)) {
      node = nullptr;
      break;
    }
    node = &node->at("properties").at(token);
  }
  for (int depth = 0; node != nullptr && depth < 4; ++depth) {
    const std::string text = description_of(*node);
    if (!text.empty()
        && std::find(said.begin(), said.end(), text) == said.end()) {
      said.push_back(text);
    }
    if (node->is_object() && node->contains("items")) {
      node = &node->at("items");
      continue;
    }
    auto [target, target_file] = resolve(*node, file);
    node = target;
    file = target_file;
  }
  std::string out;
  for (const auto& text : said) {
    out += text + "\n";
  }
  const std::string how = how_to_answer(question, Context{});
  if (!how.empty()) {
    out += how + "\n";
  }
  return out;
}

std::string
humanise(std::string_view segment)
{
  std::string out(segment);
  std::replace(out.begin(), out.end(), '_', ' ');
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') {
    out[0] = static_cast<char>(out[0] - 'a' + 'A');
  }
  return out;
}

Result<Vocabulary>
Vocabulary::load(std::string_view name)
{
  const std::string file = fmt::format("vocab/{}.json", name);
  const json::Json& document = schema_file(file);
  if (!document.is_object() || !document.contains("enum")) {
    return fail(Errc::internal, "vocabulary {} is not built in", name);
  }
  Vocabulary vocabulary;
  vocabulary.m_description = description_of(document);
  const json::Json terms = document.value("x-terms", json::Json::object());
  std::map<std::string, std::size_t> group_sizes;
  for (const auto& code : document.at("enum")) {
    if (!code.is_string()) {
      continue;
    }
    const std::string text = code.get<std::string>();
    const json::Json term = terms.value(text, json::Json::object());
    if (term.value("deprecated", false)) {
      continue;
    }
    Term entry{text,
               term.value("label", text),
               term.value("definition", std::string()),
               ""};
    const auto last = text.rfind('.');
    // "violence.physical.beating" is in "violence.physical"; "setting.street"
    // is in no group (its prefix names the whole vocabulary).
    if (last != std::string::npos && text.find('.') < last) {
      entry.group = text.substr(0, last);
      ++group_sizes[entry.group];
    }
    vocabulary.m_terms.push_back(std::move(entry));
  }
  for (auto& term : vocabulary.m_terms) {
    if (!term.group.empty() && group_sizes[term.group] < 2) {
      term.group.clear();
    }
    if (!term.group.empty()
        && std::none_of(vocabulary.m_groups.begin(),
                        vocabulary.m_groups.end(),
                        [&](const Group& g) { return g.key == term.group; })) {
      vocabulary.m_groups.push_back(Group{
        term.group, humanise(term.group.substr(term.group.rfind('.') + 1))});
    }
  }
  return vocabulary;
}

Vocabulary
Vocabulary::of_places(const records::Places& places)
{
  Vocabulary vocabulary;
  vocabulary.m_description =
    "The districts of the organisation's places list, by region.";
  for (const auto& [code, district] : places.districts) {
    vocabulary.m_terms.push_back(
      Term{code,
           district.name.empty() ? code : district.name,
           "in " + district.region_name,
           district.region});
  }
  // By region, in the order of the regions' names, then by name.
  std::stable_sort(vocabulary.m_terms.begin(),
                   vocabulary.m_terms.end(),
                   [&](const Term& a, const Term& b) {
                     const auto& ra = places.districts.at(a.code).region_name;
                     const auto& rb = places.districts.at(b.code).region_name;
                     return std::tie(ra, a.label) < std::tie(rb, b.label);
                   });
  for (const auto& term : vocabulary.m_terms) {
    if (std::none_of(vocabulary.m_groups.begin(),
                     vocabulary.m_groups.end(),
                     [&](const Group& g) { return g.key == term.group; })) {
      const auto& region_name = places.districts.at(term.code).region_name;
      vocabulary.m_groups.push_back(
        Group{term.group, region_name.empty() ? term.group : region_name});
    }
  }
  return vocabulary;
}

std::string
Vocabulary::group_label(std::string_view key) const
{
  for (const auto& group : m_groups) {
    if (group.key == key) {
      return group.label;
    }
  }
  return std::string(key);
}

std::vector<Vocabulary::Entry>
Vocabulary::top(std::size_t page) const
{
  std::vector<Entry> entries;
  if (m_terms.size() <= page) {
    for (std::size_t i = 0; i < m_terms.size(); ++i) {
      entries.push_back(Entry{i, "", m_terms[i].label, 1});
    }
    return entries;
  }
  for (std::size_t i = 0; i < m_terms.size(); ++i) {
    const auto& term = m_terms[i];
    if (term.group.empty()) {
      entries.push_back(Entry{i, "", term.label, 1});
      continue;
    }
    const auto seen =
      std::find_if(entries.begin(), entries.end(), [&](const Entry& entry) {
        return !entry.term && entry.group == term.group;
      });
    if (seen != entries.end()) {
      ++seen->count;
    } else {
      entries.push_back(
        Entry{std::nullopt, term.group, group_label(term.group), 1});
    }
  }
  return entries;
}

std::vector<Vocabulary::Entry>
Vocabulary::group(std::string_view key) const
{
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < m_terms.size(); ++i) {
    if (m_terms[i].group == key) {
      entries.push_back(Entry{i, "", m_terms[i].label, 1});
    }
  }
  return entries;
}

std::vector<Vocabulary::Entry>
Vocabulary::search(std::string_view text) const
{
  const std::string wanted = fold(trim(text));
  std::vector<Entry> exact;
  std::vector<Entry> partial;
  if (wanted.empty()) {
    return exact;
  }
  for (std::size_t i = 0; i < m_terms.size(); ++i) {
    const std::string code = fold(m_terms[i].code);
    const std::string label = fold(m_terms[i].label);
    const Entry entry{i, "", m_terms[i].label, 1};
    if (code == wanted || label == wanted) {
      exact.push_back(entry);
    } else if (label.find(wanted) != std::string::npos
               || code.find(wanted) != std::string::npos) {
      partial.push_back(entry);
    }
  }
  return exact.empty() ? partial : exact;
}

std::optional<std::size_t>
Vocabulary::find(std::string_view code) const
{
  for (std::size_t i = 0; i < m_terms.size(); ++i) {
    if (m_terms[i].code == code) {
      return i;
    }
  }
  return std::nullopt;
}

} // namespace custody::answers
