// custody extract: an attachment's exact bytes, checked against the SHA-256
// recorded when it was attached; with --redacted, its latest redacted
// derivative (docs/formats.md 6.6.1), checked the same way.
#include "commands.hpp"
#include "progress.hpp"
#include "reading.hpp"
#include "session.hpp"

#include <custody/media/attach.hpp>
#include <custody/records/index.hpp>
#include <custody/redact/photo_record.hpp>

#include <fmt/core.h>
#include <fmt/std.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>

namespace custody::cli {

namespace {

struct ExtractOptions
{
  std::string record;
  std::size_t number = 0;
  std::string output;
  bool redacted = false;
};

// The plaintext to standard output as it is decrypted, as age -d and gpg -d do:
// each chunk is authenticated before it is written, but the whole file's
// SHA-256 is known only at the end, so a mismatch there fails the command
// after the bytes went out (docs/decisions.md).
Result<attach::Extracted>
to_standard_output(const fs::Path& vault,
                   const Digest& object,
                   std::uint64_t size,
                   const Digest& sha256,
                   const age::X25519Identity& key,
                   const std::atomic<bool>* cancel)
{
  return attach::read_plaintext(
    vault,
    object,
    key,
    size,
    sha256,
    [](ByteView piece) -> Result<void> {
      return fs::write_all(STDOUT_FILENO, piece, "standard output");
    },
    cancel,
    terminal_progress("extract"));
}

// Object `object` decrypted to `output` (a new file, or "-" for standard
// output), its plaintext checked against `size` and `sha256`, with progress on
// a terminal and Ctrl-C heard.
Result<attach::Extracted>
write_checked(const fs::Path& vault,
              const Digest& object,
              std::uint64_t size,
              const Digest& sha256,
              const age::X25519Identity& key,
              const std::string& output)
{
  const auto* cancel = watch_interrupts();
  auto extracted =
    output == "-" ? to_standard_output(vault, object, size, sha256, key, cancel)
                  : attach::extract(vault,
                                    object,
                                    key,
                                    size,
                                    sha256,
                                    output,
                                    cancel,
                                    terminal_progress("extract"));
  finish_progress();
  return extracted;
}

// The latest redacted derivative of the attachment the member may read: a
// legal member any, an advocacy member a released one.
Result<Outcome>
extract_redacted(const GlobalOptions& global,
                 const ExtractOptions& options,
                 vault::Vault& opened,
                 bool to_stdout)
{
  CUSTODY_ASSIGN(shards, open_readable(opened));
  CUSTODY_ASSIGN(
    derivative,
    redact::current_photo_derivative(shards, options.record, options.number));
  CUSTODY_ASSIGN(key, opened.key(derivative.compartment, derivative.epoch));
  CUSTODY_ASSIGN(extracted,
                 write_checked(opened.directory(),
                               derivative.object,
                               derivative.size,
                               derivative.sha256,
                               *key,
                               options.output));
  save_shards(shards);
  if (global.json && !to_stdout) {
    fmt::print("{}\n",
               nlohmann::json{{"type", "extracted"},
                              {"record", derivative.record},
                              {"attachment", options.number},
                              {"redacted", true},
                              {"seq", derivative.seq},
                              {"format", derivative.format},
                              {"size", extracted.size},
                              {"sha256", to_hex(extracted.sha256)},
                              {"output", options.output}}
                 .dump());
    return Outcome::ok;
  }
  const std::string line = fmt::format(
    "extracted the redacted attachment {} (entry {}, {}, {} "
    "bytes, sha256 {}, checked) to {}",
    options.number,
    derivative.seq,
    derivative.format,
    extracted.size,
    to_hex(extracted.sha256),
    to_stdout ? std::string("standard output") : printable(options.output));
  if (to_stdout) {
    note(line);
  } else {
    fmt::print("{}\n", line);
  }
  return Outcome::ok;
}

Result<Outcome>
run_extract(const GlobalOptions& global, const ExtractOptions& options)
{
  // Refused before the vault is opened: a refused command writes nothing, not
  // even the caches a reader brings up to date (R12). extract() checks again
  // when it links the file, which never replaces one.
  const bool to_stdout = options.output == "-";
  if (to_stdout && ::isatty(STDOUT_FILENO) != 0) {
    return make_error(
      Errc::invalid_input,
      "-o - writes the attachment's bytes to standard output, which is a "
      "terminal; nothing was written",
      "redirect it to a file or a pipe (`-o - > FILE`, `-o - | PROGRAM`), or "
      "name a file with -o FILE");
  }
  if (to_stdout && global.json) {
    return make_error(Errc::usage,
                      "--json and -o - both want standard output",
                      "drop --json, or name a file with -o FILE");
  }
  std::error_code ec;
  if (!to_stdout
      && std::filesystem::exists(
        std::filesystem::symlink_status(options.output, ec))) {
    return make_error(Errc::invalid_input,
                      fmt::format("{} already exists; nothing was written",
                                  std::filesystem::path(options.output)),
                      "choose a new file name; extract never replaces a file");
  }
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::read));
  vault::Vault& opened = session.vault;
  if (options.redacted) {
    return extract_redacted(global, options, opened, to_stdout);
  }
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
  CUSTODY_ASSIGN(extracted,
                 write_checked(opened.directory(),
                               row.object,
                               recorded.size,
                               recorded.sha256,
                               *key,
                               options.output));
  save_shard(shard);
  if (to_stdout) {
    note(fmt::format("extracted {} ({} bytes, sha256 {}, checked) to standard "
                     "output",
                     row.attachment.value("name", ""),
                     extracted.size,
                     to_hex(extracted.sha256)));
    return Outcome::ok;
  }
  if (global.json) {
    fmt::print("{}\n",
               nlohmann::json{{"type", "extracted"},
                              {"record", found.id},
                              {"attachment", options.number},
                              {"name", row.attachment.value("name", "")},
                              {"seq", row.seq},
                              {"size", extracted.size},
                              {"sha256", to_hex(extracted.sha256)},
                              {"output", options.output}}
                 .dump());
    return Outcome::ok;
  }
  fmt::print("extracted {} ({} bytes, sha256 {}, checked) to {}\n",
             printable(row.attachment.value("name", "")),
             extracted.size,
             to_hex(extracted.sha256),
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
    ->add_option("-o,--output",
                 options->output,
                 "The file to write (must not exist), or - for standard output")
    ->required();
  sub->add_flag("--redacted",
                options->redacted,
                "Write the attachment's latest redacted derivative (`custody "
                "redact --profile photo`) instead: legal members any, "
                "advocacy those released to it");
  sub->add_flag("--json", global.json, "Print JSON");
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_extract(global, *options); };
  });
}

} // namespace custody::cli
