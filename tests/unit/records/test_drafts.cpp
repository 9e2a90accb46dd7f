// Drafts of the interactive intake: encrypted to the member, opened only by
// her, deleted when they expire.
#include "new_vault.hpp"

#include <custody/crypto/age/age.hpp>
#include <custody/records/drafts.hpp>

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

using namespace custody;
using namespace std::chrono;

namespace {

std::string
file_text(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

drafts::Draft
sample(sys_seconds now, seconds lifetime = drafts::k_default_lifetime)
{
  drafts::Draft draft;
  draft.id = drafts::new_id();
  draft.answers = {{"/incident/date", "2026-11-03"},
                   {"/person/names", {"Draft-Canary-Name-Q7"}},
                   {"/incident/time", nullptr}};
  draft.at = "/narrative/text";
  draft.saved = now;
  draft.expires = now + lifetime;
  return draft;
}

const sys_seconds k_now = sys_days(year(2026) / 11 / 23) + hours(14);

} // namespace

TEST_SUITE_BEGIN("drafts");

TEST_CASE("a draft is saved encrypted and opens with its answers")
{
  test::NewVault v;
  auto opened = v.open(v.creator);
  const auto owner = drafts::owner_of(opened);
  CHECK(drafts::directory_of(owner)
        == v.directory / "drafts" / v.creator.key_id());
  const auto draft = sample(k_now);
  const auto path = drafts::save(owner, draft);
  REQUIRE(path);
  CHECK(*path == drafts::path_of(owner, draft.id));
  const std::string bytes = file_text(*path);
  CHECK(bytes.starts_with("age-encryption.org/v1"));
  CHECK(bytes.find("Draft-Canary-Name-Q7") == std::string::npos);
  CHECK(bytes.find("2026-11-03") == std::string::npos);
  // Padded: its size says little about what was typed.
  CHECK(bytes.size() > 64 * 1024);
  const auto found = drafts::open(owner, k_now + hours(1));
  REQUIRE(found);
  REQUIRE(found->drafts.size() == 1);
  CHECK(found->drafts[0].id == draft.id);
  CHECK(found->drafts[0].answers == draft.answers);
  CHECK(found->drafts[0].at == "/narrative/text");
  CHECK(found->drafts[0].saved == draft.saved);
  CHECK(found->drafts[0].expires == draft.expires);
  CHECK(found->notes.empty());
  // Saving again replaces it.
  auto again = draft;
  again.answers["/incident/time"] = "23:40";
  REQUIRE(drafts::save(owner, again));
  const auto reopened = drafts::open(owner, k_now + hours(1));
  REQUIRE(reopened);
  REQUIRE(reopened->drafts.size() == 1);
  CHECK(reopened->drafts[0].answers["/incident/time"] == "23:40");
}

TEST_CASE("no drafts folder is no drafts")
{
  test::NewVault v;
  auto opened = v.open(v.creator);
  const auto found = drafts::open(drafts::owner_of(opened), k_now);
  REQUIRE(found);
  CHECK(found->drafts.empty());
  CHECK(found->notes.empty());
}

TEST_CASE("the most recent draft comes first")
{
  test::NewVault v;
  auto opened = v.open(v.creator);
  const auto owner = drafts::owner_of(opened);
  const auto older = sample(k_now - hours(2));
  const auto newer = sample(k_now - hours(1));
  REQUIRE(drafts::save(owner, older));
  REQUIRE(drafts::save(owner, newer));
  const auto found = drafts::open(owner, k_now);
  REQUIRE(found);
  REQUIRE(found->drafts.size() == 2);
  CHECK(found->drafts[0].id == newer.id);
  CHECK(found->drafts[1].id == older.id);
}

TEST_CASE("an expired draft is deleted when drafts are opened")
{
  test::NewVault v;
  auto opened = v.open(v.creator);
  const auto owner = drafts::owner_of(opened);
  const auto draft = sample(k_now, hours(1));
  REQUIRE(drafts::save(owner, draft));
  const auto before = drafts::open(owner, k_now + minutes(59));
  REQUIRE(before);
  CHECK(before->drafts.size() == 1);
  const auto after = drafts::open(owner, k_now + hours(1));
  REQUIRE(after);
  CHECK(after->drafts.empty());
  REQUIRE(after->notes.size() == 1);
  CHECK(after->notes[0].text.find("expired") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(drafts::path_of(owner, draft.id)));
}

TEST_CASE(
  "a file anyone could have encrypted to her is not taken for her draft")
{
  test::NewVault v;
  auto opened = v.open(v.creator);
  const auto owner = drafts::owner_of(opened);
  const std::string id = drafts::new_id();
  // The right magic and header, encrypted to her public key, but without the
  // MAC only her identity can make.
  const std::string forged =
    "custody-draft-v1\n{\"body_sha256\":\"00\",\"body_size\":2,\"draft\":\""
    + id + "\",\"mac\":\"00\"}\n{}";
  const age::X25519Recipient recipient = v.creator.age_identity().recipient();
  const auto encrypted =
    age::encrypt(as_bytes(forged), std::span(&recipient, 1), age::Armor::no);
  REQUIRE(encrypted);
  REQUIRE(fs::make_directories(drafts::directory_of(owner)));
  REQUIRE(fs::write_file_atomic(drafts::path_of(owner, id), *encrypted));
  const auto found = drafts::open(owner, k_now);
  REQUIRE(found);
  CHECK(found->drafts.empty());
  REQUIRE(found->notes.size() == 1);
  CHECK(found->notes[0].level == Note::Level::warning);
  CHECK(found->notes[0].text.find("left alone") != std::string::npos);
  CHECK(std::filesystem::exists(drafts::path_of(owner, id)));
}

TEST_CASE("another member's drafts are hers alone; old ones go for everyone")
{
  test::NewVault v;
  auto opened = v.open(v.creator);
  const auto owner = drafts::owner_of(opened);
  drafts::Owner other = owner;
  other.key_id = v.recovery.key_id();
  other.identity = &v.recovery.age_identity();
  const auto theirs = sample(k_now);
  const auto stale = sample(k_now);
  REQUIRE(drafts::save(other, theirs));
  REQUIRE(drafts::save(other, stale));
  // Written longer ago than any lifetime allows.
  std::filesystem::last_write_time(drafts::path_of(other, stale.id),
                                   std::filesystem::file_time_type::clock::now()
                                     - hours(24 * 8));
  const auto found = drafts::open(owner, floor<seconds>(system_clock::now()));
  REQUIRE(found);
  CHECK(found->drafts.empty());
  CHECK(std::filesystem::exists(drafts::path_of(other, theirs.id)));
  CHECK_FALSE(std::filesystem::exists(drafts::path_of(other, stale.id)));
  REQUIRE(found->notes.size() == 1);
  CHECK(found->notes[0].text.find("deleted 1 draft") != std::string::npos);
}

TEST_CASE("a draft is deleted once recorded, and deleting twice is no error")
{
  test::NewVault v;
  auto opened = v.open(v.creator);
  const auto owner = drafts::owner_of(opened);
  const auto draft = sample(k_now);
  REQUIRE(drafts::save(owner, draft));
  REQUIRE(drafts::remove(owner, draft.id));
  CHECK_FALSE(std::filesystem::exists(drafts::path_of(owner, draft.id)));
  CHECK(drafts::remove(owner, draft.id));
  CHECK_FALSE(drafts::remove(owner, "../../ledger/HEAD"));
}

TEST_CASE("a lifetime is a number and a unit, up to seven days")
{
  CHECK(*drafts::parse_lifetime("24h") == hours(24));
  CHECK(*drafts::parse_lifetime("90m") == minutes(90));
  CHECK(*drafts::parse_lifetime("2d") == hours(48));
  CHECK(*drafts::parse_lifetime("1s") == seconds(1));
  CHECK(*drafts::parse_lifetime("7d") == drafts::k_max_lifetime);
  for (const char* text : {"",
                           "h",
                           "24",
                           "0h",
                           "8d",
                           "-1h",
                           "1.5h",
                           "24 h",
                           "1w",
                           "99999999999d"}) {
    CAPTURE(text);
    CHECK_FALSE(drafts::parse_lifetime(text));
  }
}
