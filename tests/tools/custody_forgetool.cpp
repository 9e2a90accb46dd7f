// Test-only: what a member can do by calling the library directly, around
// the command line's checks. Used by tests/cli/insiders.sh.
//
//   custody_forgetool amend VAULT IDENTITY PASSFILE RECORD TEXT
//
// appends, as the member of IDENTITY, an amendment of RECORD that rewrites its
// names, district and aggressor description to TEXT (the record's last entry
// is read from the member's facts shard). Exit status as custody's.
#include <custody/crypto/crypto.hpp>
#include <custody/keys/identity.hpp>
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

} // namespace

int
main(int argc, char** argv)
{
  if (argc != 7 || std::string(argv[1]) != "amend") {
    fmt::print(stderr,
               "usage: custody_forgetool amend VAULT IDENTITY PASSFILE "
               "RECORD TEXT\n");
    return 2;
  }
  if (!crypto_init()) {
    fmt::print(stderr, "custody_forgetool: libsodium failed to start\n");
    return 1;
  }
  auto done = amend(argv[2], argv[3], argv[4], argv[5], argv[6]);
  if (!done) {
    fmt::print(stderr, "custody_forgetool: error: {}\n", done.error().message);
    return exit_status(done.error().code);
  }
  return 0;
}
