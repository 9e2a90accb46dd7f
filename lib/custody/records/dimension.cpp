// Dimensions, codes and selections (dimension.hpp).
#include <custody/base/canonical_json.hpp>
#include <custody/records/dimension.hpp>
#include <custody/schema/schema.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <map>

namespace custody::records {

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

// The codes of an embedded vocabulary, in its order, parsed once.
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

std::vector<std::string>
sorted_unique(std::vector<std::string> values)
{
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  if (values.empty()) {
    values.emplace_back(k_not_recorded);
  }
  return values;
}

std::vector<std::string>
single(const std::string& value)
{
  return {value.empty() ? std::string(k_not_recorded) : value};
}

// `value` is `code` or lies under it: a group is a prefix of whole segments.
bool
is_or_under(std::string_view value, std::string_view code)
{
  return value == code
         || (value.size() > code.size() && value.starts_with(code)
             && value[code.size()] == '.');
}

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

std::vector<std::string>
recorded_values(const index::FactsRow& row,
                Dimension dimension,
                const Places* places)
{
  switch (dimension) {
  case Dimension::violence_type:
    return sorted_unique(row.violence_types);
  case Dimension::perpetrator:
    return sorted_unique(row.perpetrators);
  case Dimension::response_action:
    return sorted_unique(row.actions);
  case Dimension::referral:
    return sorted_unique(row.referrals);
  case Dimension::population:
    return single(row.population);
  case Dimension::setting:
    return single(row.setting);
  case Dimension::outcome:
    return single(row.outcome);
  case Dimension::district:
    return single(row.district);
  case Dimension::region: {
    if (places != nullptr) {
      const auto found = places->districts.find(row.district);
      if (found != places->districts.end()) {
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
  case Dimension::period:
    return single(row.month);
  }
  return single("");
}

std::vector<std::string>
known_codes(Dimension dimension, const Places* places)
{
  const auto& entry = info(dimension);
  if (!entry.vocabulary.empty()) {
    return vocabulary(entry.vocabulary);
  }
  std::vector<std::string> codes;
  if (dimension == Dimension::district && places != nullptr) {
    for (const auto& [code, district] : places->districts) {
      codes.push_back(code);
    }
  } else if (dimension == Dimension::region && places != nullptr) {
    for (const auto& [code, district] : places->districts) {
      codes.push_back(district.region);
    }
  } else if (dimension == Dimension::response_time) {
    return {k_response_times.begin(), k_response_times.end()};
  }
  std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  return codes;
}

Result<std::string>
parse_code(Dimension dimension, std::string_view text, const Places* places)
{
  if (dimension == Dimension::period) {
    CUSTODY_TRY(parse_period(text));
    return std::string(text);
  }
  // "violence.sexual." is how `list --type` wrote a group before groups were
  // checked; it names the same group.
  std::string_view code = text;
  if (code.size() > 1 && code.back() == '.') {
    code.remove_suffix(1);
  }
  if ((dimension == Dimension::district || dimension == Dimension::region)
      && places == nullptr) {
    return make_error(Errc::invalid_input,
                      fmt::format("this vault has no places list, so there is "
                                  "no {} \"{}\"",
                                  dimension_name(dimension),
                                  text),
                      Remedy::set_places);
  }
  const auto codes = known_codes(dimension, places);
  if (code == k_not_recorded
      || std::ranges::any_of(codes, [&](const std::string& known) {
           return is_or_under(known, code);
         })) {
    return std::string(code);
  }
  std::string message =
    fmt::format("\"{}\" is not a {} code", text, dimension_name(dimension));
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
  if (!info(dimension).vocabulary.empty()) {
    return make_error(Errc::invalid_input,
                      message,
                      "the codes are listed in docs/records.md section 3");
  }
  std::string list;
  for (const auto& known : codes) {
    list += (list.empty() ? "" : ", ") + known;
  }
  return make_error(
    Errc::invalid_input,
    message,
    fmt::format("the {} codes are {}", dimension_name(dimension), list));
}

bool
matches(const index::FactsRow& row,
        Dimension dimension,
        std::string_view code,
        const Places* places)
{
  if (dimension == Dimension::period) {
    const auto period = parse_period(code);
    return period && row.month.size() == 7 && row.month >= period->from_month
           && row.month <= period->to_month;
  }
  return std::ranges::any_of(
    recorded_values(row, dimension, places),
    [&](const std::string& value) { return is_or_under(value, code); });
}

std::string
label_of(Dimension dimension, const std::string& value, const Places* places)
{
  if (value == k_not_recorded) {
    return "not recorded";
  }
  if (places != nullptr) {
    if (dimension == Dimension::district) {
      const auto found = places->districts.find(value);
      if (found != places->districts.end()) {
        return found->second.name;
      }
    }
    if (dimension == Dimension::region) {
      for (const auto& [code, district] : places->districts) {
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

Result<std::pair<Dimension, std::string>>
parse_filter(std::string_view text, const Places* places)
{
  const auto equals = text.find('=');
  if (equals == std::string_view::npos) {
    return make_error(Errc::usage,
                      fmt::format("{}: write DIMENSION=CODE", text),
                      "for example perpetrator=perpetrator.state");
  }
  CUSTODY_ASSIGN(dimension, parse_dimension(text.substr(0, equals)));
  CUSTODY_ASSIGN(code, parse_code(dimension, text.substr(equals + 1), places));
  return std::pair{dimension, std::move(code)};
}

bool
selected(const index::FactsRow& row,
         const Selection& selection,
         const Places* places)
{
  if (selection.period && place(row.month, *selection.period) != Placed::in) {
    return false;
  }
  return std::ranges::all_of(selection.filters, [&](const auto& filter) {
    return matches(row, filter.first, filter.second, places);
  });
}

Result<std::vector<index::ListRow>>
list_records(const index::Shard& facts,
             const Selection& selection,
             const Places* places)
{
  // The catalogue preselects what SQL can (a superset); selected() decides.
  index::Filter coarse;
  if (selection.period) {
    coarse.from_month = selection.period->from_month;
    coarse.to_month = selection.period->to_month;
  }
  for (const auto& [dimension, code] : selection.filters) {
    std::string* hint = nullptr;
    switch (dimension) {
    case Dimension::violence_type:
      hint = &coarse.violence_type;
      break;
    case Dimension::perpetrator:
      hint = &coarse.perpetrator;
      break;
    case Dimension::population:
      hint = &coarse.population;
      break;
    case Dimension::district:
      hint = &coarse.district;
      break;
    default:
      break;
    }
    if (hint != nullptr && hint->empty() && code != k_not_recorded) {
      *hint = code;
    }
  }
  CUSTODY_ASSIGN(rows, facts.list(coarse));
  std::erase_if(rows, [&](const index::ListRow& row) {
    return !selected(row.facts, selection, places);
  });
  return rows;
}

} // namespace custody::records
