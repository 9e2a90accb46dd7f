// Member identities and cards.
#include <custody/keys/identity.hpp>
#include <custody/keys/passphrase.hpp>

#include <doctest/doctest.h>

using namespace custody;

TEST_SUITE_BEGIN("identity");

TEST_CASE("a new identity unlocks with its passphrase and gives the same card")
{
  auto created = identity::create(as_bytes("correct horse"), 10);
  REQUIRE(created);
  CHECK(identity::is_encrypted(created->file));
  auto unlocked = identity::unlock(created->file, as_bytes("correct horse"));
  REQUIRE(unlocked);
  CHECK(unlocked->card().encode() == created->member.card().encode());
  CHECK(unlocked->key_id() == created->member.key_id());
  CHECK(unlocked->key_id().size() == 32);
}

TEST_CASE("a wrong passphrase is an auth error")
{
  auto created = identity::create(as_bytes("correct horse"), 10);
  REQUIRE(created);
  auto unlocked = identity::unlock(created->file, as_bytes("battery staple"));
  REQUIRE_FALSE(unlocked);
  CHECK(unlocked.error().code == Errc::auth);
}

TEST_CASE("the seal key is derived from the age identity alone")
{
  auto identity_text = age::format_identity_file(
    age::X25519Identity::generate(), std::chrono::system_clock::now());
  auto a = identity::unlock(identity_text.view(), {});
  auto b = identity::unlock(identity_text.view(), {});
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->card().ed25519_public == b->card().ed25519_public);
  const Bytes signature = a->sign(as_bytes("message"));
  CHECK(identity::verify_ed25519(
    b->card().ed25519_public, as_bytes("message"), signature));
  CHECK_FALSE(identity::verify_ed25519(
    b->card().ed25519_public, as_bytes("messagE"), signature));
}

TEST_CASE("a card parses from its line, with comments, and refuses any change")
{
  auto created = identity::create(as_bytes("pass"), 10);
  REQUIRE(created);
  const std::string line = created->member.card().encode();
  auto parsed = identity::parse_card("# a comment\n\n" + line);
  REQUIRE(parsed);
  CHECK(parsed->encode() == line);
  CHECK(parsed->key_id() == created->member.key_id());

  auto other = identity::create(as_bytes("pass"), 10);
  REQUIRE(other);
  // Someone else's age key with this member's seal key and signature: the
  // signature fails.
  std::string swapped = line;
  const auto recipient = created->member.card().age_recipient;
  swapped.replace(swapped.find(recipient),
                  recipient.size(),
                  other->member.card().age_recipient);
  auto refused = identity::parse_card(swapped);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("self-signature") != std::string::npos);
  CHECK_FALSE(identity::parse_card(line + line));
  CHECK_FALSE(identity::parse_card("custody-card-v1 age1 x y"));
  CHECK_FALSE(identity::parse_card(""));
}

TEST_CASE(
  "the key id is the first 16 bytes of SHA-256 of the X25519 public key")
{
  const std::array<std::uint8_t, 32> zeros{};
  // printf '\0%.0s' {1..32} | sha256sum | cut -c1-32
  CHECK(identity::key_id_for(zeros) == "66687aadf862bd776c8fc18b8e9f8e20");
}

TEST_CASE("a card where an identity is expected, and the other way round, "
          "is told in words")
{
  auto created = identity::create(as_bytes("pass"), 10);
  REQUIRE(created);
  const std::string card = "# a comment\n" + created->member.card().encode();
  CHECK(identity::is_card(as_bytes(card)));
  CHECK_FALSE(identity::is_card(created->file));
  CHECK_FALSE(identity::is_card(as_bytes("custody-card-v1x")));
  auto unlocked = identity::unlock(as_bytes(card), as_bytes("pass"));
  REQUIRE_FALSE(unlocked);
  CHECK(unlocked.error().code == Errc::invalid_input);
  CHECK(unlocked.error().message.find("member card") != std::string::npos);

  // An identity given as a card: refused as an identity, its secret never
  // quoted, encrypted or not.
  auto refused = identity::parse_card(as_text(created->file));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("this is an identity") == 0);
  auto plain = age::format_identity_file(age::X25519Identity::generate(),
                                         std::chrono::system_clock::now());
  auto refused_plain = identity::parse_card(std::string(plain.text()));
  REQUIRE_FALSE(refused_plain);
  CHECK(refused_plain.error().message.find("AGE-SECRET-KEY")
        == std::string::npos);
  CHECK(refused_plain.error().hint.find("AGE-SECRET-KEY") == std::string::npos);
}

TEST_CASE("a passphrase's length is counted in characters")
{
  CHECK(passphrase::characters(as_bytes("")) == 0);
  CHECK(passphrase::characters(as_bytes("hunter2")) == 7);
  // "éé" is 4 bytes, 2 characters; "日本" 6 bytes, 2 characters.
  CHECK(passphrase::characters(as_bytes("\xc3\xa9\xc3\xa9")) == 2);
  CHECK(passphrase::characters(as_bytes("\xe6\x97\xa5\xe6\x9c\xac")) == 2);
  CHECK(passphrase::characters(as_bytes("\xff\xfe")) == 2);
}

TEST_SUITE_END();
