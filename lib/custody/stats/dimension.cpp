// Dimensions as statistics count them (dimension.hpp): codes rolled up to a
// level, months into periods. The dimensions, their codes and labels are
// records/dimension.cpp's.
#include <custody/records/period.hpp>
#include <custody/stats/dimension.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace custody::stats {

namespace {

// The first level+1 dotted segments of a hierarchical code.
std::string
rolled_up(const std::string& code, int level)
{
  if (level <= 0) {
    return code;
  }
  std::size_t end = 0;
  for (int segment = 0; segment <= level; ++segment) {
    end = code.find('.', end == 0 ? 0 : end + 1);
    if (end == std::string::npos) {
      return code;
    }
  }
  return code.substr(0, end);
}

std::string
period_of(const std::string& month, Grain grain)
{
  if (month.size() < 4) {
    return {};
  }
  std::string year = month.substr(0, 4);
  if (grain == Grain::year) {
    return year;
  }
  if (month.size() != 7) {
    return {}; // dated to the year alone
  }
  if (grain == Grain::month) {
    return month;
  }
  const int number = (month[5] - '0') * 10 + (month[6] - '0');
  return fmt::format("{}-Q{}", year, (number + 2) / 3);
}

} // namespace

std::string_view
grain_name(Grain grain)
{
  switch (grain) {
  case Grain::month:
    return "month";
  case Grain::quarter:
    return "quarter";
  case Grain::year:
    return "year";
  }
  return "quarter";
}

Result<Grain>
parse_grain(std::string_view name)
{
  for (Grain grain : {Grain::month, Grain::quarter, Grain::year}) {
    if (grain_name(grain) == name) {
      return grain;
    }
  }
  return make_error(Errc::invalid_input,
                    fmt::format("\"{}\" is not a period length", name),
                    "write month, quarter or year");
}

std::vector<std::string>
values_of(const index::FactsRow& row, Dimension dimension, const Coding& coding)
{
  if (dimension == Dimension::period) {
    auto period = period_of(row.month, coding.grain);
    if (period.empty()) {
      return {};
    }
    return {std::move(period)};
  }
  auto values = records::recorded_values(row, dimension, coding.places);
  if (coding.level > 0) {
    for (auto& value : values) {
      value = rolled_up(value, coding.level);
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
  }
  return values;
}

std::uint64_t
value_key(const index::FactsRow& row, Dimension dimension)
{
  // Interned codes are at least 2-aligned and never null, so an identity
  // has its low bit clear and is not 0; a delay sets that bit, and "no
  // delay" is 0.
  const auto identity = [](const void* interned) {
    return static_cast<std::uint64_t>(
      reinterpret_cast<std::uintptr_t>(interned));
  };
  switch (dimension) {
  case Dimension::violence_type:
    return identity(row.violence_types.identity());
  case Dimension::perpetrator:
    return identity(row.perpetrators.identity());
  case Dimension::response_action:
    return identity(row.actions.identity());
  case Dimension::referral:
    return identity(row.referrals.identity());
  case Dimension::population:
    return identity(row.population.identity());
  case Dimension::setting:
    return identity(row.setting.identity());
  case Dimension::outcome:
    return identity(row.outcome.identity());
  case Dimension::district:
  case Dimension::region: // the district's, in the places list
    return identity(row.district.identity());
  case Dimension::response_time:
    return row.delay_hours
             ? (static_cast<std::uint64_t>(*row.delay_hours) << 1U) | 1U
             : 0U;
  case Dimension::period:
    return identity(row.month.identity());
  }
  return 0;
}

bool
matches(const index::FactsRow& row,
        Dimension dimension,
        std::string_view code,
        const Coding& coding)
{
  return records::matches(row, dimension, code, coding.places);
}

Result<void>
check_code(Dimension dimension, std::string_view code, const Coding& coding)
{
  CUSTODY_TRY(records::parse_code(dimension, code, coding.places));
  return {};
}

std::vector<std::string>
in_table_order(Dimension dimension,
               std::vector<std::string> values,
               const Coding& coding)
{
  std::map<std::string, std::size_t> rank;
  for (const auto& code : records::known_codes(dimension, coding.places)) {
    rank.try_emplace(rolled_up(code, coding.level), rank.size());
  }
  auto key = [&](const std::string& value) {
    const auto found = rank.find(value);
    return std::make_tuple(value == k_not_recorded,
                           found == rank.end(),
                           found == rank.end() ? 0 : found->second,
                           value);
  };
  std::sort(values.begin(),
            values.end(),
            [&](const std::string& a, const std::string& b) {
              return key(a) < key(b);
            });
  return values;
}

std::string
label_of(Dimension dimension, const std::string& value, const Coding& coding)
{
  return records::label_of(dimension, value, coding.places);
}

} // namespace custody::stats
