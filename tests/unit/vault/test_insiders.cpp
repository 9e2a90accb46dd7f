// R1 of the 2026-12 security review: no file that anyone but a member herself
// can write changes whom she encrypts to, what she signs, or what she reads.
// Each case forges what another member, or anyone with write access to the
// vault's files, can forge, then checks what the legal member does next.
#include "new_vault.hpp"

#include <custody/crypto/minisign.hpp>
#include <custody/ledger/cache_file.hpp>
#include <custody/records/index.hpp>
#include <custody/records/records.hpp>
#include <custody/verify/verify.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace custody;
using custody::test::NewVault;

namespace {

// docs/formats.md 10.2
constexpr cache_file::Kind k_state_file{"custody-state-v2\n",
                                        "custody/v1/member-state-mac"};

std::string
slurp(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void
spill(const std::filesystem::path& path, ByteView bytes)
{
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc)
    .write(reinterpret_cast<const char*>(bytes.data()),
           static_cast<std::streamsize>(bytes.size()));
}

Bytes
wrap_to(const identity::Member& member, ByteView plain)
{
  auto file = age::encrypt(plain,
                           std::span<const age::X25519Recipient>(
                             &member.age_identity().recipient(), 1),
                           age::Armor::no);
  REQUIRE(file);
  return std::move(*file);
}

records::Parts
parts(const std::string& name, const std::string& district)
{
  records::Parts parts;
  parts[0] = {{"person", {{"names", {name}}}}};
  parts[1] = {{"narrative", {{"text", "what happened"}, {"language", "en"}}}};
  parts[2] = {{"form_version", 1},
              {"incident", {{"district", district}, {"month", "2026-11"}}},
              {"person", {{"person_ref", "P-1"}}}};
  parts[3] = {{"aggressor", {{"description", "tall"}}}};
  return parts;
}

// A vault with a legal creator and one member of `role`, who has opened it
// once (so that her own caches exist).
struct TwoMembers
{
  explicit TwoMembers(vault::Role role)
  {
    {
      auto vault = made.open(made.creator);
      REQUIRE(vault.add_member(other.card(), role, ""));
    }
    vault::Notes notes;
    vault::OpenOptions read;
    REQUIRE(vault::Vault::open(made.directory, other, read, notes));
  }

  std::string
  recipient_of(vault::Compartment c)
  {
    auto vault = made.open(made.creator);
    return vault.recipient(c)->encode();
  }

  NewVault made;
  identity::Member other{age::X25519Identity::generate()};
};

} // namespace

TEST_SUITE_BEGIN("insiders");

TEST_CASE("a state cache made by another member redirects no one's encryption")
{
  TwoMembers vault(vault::Role::data);
  const std::string signed_identity =
    vault.recipient_of(vault::Compartment::identity);
  const auto own =
    vault.made.directory / "index" / vault.other.key_id() / "state.age";
  const auto legal =
    vault.made.directory / "index" / vault.made.creator.key_id() / "state.age";
  // The data member opens her own cache, points the identity, narrative and
  // aggressor recipients at her own key, MACs it with her key and encrypts it
  // to the legal member (anyone can).
  const std::string file = slurp(own);
  auto opened =
    cache_file::open(k_state_file, as_bytes(file), vault.other.age_identity());
  REQUIRE(opened);
  auto state = json::Json::parse(as_text(opened->body));
  for (const char* name : {"identity", "narrative", "aggressor"}) {
    state["compartments"][name]["recipients"]["0"] =
      vault.other.age_identity().recipient().encode();
  }
  json::Json header = opened->header;
  header.erase("body_size");
  header.erase("body_sha256");
  auto forged = cache_file::seal(k_state_file,
                                 header,
                                 as_bytes(json::canonical(state)),
                                 vault.other.age_identity());
  REQUIRE(forged);
  auto plain = age::decrypt(
    *forged,
    std::span<const age::X25519Identity>(&vault.other.age_identity(), 1));
  REQUIRE(plain);
  spill(legal, wrap_to(vault.made.creator, plain->view()));

  vault::Notes notes;
  vault::OpenOptions options;
  options.access = vault::Access::write;
  auto opened_vault = vault::Vault::open(
    vault.made.directory, vault.made.creator, options, notes);
  REQUIRE(opened_vault);
  CHECK(opened_vault->recipient(vault::Compartment::identity)->encode()
        == signed_identity);
  bool noted = false;
  for (const auto& note : notes) {
    noted = noted || note.text.find("failed its MAC") != std::string::npos;
  }
  CHECK(noted);
  // What she records opens with the signed key, not the data member's.
  records::Change change;
  change.record_id = records::new_record_id();
  change.data = parts("Canary-Name", "harbour");
  REQUIRE(records::write(*opened_vault, {change}));
  vault::Notes shard_notes;
  auto identity = index::Shard::open(
    *opened_vault, vault::Compartment::identity, shard_notes);
  REQUIRE(identity);
  CHECK(identity->find(change.record_id));
}

