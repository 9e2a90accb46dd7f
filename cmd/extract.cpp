// custody extract: an attachment's exact bytes, checked against the SHA-256
// recorded when it was attached.
#include "commands.hpp"
#include "progress.hpp"
#include "reading.hpp"
#include "session.hpp"

#include <custody/media/attach.hpp>
#include <custody/records/index.hpp>

#include <fmt/core.h>
#include <fmt/std.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>

namespace custody::cli {

namespace {

struct ExtractOptions
{
  std::string record;
  std::size_t number = 0;
  std::string output;
};

Result<Outcome>
run_extract(const GlobalOptions& global, const ExtractOptions& options)
{
  // Refused before the vault is opened: a refused command writes nothing, not
  // even the caches a reader brings up to date (R12). extract() checks again
  // when it links the file, which never replaces one.
  std::error_code ec;
  if (std::filesystem::exists(
        std::filesystem::symlink_status(options.output, ec))) {
    return make_error(Errc::invalid_input,
                      fmt::format("{} already exists; nothing was written",
                                  std::filesystem::path(options.output)),
                      "choose a new file name; extract never replaces a file");
  }
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::read));
  vault::Vault& opened = session.vault;
  CUSTODY_ASSIGN(
    shard,
    open_shard(opened,
               vault::Compartment::identity,
               index::Need::everything,
               "your role ({}) cannot open original media",
               "originals live in the identity compartment, which only legal "
               "members hold"));
  CUSTODY_ASSIGN(found, shard.find(options.record));
  CUSTODY_ASSIGN(rows, shard.attachments(found.id));
  if (options.number == 0 || options.number > rows.size()) {
    return make_error(Errc::invalid_input,
                      fmt::format("record {} has no attachment {} (it has {})",
                                  found.id,
                                  options.number,
                                  rows.size()),
                      "`custody show` lists them with their numbers");
  }
  const index::AttachmentRow& row = rows[options.number - 1];
  CUSTODY_ASSIGN(recorded, attach::parse_recorded(row.attachment));
  CUSTODY_ASSIGN(key, opened.key(vault::Compartment::identity, row.epoch));
  const auto* cancel = watch_interrupts();
  auto extracted = attach::extract(opened.directory(),
                                   row.object,
                                   *key,
                                   recorded.size,
                                   recorded.sha256,
                                   options.output,
                                   cancel,
                                   terminal_progress("extract"));
  finish_progress();
  if (!extracted) {
    return tl::unexpected(extracted.error());
  }
  save_shard(shard);
  if (global.json) {
    fmt::print("{}\n",
               nlohmann::json{{"type", "extracted"},
                              {"record", found.id},
                              {"attachment", options.number},
                              {"name", row.attachment.value("name", "")},
                              {"seq", row.seq},
                              {"size", extracted->size},
                              {"sha256", to_hex(extracted->sha256)},
                              {"output", options.output}}
                 .dump());
    return Outcome::ok;
  }
  fmt::print("extracted {} ({} bytes, sha256 {}, checked) to {}\n",
             printable(row.attachment.value("name", "")),
             extracted->size,
             to_hex(extracted->sha256),
             printable(options.output));
  return Outcome::ok;
}

} // namespace

void
register_extract(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<ExtractOptions>();
  auto* sub = app.add_subcommand(
    "extract", "Write an attachment's original bytes to a file, checked");
  add_record_argument(*sub, "RECORD", options->record);
  sub
    ->add_option("ATTACHMENT",
                 options->number,
                 "The attachment's number, as `custody show` prints it")
    ->required();
  sub
    ->add_option(
      "-o,--output", options->output, "The file to write (must not exist)")
    ->required();
  sub->add_flag("--json", global.json, "Print JSON");
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_extract(global, *options); };
  });
}

} // namespace custody::cli
