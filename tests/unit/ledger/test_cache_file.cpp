// The members' own cache files: a header whose MAC verifies is still checked
// field by field, never trusted to have the types custody writes.
#include "new_vault.hpp"

#include <custody/crypto/crypto.hpp>
#include <custody/ledger/cache_file.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace custody;

namespace {

// docs/formats.md 10.2
constexpr cache_file::Kind k_state_file{"custody-state-v2\n",
                                        "custody/v1/member-state-mac"};

const std::string k_hash(64, 'a');

json::Json
good_position()
{
  return {{"position", 3}, {"hash", k_hash}, {"segment", 0}, {"offset", 120}};
}

// A file as seal() writes it, but with `header` (body fields included) as
// given: MAC'd with the owner's key, so only the field checks can refuse it.
Bytes
sealed_as_is(json::Json header,
             std::string_view body,
             const age::X25519Identity& owner)
{
  const SecretBytes key =
    hkdf_sha256(owner.secret_key(), {}, k_state_file.mac_info, 32);
  header["mac"] =
    to_hex(hmac_sha256(key.view(), as_bytes(json::canonical(header))));
  const std::string plain = std::string(k_state_file.magic)
                            + json::canonical(header) + "\n"
                            + std::string(body);
  auto file =
    age::encrypt(as_bytes(plain),
                 std::span<const age::X25519Recipient>(&owner.recipient(), 1),
                 age::Armor::no);
  REQUIRE(file);
  return std::move(*file);
}

} // namespace

TEST_SUITE_BEGIN("cache_file");

TEST_CASE("position_of reads the position a header records")
{
  const auto position = cache_file::position_of(good_position());
  REQUIRE(position);
  CHECK(position->count == 3);
  CHECK(to_hex(position->last_hash) == k_hash);
  CHECK(position->last.segment == 0);
  CHECK(position->last.offset == 120);
  CHECK_FALSE(cache_file::position_of(json::Json::object()));
}

TEST_CASE("issue 12: position_of gives nullopt, not an exception, for a field "
          "of the wrong type (found by fuzz/cache_file)")
{
  json::Json header = good_position();
  SUBCASE("hash is a number")
  {
    header["hash"] = 5;
  }
  SUBCASE("position is a string")
  {
    header["position"] = "3";
  }
  SUBCASE("position is negative")
  {
    header["position"] = -3;
  }
  SUBCASE("segment is null")
  {
    header["segment"] = nullptr;
  }
  SUBCASE("offset is an object")
  {
    header["offset"] = json::Json::object();
  }
  SUBCASE("the header is an array")
  {
    header = json::Json::array({1, 2});
  }
  CHECK_FALSE(cache_file::position_of(header));
}

TEST_CASE("string_field gives a header's string, or nothing")
{
  const json::Json header = {{"vault", "v"}, {"number", 5}};
  CHECK(cache_file::string_field(header, "vault") == "v");
  CHECK(cache_file::string_field(header, "number").empty());
  CHECK(cache_file::string_field(header, "absent").empty());
  CHECK(cache_file::string_field(json::Json(5), "vault").empty());
}

TEST_CASE("issue 12: open refuses a MAC'd header whose body fields have the "
          "wrong type")
{
  const auto owner = age::X25519Identity::generate();
  const std::string body = "{}";
  json::Json header = good_position();
  header["body_size"] = body.size();
  header["body_sha256"] = to_hex(sha256(body));
  SUBCASE("as written, it opens")
  {
    auto opened =
      cache_file::open(k_state_file, sealed_as_is(header, body, owner), owner);
    REQUIRE(opened);
    CHECK(as_text(opened->body) == body);
  }
  SUBCASE("body_size is a string")
  {
    header["body_size"] = "2";
    auto opened =
      cache_file::open(k_state_file, sealed_as_is(header, body, owner), owner);
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == Errc::corrupt);
    CHECK(opened.error().message == "is malformed");
  }
  SUBCASE("body_sha256 is a number")
  {
    header["body_sha256"] = 7;
    auto opened =
      cache_file::open(k_state_file, sealed_as_is(header, body, owner), owner);
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == Errc::corrupt);
  }
}

TEST_CASE("issue 12: a state cache whose MAC'd header names the vault with a "
          "number is replayed, not an internal error")
{
  test::NewVault made;
  vault::Notes notes;
  const vault::OpenOptions read; // a reader saves her state cache
  REQUIRE(vault::Vault::open(made.directory, made.creator, read, notes));
  const auto path =
    made.directory / "index" / made.creator.key_id() / "state.age";
  std::string file;
  {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    file.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto opened =
    cache_file::open(k_state_file, as_bytes(file), made.creator.age_identity());
  REQUIRE(opened);
  json::Json header = opened->header;
  header.erase("body_size");
  header.erase("body_sha256");
  header["vault"] = 5;
  auto forged = cache_file::seal(
    k_state_file, header, opened->body, made.creator.age_identity());
  REQUIRE(forged);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(forged->data()),
              static_cast<std::streamsize>(forged->size()));
  }
  notes.clear();
  REQUIRE(vault::Vault::open(made.directory, made.creator, read, notes));
  bool noted = false;
  for (const auto& note : notes) {
    noted = noted || note.text.find("is malformed") != std::string::npos;
  }
  CHECK(noted);
}

TEST_SUITE_END();
