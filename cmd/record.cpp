// custody record: validate forms, split them into compartments and write them;
// --amend corrects.
#include "attaching.hpp"
#include "commands.hpp"
#include "edit.hpp"
#include "reading.hpp"
#include "record_interactive.hpp"
#include "session.hpp"

#include <custody/records/amend.hpp>
#include <custody/records/form.hpp>
#include <custody/records/readers.hpp>
#include <custody/records/receipt.hpp>
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
  std::string form_argument; // FORM, the same as --form FORM
  std::string amend;
  std::vector<std::string> attach;
  bool allow_duplicate = false;
  std::string reason;
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
         {"receipt", records::receipt_of(written[i].record_id)},
         {"seq", written[i].seq},
         {"form",
          fmt::format("{}:{}", forms[i].origin.file, forms[i].origin.line)}});
    }
    fmt::print("{}\n",
               nlohmann::json{{"type", "recorded"}, {"records", out}}.dump());
  } else {
    // The id, then the receipt to write on the paper form (docs/formats.md
    // 6.2.2): `cut -d' ' -f1` gives the ids.
    for (const auto& item : written) {
      fmt::print(
        "{} {}\n", item.record_id, records::receipt_of(item.record_id));
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
          const records::Places* places,
          const std::string& reason)
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
  CUSTODY_ASSIGN(
    amendment,
    records::amendment(
      *shards, id_prefix, form, schemas, places, {reason, std::nullopt}));
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

// `custody record` on a terminal: unlock, ask for the form (or continue a
// draft), then the same checks as --form; a form that cannot be written is
// kept in a draft.
Result<Outcome>
run_interactive(const GlobalOptions& global,
                const IntakeOptions& options,
                bool allow_duplicate)
{
  CUSTODY_ASSIGN(schemas, schema::SchemaSet::from_embedded(k_incident_schema));
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  const auto places = records::places_of(session.vault);
  Intake intake(session, schemas, places ? &*places : nullptr, options);
  CUSTODY_ASSIGN(text, intake.ask());
  return intake.finish([&]() -> Result<Outcome> {
    CUSTODY_ASSIGN(
      forms,
      form::load_forms_text(text, "(terminal)", form::Format::json, schemas));
    CUSTODY_ASSIGN(
      changes, records::prepare(forms, schemas, places ? &*places : nullptr));
    vault::Notes notes;
    auto written =
      records::write(session.vault,
                     std::move(changes),
                     {allow_duplicate ? records::Duplicates::allow
                                      : records::Duplicates::refuse,
                      &notes});
    print_notes(notes);
    if (!written) {
      return tl::unexpected(written.error());
    }
    end_with_checkpoint(global, session.vault);
    return print_written(global, *written, forms, "recorded");
  }());
}

// `record --attach`: the record and its files in one append.
Result<Outcome>
run_record_with_files(const GlobalOptions& global,
                      vault::Vault& opened,
                      records::Change change,
                      const std::vector<form::Form>& forms,
                      const std::vector<std::string>& paths,
                      std::vector<json::Json> facts,
                      const records::WriteOptions& write_options)
{
  CUSTODY_ASSIGN(files, stage_files(opened, paths, std::move(facts), {}));
  auto recorded =
    record_with_files(opened, std::move(change), files, write_options);
  print_notes(*write_options.notes);
  if (!recorded) {
    return tl::unexpected(recorded.error());
  }
  end_with_checkpoint(global, opened);
  const std::string& id = recorded->record.record_id;
  if (global.json) {
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < recorded->files.size(); ++i) {
      const auto& file = recorded->files[i];
      list.push_back({{"seq", file.seq},
                      {"name", file.name},
                      {"kind", files[i].second.kind},
                      {"size", file.size},
                      {"sha256", to_hex(file.sha256)},
                      {"object", to_hex(file.object)}});
    }
    nlohmann::json record = {
      {"id", id},
      {"receipt", records::receipt_of(id)},
      {"seq", recorded->record.seq},
      {"form",
       fmt::format("{}:{}", forms[0].origin.file, forms[0].origin.line)},
      {"attachments", list}};
    fmt::print("{}\n",
               nlohmann::json{{"type", "recorded"},
                              {"records", nlohmann::json::array({record})}}
                 .dump());
    return Outcome::ok;
  }
  fmt::print("{} {}\n", id, records::receipt_of(id));
  for (const auto& file : recorded->files) {
    note(fmt::format("attached {} (entry {}, {} bytes, sha256 {})",
                     printable(file.name),
                     file.seq,
                     file.size,
                     to_hex(file.sha256)));
  }
  note(fmt::format("recorded 1 record with {} attachment{}",
                   recorded->files.size(),
                   recorded->files.size() == 1 ? "" : "s"));
  return Outcome::ok;
}

