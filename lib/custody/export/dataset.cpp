// Datasets (dataset.hpp).
#include <custody/crypto/crypto.hpp>
#include <custody/disclosure/stats_release.hpp>
#include <custody/export/dataset.hpp>
#include <custody/export/recipe_yaml.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <set>

namespace custody::bundle {

namespace {

using stats::Dimension;
using stats::Encoding;
using stats::MicroField;

// Names a recipe might use for what never leaves in a dataset.
bool
is_identifier(std::string_view name)
{
  constexpr std::array<std::string_view, 14> identifiers = {"id",
                                                            "record",
                                                            "record_id",
                                                            "receipt",
                                                            "person_ref",
                                                            "event_ref",
                                                            "name",
                                                            "names",
                                                            "phone",
                                                            "phones",
                                                            "address",
                                                            "location",
                                                            "date",
                                                            "time"};
  return std::ranges::find(identifiers, name) != identifiers.end();
}

bool
is_free_text(std::string_view name)
{
  constexpr std::array<std::string_view, 5> texts = {
    "narrative", "notes", "description", "modus_operandi", "vehicle"};
  return std::ranges::find(texts, name) != texts.end();
}

Result<MicroField>
field_of(const YAML::Node& node)
{
  MicroField field;
  if (node.IsMap() && !node["field"]) {
    return tl::unexpected(detail::at(node, "each of fields names its field"));
  }
  // Initialised, never assigned: assigning a YAML::Node writes through to the
  // node it refers to, which here is the recipe's own.
  const YAML::Node name_node = node.IsMap() ? node["field"] : node;
  CUSTODY_ASSIGN(name, detail::text_of(name_node, "field"));
  if (is_identifier(name)) {
    return tl::unexpected(detail::at(
      name_node,
      fmt::format("{} identifies a person, a record or a place: no dataset "
                  "carries it",
                  name)));
  }
  if (is_free_text(name)) {
    return tl::unexpected(detail::at(
      name_node,
      fmt::format("{} is free text: of free text a dataset publishes only "
                  "the narrative, as its released redacted text",
                  name)));
  }
  auto dimension = stats::parse_dimension(name);
  if (!dimension) {
    return tl::unexpected(detail::at(name_node, dimension.error().message));
  }
  field.dimension = *dimension;
  if (!node.IsMap()) {
    return field;
  }
  for (const auto& item : node) {
    const std::string key = detail::key_name(item.first);
    const YAML::Node& value = item.second;
    if (key == "field") {
      continue;
    }
    if (key == "precision") {
      if (field.dimension != Dimension::period) {
        return tl::unexpected(
          detail::at(value, "only the period has a precision"));
      }
      CUSTODY_ASSIGN(text, detail::text_of(value, key));
      auto grain = stats::parse_grain(text);
      if (!grain) {
        return tl::unexpected(
          detail::at(value, "precision is month, quarter or year"));
      }
      field.precision = *grain;
    } else if (key == "level") {
      CUSTODY_ASSIGN(level, detail::whole_number(value, key));
      if (level > 8) {
        return tl::unexpected(detail::at(value, "level is 0 to 8"));
      }
      field.level = static_cast<int>(level);
    } else if (key == "encoding") {
      if (!stats::multi_valued(field.dimension)) {
        return tl::unexpected(detail::at(
          value, fmt::format("{} holds one value: it has no encoding", name)));
      }
      CUSTODY_ASSIGN(text, detail::text_of(value, key));
      if (text != "list" && text != "columns") {
        return tl::unexpected(detail::at(value, "encoding is list or columns"));
      }
      field.encoding = text == "list" ? Encoding::list : Encoding::columns;
    } else {
      return tl::unexpected(detail::at(
        item.first,
        fmt::format("unknown key \"{}\"; a field has field, precision, level "
                    "and encoding",
                    key)));
    }
  }
  return field;
}

// `node` names the narrative field (docs/formats.md 14.5).
bool
is_narrative(const YAML::Node& node)
{
  const YAML::Node name = node.IsMap() ? node["field"] : node;
  return name && name.IsScalar() && name.Scalar() == "narrative";
}

// The narrative field: "narrative", or {field: narrative, missing:
// not_recorded | leave_out}; a row without a released narrative keeps the
// missing-value token unless the recipe says leave_out.
Result<disclosure::NarrativeMissing>
narrative_of(const YAML::Node& node)
{
  auto missing = disclosure::NarrativeMissing::token;
  if (!node.IsMap()) {
    return missing;
  }
  for (const auto& item : node) {
    const std::string key = detail::key_name(item.first);
    if (key == "field") {
      continue;
    }
    if (key != "missing") {
      return tl::unexpected(detail::at(
        item.first,
        fmt::format("unknown key \"{}\"; the narrative field has field and "
                    "missing",
                    key)));
    }
    CUSTODY_ASSIGN(text, detail::text_of(item.second, key));
    if (text != "not_recorded" && text != "leave_out") {
      return tl::unexpected(
        detail::at(item.second, "missing is not_recorded or leave_out"));
    }
    missing = text == "leave_out" ? disclosure::NarrativeMissing::leave_out
                                  : disclosure::NarrativeMissing::token;
  }
  return missing;
}

Result<double>
risk_ceiling(const YAML::Node& node)
{
  CUSTODY_ASSIGN(text, detail::text_of(node, "max_risk"));
  const bool decimal =
    text.size() <= 8
    && text.find_first_not_of("0123456789.") == std::string::npos
    && std::count(text.begin(), text.end(), '.') <= 1 && text != ".";
  const double value = decimal ? std::strtod(text.c_str(), nullptr) : -1;
  if (!(value > 0 && value <= 0.03)) {
    return tl::unexpected(detail::at(
      node,
      "max_risk is a share above 0 and at most 0.03 (3 %, the ceiling "
      "OCHA's data centre publishes microdata under)"));
  }
  return value;
}

// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line
// break.
std::string
csv_field(const std::string& value)
{
  if (value.find_first_of(",\"\r\n") == std::string::npos) {
    return value;
  }
  std::string out = "\"";
  for (char c : value) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  return out + "\"";
}

// As statistics roll codes up (stats::Coding::level): 0 keeps the code,
// N keeps its first N+1 dotted segments.
std::string
rolled_up(const std::string& code, int level)
{
  if (level == 0) {
    return code;
  }
  std::size_t at = 0;
  for (int segment = 0; segment <= level; ++segment) {
    at = code.find('.', segment == 0 ? 0 : at + 1);
    if (at == std::string::npos) {
      return code;
    }
  }
  return code.substr(0, at);
}

// The codes a field can take at its level, in the vocabulary's order.
std::vector<std::string>
codes_of(const MicroField& field, const records::Places* places)
{
  std::vector<std::string> out;
  for (const auto& code : records::known_codes(field.dimension, places)) {
    auto rolled = rolled_up(code, field.level);
    if (std::find(out.begin(), out.end(), rolled) == out.end()) {
      out.push_back(std::move(rolled));
    }
  }
  return out;
}

std::vector<std::string>
split_list(const std::string& value)
{
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    const auto end = value.find(';', start);
    out.push_back(value.substr(start, end - start));
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return out;
}

std::string_view
precision_words(stats::Grain grain)
{
  switch (grain) {
  case stats::Grain::month:
    return "the incident's month (YYYY-MM)";
  case stats::Grain::quarter:
    return "the incident's quarter (YYYY-Qn)";
  case stats::Grain::year:
    return "the incident's year (YYYY)";
  }
  return "";
}

} // namespace

Result<DatasetRecipe>
parse_dataset_recipe(std::string_view yaml_text)
{
  CUSTODY_ASSIGN(root, detail::load_recipe(yaml_text, "dataset"));
  DatasetRecipe recipe;
  std::string from;
  std::string to;
  std::vector<std::pair<std::string, YAML::Node>> sensitive;
  bool fields = false;
  for (const auto& item : root) {
    const std::string key = detail::key_name(item.first);
    const YAML::Node& value = item.second;
    if (key == "kind") {
      CUSTODY_TRY(detail::check_kind(value, "dataset"));
    } else if (key == "organisation") {
      CUSTODY_ASSIGN(text, detail::text_of(value, key));
      recipe.organisation = text;
    } else if (key == "title") {
      CUSTODY_ASSIGN(text, detail::text_of(value, key));
      recipe.title = text;
    } else if (key == "license") {
      CUSTODY_ASSIGN(text, detail::text_of(value, key));
      recipe.license = text;
    } else if (key == "from" || key == "to") {
      CUSTODY_ASSIGN(text, detail::text_of(value, key));
      if (!detail::is_month(text)) {
        return tl::unexpected(
          detail::at(value, fmt::format("{} must be a month, YYYY-MM", key)));
      }
      (key == "from" ? from : to) = text;
    } else if (key == "fields") {
      if (!value.IsSequence() || value.size() == 0) {
        return tl::unexpected(
          detail::at(value, "fields must be a list of fields"));
      }
      for (const auto& node : value) {
        if (is_narrative(node)) {
          if (recipe.narrative) {
            return tl::unexpected(
              detail::at(node, "narrative is listed twice"));
          }
          CUSTODY_ASSIGN(missing, narrative_of(node));
          recipe.narrative = missing;
          recipe.narrative_column = recipe.spec.fields.size();
          continue;
        }
        CUSTODY_ASSIGN(field, field_of(node));
        for (const auto& other : recipe.spec.fields) {
          if (other.dimension == field.dimension) {
            return tl::unexpected(detail::at(
              node,
              fmt::format("{} is listed twice", stats::field_name(field))));
          }
        }
        recipe.spec.fields.push_back(field);
      }
      fields = true;
    } else if (key == "sensitive") {
      if (!value.IsSequence()) {
        return tl::unexpected(
          detail::at(value, "sensitive must be a list of fields"));
      }
      for (const auto& node : value) {
        CUSTODY_ASSIGN(name, detail::text_of(node, "each of sensitive"));
        if (name == "narrative") {
          return tl::unexpected(detail::at(
            node,
            "the narrative is never part of the classes, so it is not listed "
            "as sensitive: it is published as a sensitive attribute of its "
            "row whatever the recipe says"));
        }
        sensitive.emplace_back(name, node);
      }
    } else if (key == "k") {
      CUSTODY_ASSIGN(k, detail::whole_number(value, key));
      if (k < 5) {
        return tl::unexpected(
          detail::at(value, "k must be at least 5 distinct persons a class"));
      }
      recipe.rules.k = k;
    } else if (key == "l") {
      CUSTODY_ASSIGN(l, detail::whole_number(value, key));
      if (l < 2) {
        return tl::unexpected(
          detail::at(value, "l must be at least 2 distinct values a class"));
      }
      recipe.rules.l = l;
    } else if (key == "max_risk") {
      CUSTODY_ASSIGN(risk, risk_ceiling(value));
      recipe.rules.max_risk = risk;
    } else if (key == "on_failure") {
      CUSTODY_ASSIGN(text, detail::text_of(value, key));
      if (text != "refuse" && text != "suppress") {
        return tl::unexpected(
          detail::at(value, "on_failure is refuse or suppress"));
      }
      recipe.rules.suppress = text == "suppress";
    } else {
      return tl::unexpected(detail::at(
        item.first,
        fmt::format("unknown key \"{}\"; a dataset recipe has kind, "
                    "organisation, title, license, from, to, fields, "
                    "sensitive, k, l, max_risk and on_failure",
                    key)));
    }
  }
  if (fields && recipe.spec.fields.empty()) {
    return tl::unexpected(
      detail::at(root["fields"],
                 "fields must name at least one field besides the narrative"));
  }
  if (recipe.organisation.empty() || from.empty() || to.empty() || !fields) {
    return tl::unexpected(detail::at(
      root, "a dataset recipe names its organisation, from, to and fields"));
  }
  if (to < from) {
    return tl::unexpected(
      detail::at(root["to"], "the period ends before it starts"));
  }
  recipe.spec.period = records::Period{from, to};
  for (const auto& item : sensitive) {
    const std::string& name = item.first;
    const YAML::Node& node = item.second;
    auto found = std::find_if(recipe.spec.fields.begin(),
                              recipe.spec.fields.end(),
                              [&](const MicroField& field) {
                                return stats::field_name(field) == name;
                              });
    if (found == recipe.spec.fields.end()) {
      return tl::unexpected(detail::at(
        node,
        fmt::format("sensitive: {} is not one of the recipe's fields", name)));
    }
    found->sensitive = true;
  }
  for (const auto& field : recipe.spec.fields) {
    if (field.dimension == Dimension::violence_type && !field.sensitive) {
      return tl::unexpected(detail::at(
        root["fields"],
        "violence_type is published: list it under sensitive, so that each "
        "class holds several types rather than telling everyone's"));
    }
  }
  if (recipe.title.empty()) {
    recipe.title = fmt::format("Documented reports, {} to {}", from, to);
  }
  return recipe;
}

DatasetFiles
dataset_files(const disclosure::Released<disclosure::Dataset>& dataset,
              const DatasetRecipe& recipe,
              const records::Places* places)
{
  const auto& spec = dataset->spec;
  const std::string missing(stats::k_not_recorded);
  // The CSV: the header, then one line a row.
  std::vector<std::vector<std::string>> columns(spec.fields.size());
  std::string csv;
  std::vector<std::string> header;
  // The narrative's column sits before field `narrative_at` (last when it is
  // the count of fields).
  const bool narrative = dataset->narrative.has_value();
  const std::size_t narrative_at =
    narrative ? std::min(recipe.narrative_column, spec.fields.size())
              : spec.fields.size() + 1;
  for (std::size_t f = 0; f < spec.fields.size(); ++f) {
    const auto& field = spec.fields[f];
    if (f == narrative_at) {
      header.emplace_back("narrative");
    }
    if (stats::multi_valued(field.dimension)
        && field.encoding == Encoding::columns) {
      columns[f] = codes_of(field, places);
      for (const auto& code : columns[f]) {
        header.push_back(stats::field_name(field) + ":" + code);
      }
    } else {
      header.push_back(stats::field_name(field));
    }
  }
  if (narrative_at == spec.fields.size()) {
    header.emplace_back("narrative");
  }
  for (std::size_t i = 0; i < header.size(); ++i) {
    csv += (i == 0 ? "" : ",") + csv_field(header[i]);
  }
  csv += "\r\n";
  for (std::size_t r = 0; r < dataset->rows.size(); ++r) {
    const auto& row = dataset->rows[r];
    std::vector<std::string> cells;
    for (std::size_t f = 0; f <= spec.fields.size(); ++f) {
      if (f == narrative_at) {
        cells.push_back(dataset->narratives[r]);
      }
      if (f == spec.fields.size()) {
        break;
      }
      if (columns[f].empty()) {
        cells.push_back(row[f]);
        continue;
      }
      const auto codes = split_list(row[f]);
      const bool none = codes.size() == 1 && codes.front() == missing;
      for (const auto& code : columns[f]) {
        const bool has =
          std::find(codes.begin(), codes.end(), code) != codes.end();
        cells.push_back(none ? missing : has ? "1" : "0");
      }
    }
    for (std::size_t i = 0; i < cells.size(); ++i) {
      csv += (i == 0 ? "" : ",") + csv_field(cells[i]);
    }
    csv += "\r\n";
  }

  // The descriptor (Frictionless Data Package v2, readable as v1).
  json::Json fields = json::Json::array();
  std::vector<std::string> precision;
  const bool leave_out =
    recipe.narrative == disclosure::NarrativeMissing::leave_out;
  const json::Json narrative_field = {
    {"name", "narrative"},
    {"type", "string"},
    {"description",
     fmt::format(
       "The person's own account of the incident, as published with her "
       "consent after text redaction removed names, places, phone numbers, "
       "e-mail addresses, links, handles, ID numbers, dates and coordinates "
       "from it and a legal member of {} reviewed the result and read it "
       "again before this dataset was released. It may still describe "
       "events in words; it is never a class field. {}",
       recipe.organisation,
       leave_out ? "Reports without such an account are not in this dataset."
                 : "\"not_recorded\" means no reviewed redacted account of "
                   "the report may be published (for whatever reason, which "
                   "is not said).")}};
  for (std::size_t f = 0; f < spec.fields.size(); ++f) {
    const auto& field = spec.fields[f];
    const std::string name = stats::field_name(field);
    if (f == narrative_at) {
      fields.push_back(narrative_field);
    }
    std::string about(stats::dimension_title(field.dimension));
    if (field.dimension == Dimension::period) {
      about = std::string(precision_words(field.precision));
      precision.push_back(fmt::format("dates to {}", about));
    } else if (field.dimension == Dimension::region) {
      precision.emplace_back("places to the region");
    } else if (field.dimension == Dimension::district) {
      precision.emplace_back("places to the district");
    }
    if (field.level > 0) {
      about += fmt::format(", codes to level {}", field.level);
    }
    if (!columns[f].empty()) {
      for (const auto& code : columns[f]) {
        fields.push_back(
          {{"name", fmt::format("{}:{}", name, code)},
           {"type", "boolean"},
           {"trueValues", json::Json::array({"1"})},
           {"falseValues", json::Json::array({"0"})},
           {"description",
            fmt::format("{}: {} ({})",
                        about,
                        records::label_of(field.dimension, code, places),
                        code)}});
      }
      continue;
    }
    json::Json categories = json::Json::array();
    if (field.dimension != Dimension::period
        && !(stats::multi_valued(field.dimension))) {
      for (const auto& code : codes_of(field, places)) {
        categories.push_back(
          {{"value", code},
           {"label", records::label_of(field.dimension, code, places)}});
      }
    }
    json::Json item = {
      {"name", name}, {"type", "string"}, {"description", about}};
    if (!categories.empty()) {
      item["categories"] = std::move(categories);
    }
    if (stats::multi_valued(field.dimension)) {
      item["description"] =
        about + ": the codes reported, sorted, separated by \";\"";
    }
    fields.push_back(std::move(item));
  }
  if (narrative_at == spec.fields.size()) {
    fields.push_back(narrative_field);
  }
  const auto& check = dataset->check;
  std::string sensitive;
  for (const auto& field : spec.fields) {
    if (field.sensitive) {
      sensitive += (sensitive.empty() ? "" : ", ") + stats::field_name(field);
    }
  }
  std::string precision_text;
  for (const auto& words : precision) {
    precision_text += "; " + words;
  }
  const std::string description = fmt::format(
    "Documented reports received by {}, alleged perpetrators: not "
    "prevalence, as most violence is never reported. A row is one person's "
    "report of one incident; reports of one event by two people are two "
    "rows. {} rows from {} distinct persons, incidents {} to {}{}. Left "
    "out: {} reports without consent to publish, {} dated to the year "
    "alone, and the reports of any class too small to publish (how many is "
    "not said: it could single one out). Every class of the fields other than "
    "the sensitive ones ({}) holds at least {} distinct persons, also when "
    "joined with earlier datasets of this organisation, and at least {} "
    "distinct values of each sensitive field and of the type of violence. "
    "Estimated re-identification risk {:.2f} % (the mean over rows of one "
    "over the distinct persons in the row's class: the dataset taken as the "
    "whole population, no protection assumed from sampling). "
    "\"not_recorded\" means the report does not say; it is a value of its "
    "own in the classes, matching nothing else.{}",
    recipe.organisation,
    check.records,
    check.persons,
    spec.period.from_month,
    spec.period.to_month,
    precision_text,
    check.without_consent,
    check.year_only,
    sensitive.empty() ? "none" : sensitive,
    dataset->rules.k,
    dataset->rules.l,
    check.risk * 100,
    narrative ? fmt::format(
      " The narrative column is each report's account as redacted and "
      "reviewed; it is not part of the classes above (free text is unique to "
      "its row), so these guarantees are about the other columns: the "
      "narratives were each read by a legal member for anything that could "
      "still point to the person.{}",
      leave_out ? " Only reports with such an account are in this dataset."
                : "")
              : std::string());
  json::Json resource = {{"name", "reports"},
                         {"type", "table"},
                         {"path", "data.csv"},
                         {"format", "csv"},
                         {"mediatype", "text/csv"},
                         {"encoding", "utf-8"},
                         {"bytes", csv.size()},
                         {"hash", "sha256:" + sha256_hex(as_bytes(csv))},
                         {"schema",
                          {{"fields", std::move(fields)},
                           {"missingValues", json::Json::array({missing})}}}};
  json::Json package = {
    {"$schema", "https://datapackage.org/profiles/2.0/datapackage.json"},
    {"name", "custody-dataset"},
    {"title", recipe.title},
    {"description", description},
    {"contributors",
     json::Json::array(
       {json::Json{{"title", recipe.organisation},
                   {"roles", json::Json::array({"publisher"})}}})},
    {"resources", json::Json::array({std::move(resource)})},
    {"custody",
     {{"k", dataset->rules.k},
      {"l", dataset->rules.l},
      {"risk", fmt::format("{:.4f}", check.risk)},
      {"risk_model",
       "mean over rows of 1 / distinct persons in the row's class, every "
       "sampling weight 1"},
      {"classes", check.classes}}}};
  if (narrative) {
    package["custody"]["narrative"] = {
      {"source", "released redacted text, reviewed"},
      {"missing", leave_out ? "leave_out" : "not_recorded"}};
  }
  if (!recipe.license.empty()) {
    package["licenses"] =
      json::Json::array({json::Json{{"name", recipe.license}}});
  }
  return DatasetFiles{std::move(csv), package.dump(2) + "\n"};
}

vault::Compartment
proposal_compartment(const disclosure::Released<disclosure::Dataset>& dataset)
{
  return dataset->narrative ? vault::Compartment::aggressor
                            : vault::Compartment::facts;
}

std::string
proposal_content(const DatasetFiles& files)
{
  return fmt::format("=== data.csv ===\n{}=== datapackage.json ===\n{}",
                     files.csv,
                     files.datapackage);
}

Result<DatasetWritten>
write_dataset(vault::Vault& vault,
              const disclosure::Released<disclosure::Dataset>& dataset,
              const DatasetFiles& files,
              const std::string& recipe_name,
              const std::string& recipe_sha256,
              const std::filesystem::path& out)
{
  const std::string content = proposal_content(files);
  const std::string hash = sha256_hex(as_bytes(content));
  CUSTODY_ASSIGN(approved, find_approved(vault, "dataset", hash));
  if (!approved) {
    return make_error(Errc::unsafe,
                      "this dataset has no approved proposal: nothing was "
                      "written",
                      Remedy::propose_and_approve);
  }
  DatasetWritten written;
  written.approved = *approved;
  CUSTODY_ASSIGN(
    seq,
    write_approved_directory(
      out,
      {{"data.csv", files.csv}, {"datapackage.json", files.datapackage}},
      [&](const json::Json& hashes) -> Result<std::uint64_t> {
        const std::uint64_t tree_size = vault.entry_count();
        CUSTODY_ASSIGN(release_seq,
                       disclosure::record_release(
                         vault,
                         disclosure::dataset_release_document(
                           dataset, tree_size, hashes.value("data.csv", ""))));
        written.release_seq = release_seq;
        const auto& check = dataset->check;
        json::Json left_out = {{"without_consent", check.without_consent},
                               {"year_only", check.year_only},
                               {"withheld", check.withheld_records}};
        if (dataset->narrative) {
          left_out["without_narrative"] = check.narrative_left_out;
        }
        json::Json document = {
          {"type", "export"},
          {"export",
           {{"kind", "dataset"},
            {"status", "written"},
            {"recipe", {{"name", recipe_name}, {"sha256", recipe_sha256}}},
            {"proposal", approved->proposal},
            {"approval", approved->approval},
            {"release", release_seq},
            {"tree_size", tree_size},
            {"rows", dataset->check.records},
            {"left_out", left_out},
            {"output",
             {{"name", out.filename().string()},
              {"container", "directory"},
              {"content_sha256", hash},
              {"files", hashes}}}}}};
        if (dataset->narrative) {
          document["export"]["narratives"] = {
            {"missing",
             *dataset->narrative == disclosure::NarrativeMissing::leave_out
               ? "leave_out"
               : "not_recorded"},
            {"published", check.narratives},
            {"none_released", check.narrative_none},
            {"stale", check.narrative_stale}};
        }
        return append_export(vault, document);
      }));
  written.export_seq = seq;
  return written;
}

} // namespace custody::bundle