TEST_CASE("a swapped signing key file is refused before it signs anything")
{
  NewVault made;
  const auto key_file = made.directory / "keys" / "signing" / "0"
                        / (made.creator.key_id() + ".age");
  const std::string original = slurp(key_file);
  const auto ledger = made.directory / "ledger" / "000000.jsonl";
  const auto size_before = std::filesystem::file_size(ledger);
  // Anyone with write access: her own minisign key, wrapped to the legal
  // member's public key.
  const auto evil = minisign::SecretKey::generate();
  auto text = evil.to_unencrypted_file_text();
  REQUIRE(text);
  spill(key_file, wrap_to(made.creator, text->view()));
  {
    auto vault = made.open(made.creator);
    identity::Member newcomer{age::X25519Identity::generate()};
    auto added = vault.add_member(newcomer.card(), vault::Role::data, "");
    REQUIRE_FALSE(added);
    CHECK(added.error().code == Errc::corrupt);
    CHECK(added.error().message.find("keys/signing/0/") != std::string::npos);
    CHECK(vault.make_checkpoint().error().code == Errc::corrupt);
  }
  CHECK(std::filesystem::file_size(ledger) == size_before);
  // The original file back: the vault was never damaged.
  spill(made.directory / "keys" / "signing" / "0"
          / (made.creator.key_id() + ".age"),
        as_bytes(original));
  {
    auto vault = made.open(made.creator);
    identity::Member newcomer{age::X25519Identity::generate()};
    CHECK(vault.add_member(newcomer.card(), vault::Role::data, ""));
  }
  auto verified = verify::check(made.directory, &made.creator, {});
  REQUIRE_MESSAGE(verified.has_value(),
                  (verified ? "" : verified.error().message));
  CHECK_MESSAGE(!verified->problem,
                (verified->problem ? verified->problem->error.message : ""));
}

TEST_CASE("a key file no signed entry lists is ignored by every reader")
{
  TwoMembers vault(vault::Role::data);
  // In an epoch nobody signed, and in a compartment the data member does not
  // hold: both wrapped to the member by someone with write access.
  const auto junk = age::X25519Identity::generate();
  const SecretBytes junk_text =
    age::format_identity_file(junk, std::chrono::system_clock::now());
  spill(vault.made.directory / "keys" / "admin" / "99"
          / (vault.made.creator.key_id() + ".age"),
        wrap_to(vault.made.creator, junk_text.view()));
  spill(vault.made.directory / "keys" / "identity" / "0"
          / (vault.other.key_id() + ".age"),
        wrap_to(vault.other, junk_text.view()));
  {
    auto as_legal = vault.made.open(vault.made.creator);
    CHECK(as_legal.current_epoch(vault::Compartment::admin) == 0);
  }
  {
    auto as_data = vault.made.open(vault.other);
    auto key = as_data.key(vault::Compartment::identity, 0);
    REQUIRE_FALSE(key);
    CHECK(key.error().code == Errc::auth);
    CHECK(key.error().message.find("no signed admin entry lists")
          != std::string::npos);
    vault::Notes notes;
    CHECK(index::Shard::open(as_data, vault::Compartment::identity, notes)
            .error()
            .code
          == Errc::auth);
  }
  // verify names both files as notes, not failures.
  auto report = verify::check(vault.made.directory, &vault.made.creator, {});
  REQUIRE_MESSAGE(report.has_value(), (report ? "" : report.error().message));
  CHECK_FALSE(report->problem);
  std::size_t unlisted = 0;
  for (const auto& note : report->notes) {
    unlisted +=
      note.text.find("not listed by any") != std::string::npos ? 1 : 0;
  }
  CHECK(unlisted == 2);
}

