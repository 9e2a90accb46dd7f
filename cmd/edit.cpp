// custody edit: a record's form in the member's editor, from a file that
// exists only in memory; the fields changed shown and confirmed, then written
// as an amendment with its reason (docs/security.md "Editing a record").
#include "edit.hpp"

#include "commands.hpp"
#include "output.hpp"
#include "reading.hpp"
#include "record_interactive.hpp"
#include "session.hpp"
#include "terminal.hpp"

#include <custody/records/amend.hpp>
#include <custody/records/form.hpp>
#include <custody/records/form_yaml.hpp>
#include <custody/records/readers.hpp>
#include <custody/records/view.hpp>
#include <custody/schema/schema.hpp>
#include <custody/sys/memfile.hpp>
#include <custody/sys/spawn.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>

extern char** environ; // NOLINT(readability-redundant-declaration): POSIX

namespace custody::cli {

namespace {

constexpr std::string_view k_incident_schema = "incident.schema.json";

// The editor to run, and whether custody knows how to keep it from writing
// swap, backup, undo or history files (docs/security.md).
struct Editor
{
  std::vector<std::string> argv;
  std::string name; // as the member named it
  bool known = false;
};

// `name` found in PATH (unless it holds a '/'), links resolved: vi is often
// vim under another name, and only vim takes vim's options.
std::string
resolved_name(const std::string& name)
{
  namespace stdfs = std::filesystem;
  std::error_code ec;
  stdfs::path found;
  if (name.find('/') != std::string::npos) {
    found = name;
  } else if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::istringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      const stdfs::path candidate = stdfs::path(dir.empty() ? "." : dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) {
        found = candidate;
        break;
      }
    }
  }
  if (found.empty()) {
    return name;
  }
  const auto real = stdfs::canonical(found, ec);
  return ec ? found.filename().string() : real.filename().string();
}

Editor
editor_command()
{
  std::string text;
  for (const char* variable : {"VISUAL", "EDITOR"}) {
    if (const char* value = std::getenv(variable);
        value != nullptr && *value != '\0') {
      text = value;
      break;
    }
  }
  if (text.empty()) {
    text = "vi";
  }
  Editor editor;
  // Words split on blanks, no shell: "vim -u NONE" works, quoting does not.
  std::istringstream words(text);
  std::string word;
  while (words >> word) {
    editor.argv.push_back(word);
  }
  if (editor.argv.empty()) {
    editor.argv.emplace_back("vi");
  }
  editor.name = editor.argv.front();
  const std::string real = resolved_name(editor.name);
  const auto add = [&](std::initializer_list<const char*> args) {
    editor.argv.insert(editor.argv.end(), args.begin(), args.end());
    editor.known = true;
  };
  if (real.starts_with("vim") || real == "nvim") {
    // -n: no swap file (set after the vimrc, so it wins); -i NONE: no
    // viminfo or shada (registers hold yanked text); the options after the
    // vimrc: no backup, no undo file; no modelines read from the record.
    add({"-n",
         "-i",
         "NONE",
         "--cmd",
         "set nomodeline",
         "-c",
         "set nobackup nowritebackup noundofile"});
  } else if (real.starts_with("nano")) {
    // No nanorc (backups, locking, history and position logs are all set
    // there); restricted: no file but the one given is read or written.
    add({"--ignorercfiles", "--restricted"});
  } else if (real.starts_with("emacs") && !real.starts_with("emacsclient")) {
    static constexpr const char* k_no_copies =
      "(setq make-backup-files nil backup-inhibited t auto-save-default nil "
      "create-lockfiles nil auto-save-list-file-prefix nil)";
    add({"-nw", "-q", "--no-site-file", "--eval", k_no_copies});
  }
  return editor;
}

// The parent's environment but custody's own variables, for the editor.
std::vector<std::string>
editor_environment()
{
  std::vector<std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (!text.starts_with("CUSTODY_")) {
      out.emplace_back(text);
    }
  }
  return out;
}

std::string
value_text(const std::optional<json::Json>& value)
{
  if (!value) {
    return "(none)";
  }
  std::string text =
    value->is_string() ? value->get<std::string>() : value->dump();
  if (value->is_array()) {
    text.clear();
    for (const auto& item : *value) {
      text += text.empty() ? "" : ", ";
      text += item.is_string() ? item.get<std::string>() : item.dump();
    }
    text = "[" + text + "]";
  }
  std::string indented;
  for (std::size_t start = 0;;) {
    const auto end = text.find('\n', start);
    indented += printable(std::string_view(text).substr(start, end - start));
    if (end == std::string::npos) {
      break;
    }
    indented += "\n        | ";
    start = end + 1;
  }
  return indented;
}

