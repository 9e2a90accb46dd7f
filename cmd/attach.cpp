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

namespace custody::cli {

namespace {

struct AttachOptions
{
  std::string record;
  std::vector<std::string> files;
  std::string kind;
  std::string note;
  std::string captured_at;
};

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
    description.note = options.note;
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
  sub->add_option("FILE", options->files, "The files to attach")->required();
  sub->add_option("--kind",
                  options->kind,
                  "audio, video, photo or document (default: from the file)");
  sub->add_option(
    "--note", options->note, "A note kept with the attachment (encrypted)");
  sub->add_option("--captured-at",
                  options->captured_at,
                  "When it was captured, if the file does not say (RFC 3339)");
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_attach(global, *options); };
  });
}

} // namespace custody::cli
