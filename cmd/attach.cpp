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

namespace custody::cli {

namespace {

struct AttachOptions
{
  std::string record;
  std::vector<std::string> files;
  FileOptions described;
};

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
  sub->add_option("FILE", options->files, "The files to attach")->required();
  sub->add_option("--kind",
                  options->described.kind,
                  "audio, video, photo or document (default: from the file)");
  sub->add_option("--note",
                  options->described.note,
                  "A note kept with the attachment (encrypted)");
  sub->add_option("--captured-at",
                  options->described.captured_at,
                  "When it was captured, if the file does not say (RFC 3339)");
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_attach(global, *options); };
  });
}

} // namespace custody::cli