void
show_changes(const std::string& id,
             const std::vector<records::FieldChange>& changes)
{
  std::cerr << fmt::format("Changes to record {}:\n", id);
  for (const auto& change : changes) {
    std::cerr << fmt::format("  {}\n    before: {}\n    after:  {}\n",
                             change.pointer,
                             value_text(change.before),
                             value_text(change.after));
  }
}

// Whether the text holds nothing but comments and blank lines.
bool
emptied(std::string_view text)
{
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos && line[first] != '#') {
      return false;
    }
  }
  return true;
}

// What the edit starts from, read with the vault open for reading only: the
// editor may run for minutes, and no writer waits for it.
struct Begun
{
  std::string id;
  std::string last_hash;
  json::Json form;
  std::optional<records::Places> places;
};

Result<Begun>
begin(const GlobalOptions& global,
      const identity::Member& member,
      const std::string& typed)
{
  CUSTODY_ASSIGN(directory, require_vault(global));
  vault::Notes notes;
  auto opened = vault::Vault::open(
    directory, member, open_options(global, vault::Access::read), notes);
  print_notes(notes);
  if (!opened) {
    return tl::unexpected(opened.error());
  }
  auto shards = open_readable(*opened);
  if (!shards && shards.error().code == Errc::auth) {
    return make_error(
      Errc::auth,
      "correcting a record needs every record compartment (the legal role)",
      "ask a legal member to make the correction");
  }
  if (!shards) {
    return tl::unexpected(shards.error());
  }
  CUSTODY_ASSIGN(view, records::view_record(*shards, typed));
  auto form = records::record_as_form(*shards, view.id);
  if (!form && form.error().code == Errc::auth) {
    return make_error(
      Errc::auth,
      "correcting a record needs every record compartment (the legal role)",
      "ask a legal member to make the correction");
  }
  if (!form) {
    return tl::unexpected(form.error());
  }
  save_shards(*shards);
  return Begun{view.id,
               view.history.back().hash,
               std::move(*form),
               records::places_of(*opened)};
}

// The form as the member left it in the editor, checked as any form is;
// asks to edit again (on a terminal) while it has problems.
Result<form::Form>
edit_in_memory(const Editor& editor,
               const Begun& begun,
               const schema::SchemaSet& schemas)
{
  CUSTODY_ASSIGN(file, memfile::MemoryFile::create("custody-edit"));
  const std::string comment = fmt::format(
    "custody edit: record {}\n"
    "Correct what needs correcting, save and quit; the changes are shown\n"
    "before anything is written. Lines starting with # are ignored; a file\n"
    "left empty writes nothing. This text is in memory only.",
    begun.id);
  std::string text = form::to_yaml(begun.form, schemas, comment);
  spawn::Attached command;
  command.argv = editor.argv;
  command.argv.push_back(file.path());
  command.environment = editor_environment();
  command.descriptor = file.child_descriptor();
  for (;;) {
    CUSTODY_TRY(file.replace(text));
    CUSTODY_ASSIGN(finished, spawn::run_attached(command));
    if (finished.end != spawn::Finished::End::exited || finished.code != 0) {
      return fail(Errc::interrupted,
                  "the editor {} ended with {} {}; nothing was written",
                  printable(editor.name),
                  finished.end == spawn::Finished::End::exited ? "status"
                                                               : "signal",
                  finished.code);
    }
    CUSTODY_ASSIGN(edited, file.read(form::k_max_form_bytes));
    if (emptied(edited)) {
      return make_error(Errc::interrupted,
                        "the form was left empty; nothing was written");
    }
    auto batch =
      form::check_text(edited, "(edited form)", form::Format::yaml, schemas);
    Result<void> checked;
    if (!batch.ok()) {
      checked = tl::unexpected(form::batch_error(batch));
    } else {
      // What the schema cannot say (one consent scope alone, a district of
      // the places list) is checked now too, not once written.
      auto parts = records::parts_of(batch.forms.front().value,
                                     batch.forms.front().origin,
                                     schemas,
                                     begun.places ? &*begun.places : nullptr);
      if (!parts) {
        checked = tl::unexpected(parts.error());
      }
    }
    if (checked) {
      return std::move(batch.forms.front());
    }
    if (!interactive_terminal()) {
      return tl::unexpected(checked.error());
    }
    print_error(checked.error(), false);
    const auto again = ask_line("Edit the form again? [Y/n] ");
    if (!again
        || (!again->empty() && (*again)[0] != 'y' && (*again)[0] != 'Y')) {
      return make_error(Errc::interrupted,
                        "the correction was abandoned; nothing was written");
    }
    // The problems name fields and lines, never values: they may go on top.
    std::string problems;
    std::istringstream lines(checked.error().message);
    std::string line;
    while (std::getline(lines, line)) {
      problems += "# problem: " + line + "\n";
    }
    text = problems + edited;
  }
}

