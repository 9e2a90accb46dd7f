// Test-only: what a member can do by calling the library directly, around
// the command line's checks. Used by tests/cli/insiders.sh and ids.sh.
//
//   custody_forgetool amend VAULT IDENTITY PASSFILE RECORD TEXT
//
// appends, as the member of IDENTITY, an amendment of RECORD that rewrites its
// names, district and aggressor description to TEXT (the record's last entry
// is read from the member's facts shard).
//
//   custody_forgetool orphan VAULT IDENTITY PASSFILE RECORD FILE
//
// attaches FILE to RECORD without looking RECORD up (what `attach` did
// before it checked ids: an attachment of no record).
//
//   custody_forgetool unlisted VAULT IDENTITY PASSFILE
//
// creates a record whose seal does not name it (as a seal written before
// seals named records). Exit status as custody's.
#include <custody/crypto/crypto.hpp>
#include <custody/keys/identity.hpp>
#include <custody/media/attach.hpp>
#include <custody/records/index.hpp>
#include <custody/records/records.hpp>
#include <custody/vault/vault.hpp>

#include <fmt/core.h>

#include <fstream>
#include <iterator>
#include <string>

using namespace custody;

namespace {

std::string
slurp(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

Result<void>
amend(const std::string& directory,
      const std::string& identity_file,
      const std::string& pass_file,
      const std::string& record,
      const std::string& text)
{
  std::string passphrase = slurp(pass_file);
  passphrase = passphrase.substr(0, passphrase.find('\n'));
  CUSTODY_ASSIGN(
    member,
    identity::unlock(as_bytes(slurp(identity_file)), as_bytes(passphrase)));
  vault::Notes notes;
  vault::OpenOptions options;
  options.access = vault::Access::write;
  CUSTODY_ASSIGN(opened, vault::Vault::open(directory, member, options, notes));
  CUSTODY_ASSIGN(facts,
                 index::Shard::open(opened, vault::Compartment::facts, notes));
  facts.save(notes);
  CUSTODY_ASSIGN(history, facts.history(record));
  CUSTODY_ASSIGN(prev, digest_from_hex(history.back().hash));
  records::Change change;
  change.record_id = record;
  change.type = records::EntryType::amend;
  change.prev = prev;
  change.data[0] = {{"person", {{"names", {text}}}}};
  change.data[2] = {{"incident", {{"district", text}}}};
  change.data[3] = {{"aggressor", {{"description", text}}}};
  CUSTODY_TRY(records::write(opened, {change}));
  return {};
}

Result<vault::Vault>
open_as(const std::string& directory,
        const identity::Member& member,
        vault::Notes& notes)
{
  vault::OpenOptions options;
  options.access = vault::Access::write;
  return vault::Vault::open(directory, member, options, notes);
}

Result<identity::Member>
unlock(const std::string& identity_file, const std::string& pass_file)
{
  std::string passphrase = slurp(pass_file);
  passphrase = passphrase.substr(0, passphrase.find('\n'));
  return identity::unlock(as_bytes(slurp(identity_file)), as_bytes(passphrase));
}

Result<void>
orphan(const std::string& directory,
       const identity::Member& member,
       const std::string& record,
       const std::string& file)
{
  vault::Notes notes;
  CUSTODY_ASSIGN(opened, open_as(directory, member, notes));
  CUSTODY_ASSIGN(recipient, opened.recipient(vault::Compartment::identity));
  CUSTODY_ASSIGN(staged,
                 attach::stage(directory, file, recipient, nullptr, {}));
  std::vector<std::pair<attach::Staged, attach::Description>> files;
  attach::Description description;
  description.name = "orphan.bin";
  description.kind = "document";
  files.emplace_back(std::move(staged), std::move(description));
  CUSTODY_ASSIGN(prepared, attach::prepare(opened, record, files));
  CUSTODY_TRY(attach::make_durable(opened, prepared, files));
  CUSTODY_TRY(opened.append(ledger::Kind::put, std::move(prepared.entries)));
  return {};
}

Result<void>
unlisted(const std::string& directory, const identity::Member& member)
{
  vault::Notes notes;
  CUSTODY_ASSIGN(opened, open_as(directory, member, notes));
  records::Change change;
  change.record_id = records::new_record_id();
  change.data[0] = {{"person", {{"names", {"UNLISTED"}}}}};
  change.data[2] = {{"incident", {{"district", "harbour"}}}};
  CUSTODY_ASSIGN(staged, records::stage(opened, {change}));
  for (auto& entry : staged.entries) {
    entry.creates.reset();
  }
  CUSTODY_TRY(staged.objects->commit());
  CUSTODY_TRY(opened.append(ledger::Kind::put, std::move(staged.entries)));
  fmt::print("{}\n", change.record_id);
  return {};
}

} // namespace

int
main(int argc, char** argv)
{
  const std::string command = argc > 1 ? argv[1] : "";
  if (!((command == "amend" && argc == 7) || (command == "orphan" && argc == 7)
        || (command == "unlisted" && argc == 5))) {
    fmt::print(stderr,
               "usage: custody_forgetool amend VAULT IDENTITY PASSFILE "
               "RECORD TEXT\n"
               "       custody_forgetool orphan VAULT IDENTITY PASSFILE "
               "RECORD FILE\n"
               "       custody_forgetool unlisted VAULT IDENTITY PASSFILE\n");
    return 2;
  }
  if (!crypto_init()) {
    fmt::print(stderr, "custody_forgetool: libsodium failed to start\n");
    return 1;
  }
  Result<void> done;
  if (command == "amend") {
    done = amend(argv[2], argv[3], argv[4], argv[5], argv[6]);
  } else {
    auto member = unlock(argv[3], argv[4]);
    if (!member) {
      done = tl::unexpected(member.error());
    } else if (command == "orphan") {
      done = orphan(argv[2], *member, argv[5], argv[6]);
    } else {
      done = unlisted(argv[2], *member);
    }
  }
  if (!done) {
    fmt::print(stderr, "custody_forgetool: error: {}\n", done.error().message);
    return exit_status(done.error().code);
  }
  return 0;
}
