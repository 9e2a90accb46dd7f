// Dimensions (dimension.hpp).
#include <custody/base/canonical_json.hpp>
#include <custody/records/period.hpp>
#include <custody/schema/schema.hpp>
#include <custody/stats/dimension.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

namespace custody::stats {

namespace {

struct DimensionInfo
{
  Dimension dimension;
  std::string_view name;
  std::string_view title;
  bool multi;
  std::string_view vocabulary; // the embedded vocabulary file, if any
};

constexpr std::array k_dimensions{
  DimensionInfo{Dimension::violence_type,
                "violence_type",
                "Type of violence",
                true,
                "vocab/violence_type.json"},
  DimensionInfo{Dimension::perpetrator,
                "perpetrator",
                "Perpetrator",
                true,
                "vocab/perpetrator.json"},
  DimensionInfo{Dimension::population,
                "population",
                "Population",
                false,
                "vocab/population.json"},
  DimensionInfo{
    Dimension::setting, "setting", "Setting", false, "vocab/setting.json"},
  DimensionInfo{Dimension::district, "district", "District", false, ""},
  DimensionInfo{Dimension::region, "region", "Region", false, ""},
  DimensionInfo{Dimension::response_action,
                "response_action",
                "Response",
                true,
                "vocab/response_action.json"},
  DimensionInfo{
    Dimension::referral, "referral", "Referral", true, "vocab/referral.json"},
  DimensionInfo{
    Dimension::outcome, "outcome", "Outcome", false, "vocab/outcome.json"},
  DimensionInfo{
    Dimension::response_time, "response_time", "First contact", false, ""},
  DimensionInfo{Dimension::period, "period", "Period", false, ""},
};

const DimensionInfo&
info(Dimension dimension)
{
  for (const auto& entry : k_dimensions) {
    if (entry.dimension == dimension) {
      return entry;
    }
  }
  return k_dimensions.front(); // unreachable: every enumerator is listed
}

constexpr std::array<std::string_view, 3> k_response_times{
  "within_24h", "after_24h", "not_known"};
constexpr std::int64_t k_prompt_hours = 24;

// The codes of an embedded vocabulary, parsed once.
const std::vector<std::string>&
vocabulary(std::string_view file)
{
  static const auto all = [] {
    std::map<std::string_view, std::vector<std::string>> lists;
    for (const auto& entry : k_dimensions) {
      if (entry.vocabulary.empty()) {
        continue;
      }
      const auto found = schema::embedded_files().find(entry.vocabulary);
      if (found == schema::embedded_files().end()) {
        continue;
      }
      const auto parsed = json::Json::parse(found->second, nullptr, false);
      std::vector<std::string> codes;
      if (parsed.is_object() && parsed.contains("enum")
          && parsed["enum"].is_array()) {
        for (const auto& code : parsed["enum"]) {
          if (code.is_string()) {
            codes.push_back(code.get<std::string>());
          }
        }
      }
      lists[entry.vocabulary] = std::move(codes);
    }
    return lists;
  }();
  static const std::vector<std::string> none;
  const auto found = all.find(file);
  return found == all.end() ? none : found->second;
}

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

std::vector<std::string>
coded(std::vector<std::string> codes, const Coding& coding)
{
  for (auto& code : codes) {
    code = rolled_up(code, coding.level);
  }
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  if (codes.empty()) {
    codes.emplace_back(k_not_recorded);
  }
  return codes;
}

std::vector<std::string>
single(const std::string& value)
{
  return {value.empty() ? std::string(k_not_recorded) : value};
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

// Every value a dimension can take (at full level), for checking codes.
std::vector<std::string>
known_codes(Dimension dimension, const Coding& coding)
{
  const auto& entry = info(dimension);
  if (!entry.vocabulary.empty()) {
    return vocabulary(entry.vocabulary);
  }
  std::vector<std::string> codes;
  if (dimension == Dimension::district && coding.places != nullptr) {
    for (const auto& [code, district] : coding.places->districts) {
      codes.push_back(code);
    }
  } else if (dimension == Dimension::region && coding.places != nullptr) {
    for (const auto& [code, district] : coding.places->districts) {
      codes.push_back(district.region);
    }
  } else if (dimension == Dimension::response_time) {
    codes.assign(k_response_times.begin(), k_response_times.end());
  }
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  return codes;
}

} // namespace

std::string_view
dimension_name(Dimension dimension)
{
  return info(dimension).name;
}

std::string_view
dimension_title(Dimension dimension)
{
  return info(dimension).title;
}

bool
multi_valued(Dimension dimension)
{
  return info(dimension).multi;
}

const std::vector<Dimension>&
all_dimensions()
{
  static const std::vector<Dimension> dimensions = [] {
    std::vector<Dimension> out;
    out.reserve(k_dimensions.size());
    for (const auto& entry : k_dimensions) {
      out.push_back(entry.dimension);
    }
    return out;
  }();
  return dimensions;
}

Result<Dimension>
parse_dimension(std::string_view name)
{
  std::vector<std::string> names;
  for (const auto& entry : k_dimensions) {
    if (entry.name == name) {
      return entry.dimension;
    }
    names.emplace_back(entry.name);
  }
  std::string message = fmt::format("\"{}\" is not a dimension", name);
  if (auto guess = schema::closest(name, names)) {
    message += fmt::format("; did you mean {}?", *guess);
  }
  std::string list;
  for (const auto& candidate : names) {
    list += (list.empty() ? "" : ", ") + candidate;
  }
  return make_error(
    Errc::invalid_input, message, fmt::format("the dimensions are {}", list));
}

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
  switch (dimension) {
  case Dimension::violence_type:
    return coded(row.violence_types, coding);
  case Dimension::perpetrator:
    return coded(row.perpetrators, coding);
  case Dimension::response_action:
    return coded(row.actions, coding);
  case Dimension::referral:
    return coded(row.referrals, coding);
  case Dimension::population:
    return row.population.empty() ? single("")
                                  : coded({row.population}, coding);
  case Dimension::setting:
    return row.setting.empty() ? single("") : coded({row.setting}, coding);
  case Dimension::outcome:
    return row.outcome.empty() ? single("") : coded({row.outcome}, coding);
  case Dimension::district:
    return single(row.district);
  case Dimension::region: {
    if (coding.places != nullptr) {
      const auto found = coding.places->districts.find(row.district);
      if (found != coding.places->districts.end()) {
        return single(found->second.region);
      }
    }
    return single("");
  }
  case Dimension::response_time:
    if (!row.delay_hours) {
      return {std::string(k_response_times[2])};
    }
    return {std::string(*row.delay_hours <= k_prompt_hours
                          ? k_response_times[0]
                          : k_response_times[1])};
  case Dimension::period: {
    auto period = period_of(row.month, coding.grain);
    if (period.empty()) {
      return {};
    }
    return {std::move(period)};
  }
  }
  return single("");
}

bool
matches(const index::FactsRow& row,
        Dimension dimension,
        std::string_view code,
        const Coding& coding)
{
  Coding full = coding;
  full.level = 0;
  if (dimension == Dimension::period) {
    const auto period = records::parse_period(code);
    return period && row.month.size() == 7 && row.month >= period->from_month
           && row.month <= period->to_month;
  }
  return std::ranges::any_of(
    values_of(row, dimension, full), [&](const std::string& value) {
      return value == code
             || (value.size() > code.size() && value.starts_with(code)
                 && value[code.size()] == '.');
    });
}

Result<void>
check_code(Dimension dimension, std::string_view code, const Coding& coding)
{
  if (dimension == Dimension::period) {
    CUSTODY_TRY(records::parse_period(code));
    return {};
  }
  if ((dimension == Dimension::district || dimension == Dimension::region)
      && coding.places == nullptr) {
    return make_error(Errc::invalid_input,
                      fmt::format("this vault has no places list, so there is "
                                  "no {} \"{}\"",
                                  dimension_name(dimension),
                                  code),
                      Remedy::set_places);
  }
  const auto codes = known_codes(dimension, coding);
  for (const auto& known : codes) {
    if (known == code
        || (known.size() > code.size() && known.starts_with(code)
            && known[code.size()] == '.')) {
      return {};
    }
  }
  if (code == k_not_recorded) {
    return {};
  }
  std::string message =
    fmt::format("\"{}\" is not a {} code", code, dimension_name(dimension));
  // Groups are candidates too: "violence.sexuall" meant violence.sexual.
  std::vector<std::string> candidates = codes;
  for (const auto& known : codes) {
    for (auto dot = known.find('.'); dot != std::string::npos;
         dot = known.find('.', dot + 1)) {
      candidates.push_back(known.substr(0, dot));
    }
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()),
                   candidates.end());
  if (auto guess = schema::closest(code, candidates)) {
    message += fmt::format("; did you mean {}?", *guess);
  }
  return make_error(Errc::invalid_input,
                    message,
                    "the codes are listed in docs/records.md section 3");
}

