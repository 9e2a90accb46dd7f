// Files checked, probed and staged for `attach` and `record --attach`
// (attaching.hpp).
#include "attaching.hpp"

#include "progress.hpp"

#include <custody/base/time.hpp>
#include <custody/media/kind.hpp>
#include <custody/media/probe.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

#include <filesystem>

namespace custody::cli {

namespace {

constexpr std::chrono::milliseconds k_probe_timeout{30000};

} // namespace

Result<void>
check_file_options(const FileOptions& options)
{
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
  return {};
}

Result<std::vector<json::Json>>
probe_files(const std::vector<std::string>& files)
{
  CUSTODY_ASSIGN(helper, media_helper());
  std::vector<json::Json> facts;
  for (const auto& file : files) {
    CUSTODY_TRY(attach::check_source(file));
    auto read = media::probe(helper, file, k_probe_timeout);
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
  return facts;
}

Result<StagedFiles>
stage_files(vault::Vault& vault,
            const std::vector<std::string>& files,
            std::vector<json::Json> facts,
            const FileOptions& options)
{
  CUSTODY_ASSIGN(recipient, vault.recipient(vault::Compartment::identity));
  const auto* cancel = watch_interrupts();
  StagedFiles staged_files;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& file = files[i];
    attach::Description description;
    description.media = std::move(facts[i]);
    description.name = std::filesystem::path(file).filename().string();
    description.note = i < options.notes.size() ? options.notes[i] : "";
    description.captured_at = options.captured_at;
    description.kind = options.kind.empty()
                         ? media::kind_of(file, description.media)
                         : options.kind;
    auto staged = attach::stage(vault.directory(),
                                file,
                                recipient,
                                cancel,
                                terminal_progress(description.name));
    finish_progress();
    if (!staged) {
      return tl::unexpected(staged.error());
    }
    staged_files.emplace_back(std::move(*staged), std::move(description));
  }
  if (cancel->load()) {
    return make_error(Errc::interrupted, "interrupted; nothing was written");
  }
  return staged_files;
}

Result<RecordedWithFiles>
record_with_files(vault::Vault& vault,
                  records::Change change,
                  StagedFiles& files,
                  const records::WriteOptions& options)
{
  CUSTODY_ASSIGN(record, records::stage(vault, {std::move(change)}, options));
  // The record's id is final once staged (a taken receipt draws another).
  const std::string record_id = record.ids.front();
  CUSTODY_ASSIGN(attached, attach::prepare(vault, record_id, files));
  CUSTODY_TRY(record.objects->commit());
  CUSTODY_TRY(attach::make_durable(vault, attached, files));
  std::vector<vault::Vault::NewEntry> entries = std::move(record.entries);
  for (auto& entry : attached.entries) {
    entries.push_back(std::move(entry));
  }
  CUSTODY_ASSIGN(appended, vault.append(ledger::Kind::put, std::move(entries)));
  RecordedWithFiles out;
  out.record = {record_id, appended[0].seq, appended[0].hash};
  out.files = std::move(attached.written);
  for (std::size_t i = 0; i < out.files.size(); ++i) {
    out.files[i].seq = appended[i + 1].seq;
    out.files[i].hash = appended[i + 1].hash;
  }
  return out;
}

} // namespace custody::cli
