// custody attach: evidence media into the vault, one pass per file, one entry
// per attachment (docs/formats.md section 6.2.1).
#include "attaching.hpp"
#include "commands.hpp"
#include "session.hpp"

#include <custody/media/attach.hpp>
#include <custody/records/readers.hpp>
#include <custody/records/receipt.hpp>

#include <fmt/core.h>
#include <fmt/std.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>

namespace custody::cli {

namespace {

struct AttachOptions
{
  std::string record;
  std::vector<std::string> files;
  // Each --note as given; notes_by_file gives each file its own.
  std::vector<std::string> notes;
  FileOptions described;
};

// The note of each file: a --note belongs to the FILE just before it, and one
// given before the first FILE to every file without a note of its own. Read
// from the order CLI11 parsed the arguments in.
Result<std::vector<std::string>>
notes_by_file(const CLI::App& sub,
              const CLI::Option* file_option,
              const CLI::Option* note_option,
              const AttachOptions& options)
{
  std::vector<std::optional<std::string>> own(options.files.size());
  std::string for_every;
  std::size_t files_seen = 0;
  std::size_t notes_seen = 0;
  for (const CLI::Option* option : sub.parse_order()) {
    if (option == file_option) {
      ++files_seen;
    } else if (option == note_option && notes_seen < options.notes.size()) {
      const std::string& note = options.notes[notes_seen++];
      if (files_seen == 0) {
        for_every = note;
      } else if (own[files_seen - 1]) {
        return make_error(
          Errc::usage,
          fmt::format("two notes for {}", options.files[files_seen - 1]),
          "a --note belongs to the FILE just before it; give one per file");
      } else {
        own[files_seen - 1] = note;
      }
    }
  }
  std::vector<std::string> notes;
  notes.reserve(own.size());
  for (auto& note : own) {
    notes.push_back(note ? std::move(*note) : for_every);
  }
  return notes;
}

Result<Outcome>
run_attach(const GlobalOptions& global, const AttachOptions& options)
{
  CUSTODY_TRY(require_vault(global));
  CUSTODY_TRY(require_identity(global));
  CUSTODY_TRY(check_file_options(options.described));
  // Every file is checked, and its media facts read, before a passphrase is
  // asked for.
  CUSTODY_ASSIGN(facts, probe_files(options.files));
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  vault::Vault& opened = session.vault;
  // Through the record list every role holds: an id with one wrong digit is
  // refused, with the records one mistake away (docs/formats.md 6.2.2).
  vault::Notes notes;
  auto resolved = records::resolve_id(opened, options.record, notes);
  print_notes(notes);
  if (!resolved) {
    return tl::unexpected(resolved.error());
  }
  const std::string& record_id = *resolved;
  CUSTODY_ASSIGN(
    files,
    stage_files(opened, options.files, std::move(facts), options.described));
  notes.clear();
  auto attached = attach::write(opened, record_id, files, notes);
  print_notes(notes);
  if (!attached) {
    return tl::unexpected(attached.error());
  }
  const auto& written = *attached;
  end_with_checkpoint(global, opened);
  const std::string receipt = records::receipt_of(record_id);
  if (global.json) {
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < written.size(); ++i) {
      list.push_back({{"seq", written[i].seq},
                      {"name", written[i].name},
                      {"kind", files[i].second.kind},
                      {"size", written[i].size},
                      {"sha256", to_hex(written[i].sha256)},
                      {"object", to_hex(written[i].object)}});
    }
    fmt::print("{}\n",
               nlohmann::json{{"type", "attached"},
                              {"record", record_id},
                              {"receipt", receipt},
                              {"attachments", list}}
                 .dump());
    return Outcome::ok;
  }
  for (const auto& item : written) {
    fmt::print(
      "attached {} to {} (receipt {}): entry {}, {} bytes, sha256 {}\n",
      printable(item.name),
      record_id,
      receipt,
      item.seq,
      item.size,
      to_hex(item.sha256));
  }
  return Outcome::ok;
}

} // namespace

void
register_attach(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<AttachOptions>();
  auto* sub = app.add_subcommand(
    "attach",
    "Attach evidence media (audio, video, photos, documents) to a record");
  add_record_argument(*sub, "RECORD", options->record);
  auto* file_option =
    sub->add_option("FILE", options->files, "The files to attach")->required();
  sub->add_option("--kind",
                  options->described.kind,
                  "audio, video, photo or document (default: from the file)");
  auto* note_option =
    sub
      ->add_option("--note",
                   options->notes,
                   "A note kept with the FILE it follows (encrypted); before "
                   "the first FILE, for every file")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  sub->add_option("--captured-at",
                  options->described.captured_at,
                  "When it was captured, if the file does not say (RFC 3339)");
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options, sub, file_option, note_option] {
    auto notes = notes_by_file(*sub, file_option, note_option, *options);
    if (!notes) {
      action = [error = notes.error()]() -> Result<Outcome> {
        return tl::unexpected(error);
      };
      return;
    }
    options->described.notes = std::move(*notes);
    action = [&global, options] { return run_attach(global, *options); };
  });
}

} // namespace custody::cli
