// custody record: validate forms, split them into compartments and write them;
// --amend corrects.
#include "commands.hpp"
#include "records_view.hpp"
#include "session.hpp"

#include <custody/form.hpp>
#include <custody/records.hpp>
#include <custody/schema.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <iostream>
#include <iterator>
#include <memory>

namespace custody::cli {

namespace {

constexpr std::string_view k_incident_schema = "incident.schema.json";
constexpr std::size_t k_max_listed_problems = 20;

struct RecordOptions
{
  std::string form;
  std::string amend;
};

Result<std::vector<form::Form>>
load(const std::string& path, const schema::SchemaSet& schemas)
{
  if (path == "-") {
    std::string text{std::istreambuf_iterator<char>(std::cin), {}};
    return form::load_forms_text(text, "-", form::Format::detect, schemas);
  }
  return form::load_forms(path, schemas);
}

// The parts of one valid form, with the derived fields; problems are appended
// to `problems`.
std::optional<records::Parts>
parts_of(const form::Form& form,
         const schema::SchemaSet& schemas,
         const records::Places* places,
         std::vector<std::string>& problems)
{
  const std::string where =
    fmt::format("{}:{}", form.origin.file, form.origin.line);
  const auto& scopes = form.value["consent"]["scopes"];
  if (scopes.size() > 1
      && std::find(scopes.begin(), scopes.end(), json::Json("document_only"))
           != scopes.end()) {
    problems.push_back(fmt::format(
      "{}: /consent/scopes: document_only must be the only scope", where));
    return std::nullopt;
  }
  auto split = schemas.split(form.value);
  if (!split) {
    problems.push_back(fmt::format("{}: {}", where, split.error().message));
    return std::nullopt;
  }
  records::Parts parts;
  for (std::size_t p = 0; p < records::k_part_count; ++p) {
    const std::string name(vault::compartment_name(records::k_parts[p]));
    parts[p] = split->contains(name) ? split->at(name) : json::Json::object();
  }
  if (auto derived = records::derive(form.value, parts, places); !derived) {
    problems.push_back(fmt::format("{}: {}", where, derived.error().message));
    return std::nullopt;
  }
  return parts;
}

Error
problems_error(const std::vector<std::string>& problems)
{
  std::string message =
    fmt::format("{} problem{} in the forms; nothing was recorded",
                problems.size(),
                problems.size() == 1 ? "" : "s");
  for (std::size_t i = 0; i < problems.size() && i < k_max_listed_problems;
       ++i) {
    message += "\n  " + problems[i];
  }
  if (problems.size() > k_max_listed_problems) {
    message += fmt::format("\n  ... and {} more",
                           problems.size() - k_max_listed_problems);
  }
  return Error{
    Errc::invalid_input, message, "fix the forms and run the command again"};
}

Result<Outcome>
print_written(const GlobalOptions& global,
              const std::vector<records::Written>& written,
              const std::vector<form::Form>& forms,
              std::string_view verb)
{
  if (global.json) {
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < written.size(); ++i) {
      out.push_back(
        {{"id", written[i].record_id},
         {"seq", written[i].seq},
         {"form",
          fmt::format("{}:{}", forms[i].origin.file, forms[i].origin.line)}});
    }
    fmt::print("{}\n",
               nlohmann::json{{"type", "recorded"}, {"records", out}}.dump());
  } else {
    for (const auto& item : written) {
      fmt::print("{}\n", item.record_id);
    }
    note(fmt::format(
      "{} {} record{}", verb, written.size(), written.size() == 1 ? "" : "s"));
  }
  return Outcome::ok;
}

Result<Outcome>
run_amend(const GlobalOptions& global,
          vault::Vault& opened,
          const std::string& id_prefix,
          const form::Form& form,
          const schema::SchemaSet& schemas,
          const records::Places* places)
{
  vault::Notes notes;
  CUSTODY_ASSIGN(shards, open_shards(opened, notes));
  print_notes(notes);
  // A correction of the date or the place recomputes the coarse fields of facts
  // and aggressor from the exact values in identity: amending needs every
  // record compartment (legal).
  for (const auto& shard : shards) {
    if (!shard) {
      return make_error(
        Errc::auth,
        "amending a record needs every record compartment (the legal role)",
        "ask a legal member to make the correction");
    }
  }
  CUSTODY_ASSIGN(
    found,
    shards[records::part_index(vault::Compartment::facts)]->find(id_prefix));
  CUSTODY_ASSIGN(history, shards[0]->history(found.id));
  std::vector<std::string> problems;
  auto parts = parts_of(form, schemas, places, problems);
  if (!parts) {
    return tl::unexpected(problems_error(problems));
  }
  records::Change change;
  change.record_id = found.id;
  change.type = records::EntryType::amend;
  CUSTODY_ASSIGN(prev, digest_from_hex(history.back().hash));
  change.prev = prev;
  bool changed = false;
  for (std::size_t p = 0; p < records::k_part_count; ++p) {
    CUSTODY_ASSIGN(row, shards[p]->find(found.id));
    change.data[p] = records::make_merge_patch(row.view, (*parts)[p]);
    changed = changed || !change.data[p].empty();
  }
  if (!changed) {
    note(fmt::format("record {} already says exactly this; nothing was written",
                     found.id));
    return Outcome::ok;
  }
  CUSTODY_ASSIGN(written, records::write(opened, {std::move(change)}));
  return print_written(global, written, {form}, "amended");
}

Result<Outcome>
run_record(const GlobalOptions& global, const RecordOptions& options)
{
  CUSTODY_ASSIGN(directory, require_vault(global));
  CUSTODY_ASSIGN(identity_file, require_identity(global));
  if (options.form.empty()) {
    return make_error(
      Errc::usage,
      "no form given",
      "pass --form FILE (YAML, JSON, JSON Lines), --form DIR or --form -");
  }
  CUSTODY_ASSIGN(schemas, schema::SchemaSet::from_embedded(k_incident_schema));
  // Validate before asking for a passphrase: a bad batch needs no key and
  // writes nothing.
  CUSTODY_ASSIGN(forms, load(options.form, schemas));
  if (forms.empty()) {
    return make_error(Errc::invalid_input,
                      fmt::format("no forms in \"{}\"", options.form));
  }
  if (!options.amend.empty() && forms.size() != 1) {
    return make_error(Errc::usage, "--amend takes exactly one form");
  }
  CUSTODY_ASSIGN(member,
                 unlock_identity(identity_file, global.passphrase_file));
  vault::Notes notes;
  auto opened = vault::Vault::open(
    directory, member, open_options(global, vault::Access::write), notes);
  print_notes(notes);
  if (!opened) {
    return tl::unexpected(opened.error());
  }
  std::optional<records::Places> places;
  if (!opened->state().places.is_null()) {
    CUSTODY_ASSIGN(loaded, records::Places::from_json(opened->state().places));
    places = std::move(loaded);
  }
  const records::Places* places_ptr = places ? &*places : nullptr;
  if (!options.amend.empty()) {
    return run_amend(
      global, *opened, options.amend, forms.front(), schemas, places_ptr);
  }
  // Every form is split and checked before anything is written: all or nothing.
  std::vector<records::Change> changes;
  changes.reserve(forms.size());
  std::vector<std::string> problems;
  for (const auto& form : forms) {
    auto parts = parts_of(form, schemas, places_ptr, problems);
    if (parts) {
      changes.push_back({records::new_record_id(),
                         records::EntryType::record,
                         std::nullopt,
                         std::move(*parts)});
    }
  }
  if (!problems.empty()) {
    return tl::unexpected(problems_error(problems));
  }
  CUSTODY_ASSIGN(written, records::write(*opened, std::move(changes)));
  return print_written(global, written, forms, "recorded");
}

} // namespace

void
register_record(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<RecordOptions>();
  auto* sub = app.add_subcommand(
    "record", "Record incidents from forms (YAML, JSON or JSON Lines)");
  sub->add_option("--form",
                  options->form,
                  "A form file, a directory of forms, a JSON Lines file, or - "
                  "for standard input");
  sub->add_option(
    "--amend",
    options->amend,
    "Correct record ID with this full, corrected form (legal members)");
  sub->add_flag("--json", global.json, "Print JSON");
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_record(global, *options); };
  });
}

} // namespace custody::cli