std::vector<std::string>
in_table_order(Dimension dimension,
               std::vector<std::string> values,
               const Coding& coding)
{
  std::map<std::string, std::size_t> rank;
  for (const auto& code : known_codes(dimension, coding)) {
    rank.try_emplace(rolled_up(code, coding.level), rank.size());
  }
  if (dimension == Dimension::response_time) {
    rank.clear();
    for (auto value : k_response_times) {
      rank.try_emplace(std::string(value), rank.size());
    }
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

namespace {

// Every vocabulary's labels ("x-terms": {code: {"label"}}), parsed once.
const std::map<std::string, std::string>&
term_labels()
{
  static const auto labels = [] {
    std::map<std::string, std::string> out;
    for (const auto& [path, text] : schema::embedded_files()) {
      if (!path.starts_with("vocab/")) {
        continue;
      }
      const auto parsed = json::Json::parse(text, nullptr, false);
      if (!parsed.is_object() || !parsed.contains("x-terms")
          || !parsed["x-terms"].is_object()) {
        continue;
      }
      for (const auto& [code, term] : parsed["x-terms"].items()) {
        if (term.is_object() && term.contains("label")
            && term["label"].is_string()) {
          out[code] = term["label"].get<std::string>();
        }
      }
    }
    return out;
  }();
  return labels;
}

// "violence.denial_of_care" as a group's label: "Denial of care".
std::string
segment_label(const std::string& code)
{
  std::string label = code.substr(code.rfind('.') + 1);
  std::replace(label.begin(), label.end(), '_', ' ');
  if (!label.empty() && label[0] >= 'a' && label[0] <= 'z') {
    label[0] = static_cast<char>(label[0] - 'a' + 'A');
  }
  return label;
}

} // namespace

std::string
label_of(Dimension dimension, const std::string& value, const Coding& coding)
{
  if (value == k_not_recorded) {
    return "not recorded";
  }
  if (coding.places != nullptr) {
    if (dimension == Dimension::district) {
      const auto found = coding.places->districts.find(value);
      if (found != coding.places->districts.end()) {
        return found->second.name;
      }
    }
    if (dimension == Dimension::region) {
      for (const auto& [code, district] : coding.places->districts) {
        if (district.region == value) {
          return district.region_name;
        }
      }
    }
  }
  if (dimension == Dimension::response_time) {
    if (value == k_response_times[0]) {
      return "within 24 h";
    }
    if (value == k_response_times[1]) {
      return "after 24 h";
    }
    return "not known";
  }
  if (dimension == Dimension::period) {
    return value;
  }
  const auto& labels = term_labels();
  if (const auto found = labels.find(value); found != labels.end()) {
    return found->second;
  }
  return value.find('.') == std::string::npos ? value : segment_label(value);
}

} // namespace custody::stats
