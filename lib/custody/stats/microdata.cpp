#include <custody/stats/microdata.hpp>

#include <fmt/core.h>

#include <algorithm>

namespace custody::stats {

namespace {

Coding
coding_of(const MicroField& field, const records::Places* places)
{
  Coding coding;
  coding.places = places;
  coding.level = field.level;
  coding.grain = field.precision;
  return coding;
}

Error
bad_spec(std::string_view what)
{
  return Error{
    Errc::invalid_input, fmt::format("dataset fields: {}", what), {}};
}

} // namespace

std::string
field_name(const MicroField& field)
{
  return std::string(dimension_name(field.dimension));
}

std::string
field_value(const index::FactsRow& row,
            const MicroField& field,
            const records::Places* places)
{
  const auto values = values_of(row, field.dimension, coding_of(field, places));
  std::string out;
  for (const auto& value : values) {
    if (!out.empty()) {
      out += ';';
    }
    out += value;
  }
  return out;
}

std::vector<std::string>
row_of(const index::FactsRow& row,
       const MicroSpec& spec,
       const records::Places* places,
       bool quasi)
{
  std::vector<std::string> out;
  for (const auto& field : spec.fields) {
    if (quasi && field.sensitive) {
      continue;
    }
    out.push_back(field_value(row, field, places));
  }
  return out;
}

std::string
key_of(const std::vector<std::string>& values)
{
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) {
      out += '\x1f';
    }
    out += values[i];
  }
  return out;
}

Counted
select_micro(const std::vector<index::FactsRow>& all,
             const MicroSpec& spec,
             const records::Places* places)
{
  Selection selection;
  selection.period = spec.period;
  const bool by_month =
    std::any_of(spec.fields.begin(), spec.fields.end(), [](const auto& field) {
      return field.dimension == Dimension::period
             && field.precision != Grain::year;
    });
  Coding coding;
  coding.places = places;
  return select(all, selection, coding, by_month, k_publish_consent);
}

TableJob
micro_job(const MicroSpec& spec,
          std::vector<const index::FactsRow*> rows,
          const records::Places* places)
{
  TableJob job;
  job.spec.id = std::string(k_dataset_table);
  job.spec.title = "Dataset rows";
  job.spec.rows = Dimension::period; // unused: `keys` gives the rows
  job.rows = std::move(rows);
  job.coding.places = places;
  job.keys = [spec, places](const index::FactsRow& row) {
    return std::vector<std::string>{key_of(row_of(row, spec, places, false))};
  };
  return job;
}

json::Json
spec_json(const MicroSpec& spec)
{
  json::Json fields = json::Json::array();
  for (const auto& field : spec.fields) {
    json::Json item = {{"field", field_name(field)},
                       {"level", field.level},
                       {"sensitive", field.sensitive}};
    if (field.dimension == Dimension::period) {
      item["precision"] = std::string(grain_name(field.precision));
    }
    if (multi_valued(field.dimension)) {
      item["encoding"] = field.encoding == Encoding::list ? "list" : "columns";
    }
    fields.push_back(std::move(item));
  }
  return {{"fields", std::move(fields)},
          {"period",
           {{"from", spec.period.from_month}, {"to", spec.period.to_month}}}};
}

Result<MicroSpec>
spec_from_json(const json::Json& value)
{
  if (!value.is_object() || !value.contains("fields")
      || !value["fields"].is_array() || !value.contains("period")
      || !value["period"].is_object()) {
    return tl::unexpected(bad_spec("no fields or period"));
  }
  MicroSpec spec;
  CUSTODY_ASSIGN(period,
                 records::parse_period_range(value["period"].value("from", ""),
                                             value["period"].value("to", "")));
  spec.period = period;
  for (const auto& item : value["fields"]) {
    if (!item.is_object() || !item.contains("field")
        || !item["field"].is_string()) {
      return tl::unexpected(bad_spec("a field without a name"));
    }
    MicroField field;
    CUSTODY_ASSIGN(dimension,
                   parse_dimension(item["field"].get<std::string>()));
    field.dimension = dimension;
    const auto level = item.value("level", json::Json(0));
    if (!level.is_number_integer() || level.get<std::int64_t>() < 0
        || level.get<std::int64_t>() > 8) {
      return tl::unexpected(bad_spec("a level beyond 0 to 8"));
    }
    field.level = static_cast<int>(level.get<std::int64_t>());
    const auto sensitive = item.value("sensitive", json::Json(false));
    if (!sensitive.is_boolean()) {
      return tl::unexpected(bad_spec("sensitive is not true or false"));
    }
    field.sensitive = sensitive.get<bool>();
    if (item.contains("precision")) {
      if (!item["precision"].is_string()) {
        return tl::unexpected(bad_spec("a precision that is not a text"));
      }
      CUSTODY_ASSIGN(grain, parse_grain(item["precision"].get<std::string>()));
      field.precision = grain;
    }
    const auto encoding = item.value("encoding", json::Json("list"));
    if (encoding != "list" && encoding != "columns") {
      return tl::unexpected(bad_spec("an encoding other than list, columns"));
    }
    field.encoding = encoding == "list" ? Encoding::list : Encoding::columns;
    spec.fields.push_back(field);
  }
  return spec;
}

} // namespace custody::stats
