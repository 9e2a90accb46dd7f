// custody record: validate forms, split them into compartments and write them;
// --amend corrects.
#include "commands.hpp"
#include "reading.hpp"
#include "record_interactive.hpp"
#include "session.hpp"

#include <custody/records/amend.hpp>
#include <custody/records/form.hpp>
#include <custody/records/records.hpp>
#include <custody/schema/schema.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <memory>

namespace custody::cli {

namespace {

constexpr std::string_view k_incident_schema = "incident.schema.json";

struct RecordOptions
{
  std::string form;
  std::string amend;
  IntakeOptions intake;
};

Result<std::vector<form::Form>>
load(const std::string& path, const schema::SchemaSet& schemas)
{
  if (path == "-") {
    // Read by the rules of any input file (R5): a pipe is waited on with a
    // bound, a device refused, and no more than a batch's limit is kept.
    const fs::Path name = "standard input";
    CUSTODY_ASSIGN(input, fs::standard_input(name));
    const fs::Fd owner(input.fd);
    CUSTODY_ASSIGN(
      text,
      fs::read_all(input, form::k_max_batch_bytes, name, fs::Origin::user));
    return form::load_forms_text(
      as_text(text), "-", form::Format::detect, schemas);
  }
  return form::load_forms(path, schemas);
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
  auto shards = records::open_readable(opened, notes);
  print_notes(notes);
  if (!shards && shards.error().code == Errc::auth) {
    return make_error(
      Errc::auth,
      "amending a record needs every record compartment (the legal role)",
      "ask a legal member to make the correction");
  }
  if (!shards) {
    return tl::unexpected(shards.error());
  }
  CUSTODY_ASSIGN(amendment,
                 records::amendment(*shards, id_prefix, form, schemas, places));
  if (!amendment.change) {
    note(fmt::format("record {} already says exactly this; nothing was written",
                     amendment.record_id));
    return Outcome::ok;
  }
  CUSTODY_ASSIGN(written,
                 records::write(opened, {std::move(*amendment.change)}));
  save_shards(*shards);
  end_with_checkpoint(global, opened);
  return print_written(global, written, {form}, "amended");
}

std::optional<records::Places>
places_of(const vault::Vault& opened)
{
  if (opened.state().places.is_null()) {
    return std::nullopt;
  }
  auto places = records::Places::from_json(opened.state().places);
  return places ? std::optional<records::Places>(std::move(*places))
                : std::nullopt;
}

// `custody record` on a terminal: unlock, ask for the form (or continue a
// draft), then the same checks as --form; a form that cannot be written is
// kept in a draft.
Result<Outcome>
run_interactive(const GlobalOptions& global, const IntakeOptions& options)
{
  CUSTODY_ASSIGN(schemas, schema::SchemaSet::from_embedded(k_incident_schema));
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  const auto places = places_of(session.vault);
  Intake intake(session, schemas, places ? &*places : nullptr, options);
  CUSTODY_ASSIGN(text, intake.ask());
  return intake.finish([&]() -> Result<Outcome> {
    CUSTODY_ASSIGN(
      forms,
      form::load_forms_text(text, "(terminal)", form::Format::json, schemas));
    CUSTODY_ASSIGN(
      changes, records::prepare(forms, schemas, places ? &*places : nullptr));
    CUSTODY_ASSIGN(written, records::write(session.vault, std::move(changes)));
    end_with_checkpoint(global, session.vault);
    return print_written(global, written, forms, "recorded");
  }());
}

Result<Outcome>
run_record(const GlobalOptions& global, const RecordOptions& options)
{
  // Checked before anything else: without them, nothing below can run.
  CUSTODY_TRY(require_vault(global));
  CUSTODY_TRY(require_identity(global));
  CUSTODY_TRY(check_intake_options(
    options.intake, !options.form.empty() || !options.amend.empty()));
  if (options.form.empty()) {
    if (!options.amend.empty() || !interactive_terminal()) {
      return make_error(
        Errc::usage,
        "no form given",
        "pass --form FILE (YAML, JSON, JSON Lines), --form DIR or --form -; on "
        "a terminal, "
        "`custody record` alone asks for the form field by field");
    }
    return run_interactive(global, options.intake);
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
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  vault::Vault* opened = &session.vault;
  const auto places = places_of(*opened);
  const records::Places* places_ptr = places ? &*places : nullptr;
  if (!options.amend.empty()) {
    return run_amend(
      global, *opened, options.amend, forms.front(), schemas, places_ptr);
  }
  // Every form is split and checked before anything is written: all or nothing.
  CUSTODY_ASSIGN(changes, records::prepare(forms, schemas, places_ptr));
  CUSTODY_ASSIGN(written, records::write(*opened, std::move(changes)));
  end_with_checkpoint(global, *opened);
  // Once the forms are written: a refused command writes nothing (R12).
  forget_expired_drafts(*opened);
  auto outcome = print_written(global, written, forms, "recorded");
  // What is left of the forms' trees (their objects and names; the values
  // went into the records and were freed as they were encrypted) is not freed
  // one node at a time when the command ends: the process exit frees it at
  // once. Still reachable from here, it is no leak to LeakSanitizer.
  [[maybe_unused]] static const auto* const kept =
    new std::vector<form::Form>(std::move(forms));
  return outcome;
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
  add_intake_options(*sub, options->intake);
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_record(global, *options); };
  });
}

} // namespace custody::cli
