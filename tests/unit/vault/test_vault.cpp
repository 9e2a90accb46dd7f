// The vault: roles, vault.yaml, and init/open/add/verify.
#include "new_vault.hpp"
#include "temp_dir.hpp"

#include <custody/crypto/crypto.hpp>
#include <custody/ledger/store.hpp>
#include <custody/vault/vault.hpp>
#include <custody/verify/verify.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace custody;

namespace {

using custody::test::NewVault;
using custody::test::TempDir;

identity::Member
new_member()
{
  return identity::Member(age::X25519Identity::generate());
}

} // namespace

TEST_SUITE_BEGIN("vault");

TEST_CASE("roles hold the compartments of docs/formats.md 2.3")
{
  CHECK(vault::compartments_of(vault::Role::legal).size() == 5);
  CHECK(vault::compartments_of(vault::Role::data)
        == std::vector{vault::Compartment::facts, vault::Compartment::admin});
  CHECK(vault::compartments_of(vault::Role::intake)
        == std::vector{vault::Compartment::admin});
  CHECK(vault::may_write(vault::Role::intake, ledger::Kind::put));
  CHECK_FALSE(vault::may_write(vault::Role::intake, ledger::Kind::admin));
  CHECK_FALSE(vault::may_write(vault::Role::data, ledger::Kind::withdraw));
  CHECK(vault::may_write(vault::Role::legal, ledger::Kind::checkpoint));
  CHECK_FALSE(vault::parse_role("admin"));
}

TEST_CASE("init, open, add a member and verify")
{
  TempDir dir;
  const auto creator = new_member();
  const auto recovery = new_member();
  vault::InitOptions options;
  options.directory = dir.path() / "vault";
  options.recovery_member = &recovery;
  options.organisation = "Org";
  auto created = vault::init(options, creator);
  REQUIRE(created);
  CHECK(created->signing_public.starts_with("RW"));

  vault::Notes notes;
  vault::OpenOptions open_options;
  open_options.access = vault::Access::write;
  open_options.known_vaults = dir.path() / "known_vaults";
  auto opened =
    vault::Vault::open(options.directory, creator, open_options, notes);
  REQUIRE(opened);
  CHECK(opened->state().members.size() == 2);
  CHECK(opened->me().role == vault::Role::legal);
  CHECK(opened->state().vault_id == created->vault_id);
  CHECK(notes.size() == 1); // first use pins the vault

  const auto data = new_member();
  auto added = opened->add_member(data.card(), vault::Role::data, "Dev");
  REQUIRE(added);
  CHECK(added->seq == 2);
  auto again = opened->add_member(data.card(), vault::Role::data, "Dev");
  REQUIRE_FALSE(again);
  CHECK(again.error().code == Errc::invalid_input);
  opened = tl::unexpected(Error{}); // releases the lock

  // The data member opens the vault and verifies, but holds no signing key.
  vault::Notes data_notes;
  vault::OpenOptions read_options;
  auto as_data =
    vault::Vault::open(options.directory, data, read_options, data_notes);
  REQUIRE(as_data);
  CHECK(as_data->me().role == vault::Role::data);
  as_data = tl::unexpected(Error{});

  auto report = verify::check(options.directory, &data, {});
  REQUIRE(report);
  CHECK_FALSE(report->problem);
  CHECK(report->entries == 4);
  CHECK(report->members == 3);
  CHECK(report->admin_checked);

  // vault.yaml is exactly the rebuilt state
  std::ifstream yaml(options.directory / "vault.yaml");
  const std::string text{std::istreambuf_iterator<char>(yaml), {}};
  CHECK(text.starts_with("# custody vault cache"));
  CHECK(text.find("admin_seq: 2\n") != std::string::npos);
  CHECK(text.find("role: data") != std::string::npos);
  CHECK(text.find("Org") == std::string::npos);
}

TEST_CASE(
  "init refuses a non-empty directory and leaves no temporary directory")
{
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "vault");
  std::ofstream(dir.path() / "vault" / "file") << "x";
  const auto creator = new_member();
  const auto recovery = new_member();
  vault::InitOptions options;
  options.directory = dir.path() / "vault";
  options.recovery_member = &recovery;
  auto created = vault::init(options, creator);
  REQUIRE_FALSE(created);
  CHECK(created.error().code == Errc::invalid_input);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& item :
       std::filesystem::directory_iterator(dir.path())) {
    ++entries;
  }
  CHECK(entries == 1);
}

