// What the commands that attach files share (`attach`, `record --attach`):
// each file checked and its media facts read by a keyless child before any
// passphrase, then each staged into an unnamed object of the vault.
#pragma once

#include "common.hpp"

#include <custody/media/attach.hpp>
#include <custody/records/records.hpp>

#include <string>
#include <utility>
#include <vector>

namespace custody::cli {

// What the user says of the files of one command.
struct FileOptions
{
  std::string kind; // empty: from each file
  // The note of each file, in the order of the files (none: no notes).
  std::vector<std::string> notes;
  std::string captured_at;
};

// Checks the options (Errc::usage naming the bad one).
[[nodiscard]] Result<void> check_file_options(const FileOptions& options);

// Checks that each file can be attached and reads its media facts, in a child
// process (this binary, exec'd afresh) that never holds a key: the parsers
// are the attack surface of untrusted files. A file whose facts cannot be
// read is attached without them, with a warning. Run before any passphrase:
// a wrong path costs nothing and writes nothing.
[[nodiscard]] Result<std::vector<json::Json>>
probe_files(const std::vector<std::string>& files);

using StagedFiles = std::vector<std::pair<attach::Staged, attach::Description>>;

// Reads, hashes and encrypts each file to the identity compartment into an
// unnamed object (attach::stage), with progress on a terminal.
// Errc::interrupted, with nothing written, when interrupted.
[[nodiscard]] Result<StagedFiles>
stage_files(vault::Vault& vault,
            const std::vector<std::string>& files,
            std::vector<json::Json> facts,
            const FileOptions& options);

// `record --attach`: one new record and its files in one command
// (docs/formats.md 6.2.1). The record's payload objects, the media objects
// and the attachment documents are made durable first, then the record's
// `put`, one `put` per file and one seal are appended in one write: an
// interruption before it leaves only objects no entry names, never a record
// without its files, nor files without their record.
struct RecordedWithFiles
{
  records::Written record;
  std::vector<attach::Written> files;
};
[[nodiscard]] Result<RecordedWithFiles>
record_with_files(vault::Vault& vault,
                  records::Change change,
                  StagedFiles& files,
                  const records::WriteOptions& options);

} // namespace custody::cli