TEST_CASE("a listed key file replaced with another key is reported")
{
  TwoMembers vault(vault::Role::data);
  const auto junk = age::X25519Identity::generate();
  const SecretBytes junk_text =
    age::format_identity_file(junk, std::chrono::system_clock::now());
  spill(vault.made.directory / "keys" / "facts" / "0"
          / (vault.other.key_id() + ".age"),
        wrap_to(vault.other, junk_text.view()));
  auto as_data = vault.made.open(vault.other);
  auto key = as_data.key(vault::Compartment::facts, 0);
  REQUIRE_FALSE(key);
  CHECK(key.error().code == Errc::corrupt);
  CHECK(key.error().message.find("keys/facts/0/") != std::string::npos);
}

TEST_CASE("an amendment sealed by a data member is not applied")
{
  TwoMembers vault(vault::Role::data);
  std::string id;
  {
    auto as_legal = vault.made.open(vault.made.creator);
    records::Change change;
    change.record_id = records::new_record_id();
    change.data = parts("Canary-Name", "harbour");
    auto written = records::write(as_legal, {change});
    REQUIRE(written);
    id = change.record_id;
  }
  // The data member reads the record's last entry from her facts shard and
  // writes an amendment through the library, around the command line's check.
  {
    auto as_data = vault.made.open(vault.other);
    vault::Notes notes;
    auto facts = index::Shard::open(as_data, vault::Compartment::facts, notes);
    REQUIRE(facts);
    auto history = facts->history(id);
    REQUIRE(history);
    records::Change amend;
    amend.record_id = id;
    amend.type = records::EntryType::amend;
    amend.prev = *digest_from_hex(history->back().hash);
    amend.data[0] = {{"person", {{"names", {"Someone-Else"}}}}};
    amend.data[2] = {{"incident", {{"district", "old_town"}}}};
    REQUIRE(records::write(as_data, {amend}));
  }
  auto as_legal = vault.made.open(vault.made.creator);
  for (auto c : {vault::Compartment::identity, vault::Compartment::facts}) {
    vault::Notes notes;
    auto shard = index::Shard::open(as_legal, c, notes);
    REQUIRE(shard);
    auto row = shard->find(id);
    REQUIRE(row);
    CHECK(row->entries == 1);
    CHECK(row->view.dump().find("Someone-Else") == std::string::npos);
    CHECK(row->view.dump().find("old_town") == std::string::npos);
    REQUIRE(shard->stats().refused.size() == 1);
    CHECK(shard->stats().refused[0].find("(data)") != std::string::npos);
  }
}

TEST_CASE("a member's facts shard forged by another facts holder is rebuilt")
{
  TwoMembers vault(vault::Role::data);
  {
    auto as_legal = vault.made.open(vault.made.creator);
    records::Change change;
    change.record_id = records::new_record_id();
    change.data = parts("Canary-Name", "harbour");
    REQUIRE(records::write(as_legal, {change}));
    vault::Notes notes;
    auto shard = index::Shard::open(as_legal, vault::Compartment::facts, notes);
    REQUIRE(shard);
    shard->save(notes);
  }
  // The data member's own facts shard, valid for her, put in place of the
  // legal member's: it opens for no one else.
  {
    auto as_data = vault.made.open(vault.other);
    vault::Notes notes;
    auto shard = index::Shard::open(as_data, vault::Compartment::facts, notes);
    REQUIRE(shard);
    shard->save(notes);
  }
  for (const char* part : {"facts.age", "facts.detail.age"}) {
    const std::string file =
      slurp(vault.made.directory / "index" / vault.other.key_id() / part);
    spill(vault.made.directory / "index" / vault.made.creator.key_id() / part,
          as_bytes(file));
  }
  auto as_legal = vault.made.open(vault.made.creator);
  vault::Notes notes;
  auto shard = index::Shard::open(as_legal, vault::Compartment::facts, notes);
  REQUIRE(shard);
  CHECK(shard->stats().rebuilt);
  CHECK_FALSE(shard->stats().rejected.empty());
}

TEST_SUITE_END();