Result<Outcome>
write_amendment(const GlobalOptions& global,
                const identity::Member& member,
                const Begun& begun,
                const form::Form& edited,
                const schema::SchemaSet& schemas,
                const std::string& reason,
                const std::vector<records::FieldChange>& changes)
{
  CUSTODY_ASSIGN(directory, require_vault(global));
  vault::Notes notes;
  auto opened = vault::Vault::open(
    directory, member, open_options(global, vault::Access::write), notes);
  print_notes(notes);
  if (!opened) {
    return tl::unexpected(opened.error());
  }
  CUSTODY_ASSIGN(shards, open_readable(*opened));
  const auto places = records::places_of(*opened);
  CUSTODY_ASSIGN(amendment,
                 records::amendment(shards,
                                    begun.id,
                                    edited,
                                    schemas,
                                    places ? &*places : nullptr,
                                    {reason, begun.last_hash}));
  if (!amendment.change) {
    note(fmt::format("record {} already says exactly this; nothing was written",
                     begun.id));
    return Outcome::ok;
  }
  CUSTODY_ASSIGN(written,
                 records::write(*opened, {std::move(*amendment.change)}));
  save_shards(shards);
  end_with_checkpoint(global, *opened);
  if (global.json) {
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& change : changes) {
      nlohmann::json item{{"field", change.pointer}};
      if (change.before) {
        item["before"] = *change.before;
      }
      if (change.after) {
        item["after"] = *change.after;
      }
      fields.push_back(std::move(item));
    }
    fmt::print("{}\n",
               nlohmann::json{{"type", "amended"},
                              {"id", begun.id},
                              {"seq", written.front().seq},
                              {"reason", reason},
                              {"changes", fields}}
                 .dump());
  } else {
    fmt::print("{}\n", begun.id);
    note(fmt::format(
      "amended record {} (entry {})", begun.id, written.front().seq));
  }
  return Outcome::ok;
}

} // namespace

Result<Outcome>
run_edit(const GlobalOptions& global, const EditOptions& options)
{
  CUSTODY_TRY(require_vault(global));
  CUSTODY_ASSIGN(identity_file, require_identity(global));
  const bool terminal = interactive_terminal();
  // Refused before anything is unlocked or opened.
  if (options.reason.empty() && !terminal) {
    return make_error(Errc::usage,
                      "no terminal to ask for the reason on",
                      "give --reason TEXT: why the record is corrected");
  }
  if (!options.yes && !terminal) {
    return make_error(Errc::usage,
                      "no terminal to confirm the correction on",
                      "give --yes to write it without asking");
  }
  CUSTODY_TRY_CTX(records::check_reason(options.reason), "--reason");
  const Editor editor = editor_command();
  if (!editor.known) {
    warn(fmt::format(
      "custody does not know how to keep the editor {} from writing swap, "
      "backup or history files; check that it writes none beside the file "
      "or in its own folders (docs/security.md, \"Editing a record\")",
      printable(editor.name)));
  }
  CUSTODY_ASSIGN(schemas, schema::SchemaSet::from_embedded(k_incident_schema));
  CUSTODY_ASSIGN(member,
                 unlock_identity(identity_file, global.passphrase_file));
  CUSTODY_ASSIGN(begun, begin(global, member, options.id));
  CUSTODY_ASSIGN(edited, edit_in_memory(editor, begun, schemas));
  const auto changes = records::field_changes(begun.form, edited.value);
  if (changes.empty()) {
    note(fmt::format("record {}: nothing was changed; nothing was written",
                     begun.id));
    return Outcome::ok;
  }
  show_changes(begun.id, changes);
  std::string reason = options.reason;
  while (reason.empty()) {
    auto answer =
      ask_line("Why is the record corrected? (kept, encrypted, with "
               "the amendment) ");
    if (!answer) {
      return make_error(Errc::interrupted,
                        "the correction was abandoned; nothing was written");
    }
    if (auto checked = records::check_reason(*answer); !checked) {
      print_error(checked.error(), false);
      continue;
    }
    reason = *answer;
  }
  if (!options.yes) {
    if (!is_yes(ask_line("Write this correction? [y/N] "))) {
      return make_error(Errc::interrupted,
                        "the correction was declined; nothing was written");
    }
  }
  return write_amendment(
    global, member, begun, edited, schemas, reason, changes);
}

void
register_edit(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<EditOptions>();
  auto* sub = app.add_subcommand(
    "edit",
    "Correct a record in your editor (legal members): its form opens from "
    "a file in memory, the changes are shown and confirmed");
  add_record_argument(*sub, "ID", options->id);
  sub->add_option("--reason",
                  options->reason,
                  "Why the record is corrected, kept encrypted in the "
                  "amendment (asked for on a terminal when not given)");
  sub->add_flag("--yes",
                options->yes,
                "Write the correction without asking (needed without a "
                "terminal)");
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_edit(global, *options); };
  });
}

} // namespace custody::cli