Result<Outcome>
run_record(const GlobalOptions& global, RecordOptions options)
{
  // Checked before anything else: without them, nothing below can run.
  CUSTODY_TRY(require_vault(global));
  CUSTODY_TRY(require_identity(global));
  if (!options.form_argument.empty()) {
    if (!options.form.empty()) {
      return make_error(Errc::usage,
                        "a form given twice (FORM and --form)",
                        "give the form once, as FORM or as --form FORM");
    }
    options.form = options.form_argument;
  }
  if (!options.attach.empty() && !options.amend.empty()) {
    return make_error(Errc::usage,
                      "--attach adds files to a new record; a correction "
                      "(--amend) takes none",
                      "attach files to an existing record with `custody "
                      "attach RECORD FILE...`");
  }
  if (!options.reason.empty() && options.amend.empty()) {
    return make_error(Errc::usage, "--reason goes with --amend");
  }
  CUSTODY_TRY(check_intake_options(
    options.intake, !options.form.empty() || !options.amend.empty()));
  if (options.form.empty()) {
    if (!options.amend.empty() && interactive_terminal()) {
      // A correction without a form is made in the editor (custody edit).
      return run_edit(global, {options.amend, options.reason, false});
    }
    if (!options.amend.empty() || !interactive_terminal()) {
      return make_error(
        Errc::usage,
        "no form given",
        "pass --form FILE (YAML, JSON, JSON Lines), --form DIR or --form -; on "
        "a terminal, "
        "`custody record` alone asks for the form field by field");
    }
    return run_interactive(global, options.intake, options.allow_duplicate);
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
  if (!options.attach.empty() && forms.size() != 1) {
    return make_error(
      Errc::usage,
      fmt::format("--attach adds files to one new record; \"{}\" holds {} "
                  "forms",
                  options.form,
                  forms.size()),
      "record the batch, then attach each record's files with `custody "
      "attach RECORD FILE...`");
  }
  // The files are checked, and their media facts read, before the
  // passphrase too.
  std::vector<json::Json> facts;
  if (!options.attach.empty()) {
    CUSTODY_ASSIGN(probed, probe_files(options.attach));
    facts = std::move(probed);
  }
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  vault::Vault* opened = &session.vault;
  const auto places = records::places_of(*opened);
  const records::Places* places_ptr = places ? &*places : nullptr;
  if (!options.amend.empty()) {
    return run_amend(global,
                     *opened,
                     options.amend,
                     forms.front(),
                     schemas,
                     places_ptr,
                     options.reason);
  }
  // Every form is split and checked before anything is written: all or nothing.
  CUSTODY_ASSIGN(changes, records::prepare(forms, schemas, places_ptr));
  vault::Notes notes;
  const records::WriteOptions write_options{options.allow_duplicate
                                              ? records::Duplicates::allow
                                              : records::Duplicates::refuse,
                                            &notes};
  if (!options.attach.empty()) {
    auto outcome = run_record_with_files(global,
                                         *opened,
                                         std::move(changes.front()),
                                         forms,
                                         options.attach,
                                         std::move(facts),
                                         write_options);
    if (outcome) {
      forget_expired_drafts(*opened);
    }
    return outcome;
  }
  auto written = records::write(*opened, std::move(changes), write_options);
  print_notes(notes);
  if (!written) {
    return tl::unexpected(written.error());
  }
  end_with_checkpoint(global, *opened);
  // Once the forms are written: a refused command writes nothing (R12).
  forget_expired_drafts(*opened);
  auto outcome = print_written(global, *written, forms, "recorded");
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
  sub->add_option("FORM", options->form_argument, "The same as --form FORM");
  sub->add_option("--form",
                  options->form,
                  "A form file, a directory of forms, a JSON Lines file, or - "
                  "for standard input");
  sub->add_option("--attach",
                  options->attach,
                  "Attach these files to the new record, in the same write "
                  "(one form only)");
  sub->add_flag("--allow-duplicate",
                options->allow_duplicate,
                "Record a form even when a record was made from the same "
                "form before");
  sub->add_option(
    "--amend",
    options->amend,
    "Correct record ID with this full, corrected form (legal members)");
  sub->add_option("--reason",
                  options->reason,
                  "With --amend: why the record is corrected, kept encrypted "
                  "in the amendment (identity)");
  add_intake_options(*sub, options->intake);
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_record(global, *options); };
  });
}

} // namespace custody::cli
