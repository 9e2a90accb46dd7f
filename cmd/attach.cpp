// custody attach: evidence media into the vault, one pass per file, one entry
// per attachment (docs/formats.md section 6.2.1).
#include "commands.hpp"
#include "progress.hpp"
#include "reading.hpp"
#include "session.hpp"

#include <custody/base/time.hpp>
#include <custody/media/attach.hpp>
#include <custody/media/kind.hpp>
#include <custody/media/media.hpp>
#include <custody/records/readers.hpp>

#include <fmt/core.h>
#include <fmt/std.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <optional>

namespace custody::cli {

namespace {

struct AttachOptions
{
  std::string record;
  std::vector<std::string> files;
  std::string kind;
  // Each --note as given, and the note of each file (notes_by_file).
  std::vector<std::string> notes;
  std::vector<std::string> file_notes;
  std::string captured_at;
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

constexpr std::chrono::milliseconds k_probe_timeout{30000};

// A record id through the shards the member opens, or whole for intake.
Result<std::string>
resolve_record(vault::Vault& opened, const std::string& id)
{
  vault::Notes notes;
  auto resolved = records::resolve_id(opened, id, notes);
  print_notes(notes);
  return resolved;
}

Result<Outcome>
run_attach(const GlobalOptions& global, const AttachOptions& options)
{
  CUSTODY_TRY(require_vault(global));
  CUSTODY_TRY(require_identity(global));
  if (!options.kind.empty() && !media::is_kind(options.kind)) {
    return make_error(Errc::usage,
                      fmt::format("--kind {} is not a kind", options.kind),
                      "use audio, video, photo or document");
  }
  if (!options.captured_at.empty()
      && !time::is_date_or_rfc3339(options.captured_at)) {
    return make_error(Errc::usage,
                      "--captured-at is not a date or an RFC 3339 time",
                      "e.g. 2025-03-14 or 2025-03-14T21:40:00+03:00");
  }
  // Every file is checked before a passphrase is asked for: a wrong path
  // costs nothing and writes nothing. Its media facts are read now too, by a
  // child process (this binary, exec'd afresh) that never holds a key: the
  // parsers are the attack surface of untrusted files.
  std::vector<json::Json> facts;
  for (const auto& file : options.files) {
    CUSTODY_TRY(attach::check_source(file));
    auto read = media::probe("/proc/self/exe", file, k_probe_timeout);
    if (read) {
      facts.push_back(std::move(*read));
    } else {
      warn(fmt::format("{}: its media facts could not be read ({}); it is "
                       "attached without them",
                       file,
                       read.error().message));
      facts.push_back(json::Json::object());
    }
  }
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  vault::Vault& opened = session.vault;
  CUSTODY_ASSIGN(record_id, resolve_record(opened, options.record));
  CUSTODY_ASSIGN(recipient, opened.recipient(vault::Compartment::identity));
  const auto* cancel = watch_interrupts();
  std::vector<std::pair<attach::Staged, attach::Description>> files;
  for (std::size_t i = 0; i < options.files.size(); ++i) {
    const std::string& file = options.files[i];
    attach::Description description;
    description.media = std::move(facts[i]);
    description.name = std::filesystem::path(file).filename().string();
    description.note = options.file_notes[i];
    description.captured_at = options.captured_at;
    description.kind = options.kind.empty()
                         ? media::kind_of(file, description.media)
                         : options.kind;
    auto staged = attach::stage(opened.directory(),
                                file,
                                recipient,
                                cancel,
                                terminal_progress(description.name));
    finish_progress();
    if (!staged) {
      return tl::unexpected(staged.error());
    }
    files.emplace_back(std::move(*staged), std::move(description));
  }
  if (cancel->load()) {
    return make_error(Errc::interrupted, "interrupted; nothing was written");
  }
  CUSTODY_ASSIGN(written, attach::write(opened, record_id, files));
  end_with_checkpoint(global, opened);
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
                              {"attachments", list}}
                 .dump());
    return Outcome::ok;
  }
  for (const auto& item : written) {
    fmt::print("attached {} to {} (entry {}, {} bytes, sha256 {})\n",
               printable(item.name),
               record_id,
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
                  options->kind,
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
                  options->captured_at,
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
    options->file_notes = std::move(*notes);
    action = [&global, options] { return run_attach(global, *options); };
  });
}

} // namespace custody::cli