TEST_CASE("the state cache spares a replay and a bad one is replaced")
{
  const NewVault made;
  const auto& creator = made.creator;
  const auto cache = made.directory / "index" / creator.key_id() / "state.age";
  auto open = [&](vault::Notes& notes) {
    vault::OpenOptions read_options;
    auto opened =
      vault::Vault::open(made.directory, creator, read_options, notes);
    REQUIRE(opened);
    return std::move(*opened);
  };
  {
    vault::Notes notes;
    auto opened = open(notes);
    CHECK(std::filesystem::exists(cache));
  }
  const auto saved_at = std::filesystem::last_write_time(cache);
  {
    vault::Notes notes;
    auto opened = open(notes);
    CHECK(opened.entry_count() == 2);
    CHECK(opened.state().members.size() == 2);
    // at the tip: nothing replayed, nothing rewritten
    CHECK(std::filesystem::last_write_time(cache) == saved_at);
    for (const auto& note : notes) {
      CHECK(note.text.find("state.age") == std::string::npos);
    }
  }
  // A member added after the cache was saved is replayed from the ledger.
  const auto data = new_member();
  {
    vault::Notes notes;
    vault::OpenOptions write_options;
    write_options.access = vault::Access::write;
    auto opened =
      vault::Vault::open(made.directory, creator, write_options, notes);
    REQUIRE(opened);
    REQUIRE(opened->add_member(data.card(), vault::Role::data, "Dev"));
  }
  {
    vault::Notes notes;
    vault::OpenOptions read_options;
    auto as_data =
      vault::Vault::open(made.directory, data, read_options, notes);
    REQUIRE(as_data);
    CHECK(as_data->state().members.size() == 3);
    CHECK(as_data->me().role == vault::Role::data);
  }
  // Anyone can encrypt to a member's recipient: a forged cache fails its MAC
  // and the ledger is replayed instead.
  {
    const std::string forged =
      "custody-state-v2\n{\"mac\":\"00\",\"position\":1}\n{}\n";
    auto file = age::encrypt(as_bytes(forged),
                             std::span<const age::X25519Recipient>(
                               &creator.age_identity().recipient(), 1),
                             age::Armor::no);
    REQUIRE(file);
    std::ofstream(cache, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(file->data()),
             static_cast<std::streamsize>(file->size()));
  }
  {
    vault::Notes notes;
    auto opened = open(notes);
    CHECK(opened.state().members.size() == 3);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].text.find("failed its MAC") != std::string::npos);
  }
  // Garbage is not an age file for this member: replayed, then replaced.
  std::ofstream(cache, std::ios::binary | std::ios::trunc) << "garbage";
  {
    vault::Notes notes;
    auto opened = open(notes);
    CHECK(opened.state().members.size() == 3);
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].text.find("does not open") != std::string::npos);
  }
  {
    vault::Notes notes;
    auto opened = open(notes);
    CHECK(notes.empty());
  }
}

TEST_CASE("a state cache from another history is not trusted")
{
  const NewVault made;
  const auto& creator = made.creator;
  vault::OpenOptions write_options;
  write_options.access = vault::Access::write;
  vault::Notes notes;
  // The cache is made at entry 2 (after init's admin entry and seal); a member
  // is added after it. Then the ledger is replaced by another history: the
  // first two entries with the seal altered.
  {
    auto opened =
      vault::Vault::open(made.directory, creator, write_options, notes);
    REQUIRE(opened);
  }
  const auto ledger = made.directory / "ledger" / "000000.jsonl";
  std::ifstream in(ledger, std::ios::binary);
  const std::string before{std::istreambuf_iterator<char>(in), {}};
  in.close();
  {
    auto opened =
      vault::Vault::open(made.directory, creator, write_options, notes);
    REQUIRE(opened);
    REQUIRE(opened->add_member(new_member().card(), vault::Role::data, ""));
  }
  // The cache's position no longer names an entry of this ledger: it is
  // dropped and the whole ledger replayed.
  std::string altered = before;
  const auto last = altered.rfind('\n', altered.size() - 2);
  altered[last + 10] = altered[last + 10] == '1' ? '2' : '1';
  std::ofstream(ledger, std::ios::binary | std::ios::trunc) << altered;
  vault::Notes read_notes;
  vault::OpenOptions read_options;
  auto reopened =
    vault::Vault::open(made.directory, creator, read_options, read_notes);
  // The full replay finds the damage the cache would have hidden.
  REQUIRE_FALSE(reopened);
  CHECK(reopened.error().code == Errc::corrupt);
  bool noted = false;
  for (const auto& note : read_notes) {
    noted =
      noted
      || note.text.find("state.age names a position") != std::string::npos;
  }
  CHECK(noted);
}

TEST_CASE("before a passphrase: whether it is a vault, and the role vault.yaml "
          "gives a key id")
{
  NewVault made;
  CHECK(vault::check_vault_path(made.directory));
  auto missing = vault::check_vault_path(made.directory / "nowhere");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::not_found);
  CHECK(missing.error().remedy == Remedy::check_vault);

  const auto intake = new_member();
  {
    auto opened = made.open(made.creator);
    REQUIRE(opened.add_member(intake.card(), vault::Role::intake, "Field"));
  }
  CHECK(vault::cached_role(made.directory, made.creator.key_id())
        == vault::Role::legal);
  CHECK(vault::cached_role(made.directory, intake.key_id())
        == vault::Role::intake);
  CHECK_FALSE(vault::cached_role(made.directory, new_member().key_id()));
  CHECK_FALSE(vault::cached_role(made.directory, ""));
  CHECK_FALSE(vault::cached_role(made.directory / "nowhere", intake.key_id()));

  // A role that is no role is no answer.
  std::ifstream in(made.directory / "vault.yaml");
  std::string text{std::istreambuf_iterator<char>(in), {}};
  const auto at = text.find("role: intake");
  REQUIRE(at != std::string::npos);
  text.replace(at, 12, "role: boss");
  std::ofstream(made.directory / "vault.yaml", std::ios::trunc) << text;
  CHECK_FALSE(vault::cached_role(made.directory, intake.key_id()));
}

TEST_CASE("bulletins' least k is raised by a signed policy_set, never lowered")
{
  NewVault made;
  {
    auto vault = made.open(made.creator);
    CHECK(vault::bulletin_min_reports(vault.state().policy) == 3);
    auto same = vault.raise_bulletin_min_reports(3);
    REQUIRE_FALSE(same);
    CHECK(same.error().code == Errc::invalid_input);
    CHECK(same.error().message.find("only be raised") != std::string::npos);
    REQUIRE(vault.raise_bulletin_min_reports(4));
    // The floor of statistics is untouched, and raising it keeps k.
    REQUIRE(vault.raise_small_cell_floor(6));
  }
  // The replay accepts both policy_set entries, and the next reader sees them.
  auto vault = made.open(made.creator);
  CHECK(vault::bulletin_min_reports(vault.state().policy) == 4);
  CHECK(vault::small_cell_floor(vault.state().policy) == 6);
}

TEST_SUITE_END();
