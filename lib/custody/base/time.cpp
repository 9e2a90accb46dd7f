// Date and time checks (time.hpp).
#include <custody/base/time.hpp>

#include <cctype>

namespace custody::time {

namespace {

// The two-digit (or `width`-digit) number at `text[at]`, or -1.
int
number(std::string_view text, std::size_t at, std::size_t width)
{
  if (at + width > text.size()) {
    return -1;
  }
  int value = 0;
  for (std::size_t i = at; i < at + width; ++i) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
      return -1;
    }
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool
leap(int year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

bool
is_date(std::string_view text)
{
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return false;
  }
  const int year = number(text, 0, 4);
  const int month = number(text, 5, 2);
  const int day = number(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) {
    return false;
  }
  constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int last = k_days[month - 1] + (month == 2 && leap(year) ? 1 : 0);
  return day <= last;
}

} // namespace

bool
is_date_or_rfc3339(std::string_view text)
{
  if (text.size() == 10) {
    return is_date(text);
  }
  if (text.size() < 17 || !is_date(text.substr(0, 10)) || text[10] != 'T'
      || text[13] != ':') {
    return false;
  }
  const int hour = number(text, 11, 2);
  const int minute = number(text, 14, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return false;
  }
  std::string_view rest = text.substr(16);
  if (!rest.empty() && rest[0] == ':') {
    const int second = number(rest, 1, 2);
    // 60: a leap second, as RFC 3339 allows
    if (second < 0 || second > 60) {
      return false;
    }
    rest.remove_prefix(3);
  }
  if (rest == "Z") {
    return true;
  }
  if (rest.size() != 6 || (rest[0] != '+' && rest[0] != '-')
      || rest[3] != ':') {
    return false;
  }
  const int offset_hours = number(rest, 1, 2);
  const int offset_minutes = number(rest, 4, 2);
  return offset_hours >= 0 && offset_hours <= 23 && offset_minutes >= 0
         && offset_minutes <= 59;
}

} // namespace custody::time
