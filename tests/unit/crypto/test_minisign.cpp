// minisign against Debian minisign vectors, round trips and tampering.
#include <custody/crypto/crypto.hpp>
#include <custody/crypto/minisign.hpp>

#include <doctest/doctest.h>
#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace custody;
using namespace custody::minisign;

namespace {

const std::filesystem::path k_vectors =
  std::filesystem::path(CUSTODY_TEST_VECTORS) / "minisign";
const std::filesystem::path k_generated = k_vectors / "generated";
const std::filesystem::path k_upstream = k_vectors / "upstream-release-key";

std::string
slurp(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

PublicKey
load_public(const std::filesystem::path& path)
{
  auto key = PublicKey::from_file_text(slurp(path));
  REQUIRE_MESSAGE(key.has_value(), path << ": " << key.error().message);
  return *key;
}

SecretKey
test_key()
{
  auto key = SecretKey::from_file_text(
    slurp(k_generated / "test-key.UNENCRYPTED-TEST-ONLY.key"));
  REQUIRE_MESSAGE(key.has_value(), key.error().message);
  return std::move(*key);
}

// The lines of an EXPECTED.txt that are not comments, split on runs of spaces;
// the last column keeps its spaces.
std::vector<std::vector<std::string>>
expected_rows(const std::filesystem::path& path, std::size_t columns)
{
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(slurp(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    std::vector<std::string> row;
    std::size_t pos = 0;
    while (row.size() + 1 < columns) {
      const auto start = line.find_first_not_of(' ', pos);
      const auto end = line.find(' ', start);
      row.push_back(line.substr(start, end - start));
      pos = end;
    }
    row.push_back(line.substr(line.find_first_not_of(' ', pos)));
    rows.push_back(row);
  }
  return rows;
}

std::string
replace_all(std::string text, std::string_view from, std::string_view to)
{
  for (auto pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos)) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
  return text;
}

Error
failure(const Result<std::string>& outcome)
{
  REQUIRE_FALSE(outcome.has_value());
  return outcome.error();
}

bool
contains(const std::string& text, std::string_view part)
{
  return text.find(part) != std::string::npos;
}

// Builds an scrypt-encrypted key file from an unencrypted one with cheap
// parameters, the way minisign's encrypt_key() does, so the wrong-password path
// needs no gigabyte of scrypt.
std::string
encrypt_key_file(const SecretKey& key, std::string_view password)
{
  const auto file = *key.to_unencrypted_file_text("cheap encrypted test key");
  const auto text = std::string(file.text());
  const auto line =
    text.substr(text.find('\n') + 1, text.size() - text.find('\n') - 2);
  auto blob = *from_base64(line, Padding::yes);
  REQUIRE(blob.size() == 158);
  blob[2] = 'S';
  blob[3] = 'c';
  for (std::size_t i = 6; i < 38; ++i) {
    blob[i] = static_cast<std::uint8_t>(i);
  }
  const std::uint64_t opslimit =
    crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN;
  const std::uint64_t memlimit =
    crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN;
  for (int i = 0; i < 8; ++i) {
    blob[38 + i] = static_cast<std::uint8_t>(opslimit >> (8 * i));
    blob[46 + i] = static_cast<std::uint8_t>(memlimit >> (8 * i));
  }
  std::vector<std::uint8_t> stream(104);
  REQUIRE(crypto_pwhash_scryptsalsa208sha256(stream.data(),
                                             stream.size(),
                                             password.data(),
                                             password.size(),
                                             blob.data() + 6,
                                             opslimit,
                                             memlimit)
          == 0);
  for (std::size_t i = 0; i < stream.size(); ++i) {
    blob[54 + i] ^= stream[i];
  }
  return "untrusted comment: cheap encrypted test key\n"
         + to_base64(blob, Padding::yes) + "\n";
}

} // namespace

TEST_SUITE_BEGIN("minisign");

TEST_CASE("every generated vector verifies or fails as EXPECTED.txt says")
{
  const auto rows = expected_rows(k_generated / "EXPECTED.txt", 5);
  REQUIRE(rows.size() == 9);
  std::set<std::string> covered;
  int passes = 0;
  int failures = 0;
  for (const auto& row : rows) {
    const auto& signature_file = row[2];
    INFO(signature_file << " over " << row[1] << " with " << row[0]);
    covered.insert(signature_file);
    const auto key = load_public(k_generated / row[0]);
    const auto message = slurp(k_generated / row[1]);
    const auto text = slurp(k_generated / signature_file);
    const auto outcome = verify(key, as_bytes(message), text);
    if (row[3] == "PASS") {
      REQUIRE_MESSAGE(outcome.has_value(), outcome.error().message);
      CHECK(*outcome == parse_signature(text)->trusted_comment);
      ++passes;
      continue;
    }
    REQUIRE(row[3] == "FAIL");
    const auto error = failure(outcome);
    CHECK(error.code == Errc::corrupt);
    // Each minisign error maps to a specific one of ours.
    const auto& minisign_says = row[4];
    if (contains(minisign_says, "Comment signature verification failed")) {
      CHECK(error.message.starts_with(
        "trusted comment signature verification failed"));
    } else if (contains(minisign_says, "Signature verification failed")) {
      CHECK(error.message.starts_with("signature verification failed"));
    } else {
      REQUIRE(contains(minisign_says, "Signature key id"));
      CHECK(contains(error.message, "EDEF0BEA79D5D242"));
      CHECK(contains(error.message, "EDEF0BEA79D5D243"));
    }
    ++failures;
  }
  CHECK(passes == 4);
  CHECK(failures == 5);
  for (const auto& entry : std::filesystem::directory_iterator(k_generated)) {
    if (entry.path().extension() == ".minisig") {
      CHECK_MESSAGE(covered.count(entry.path().filename().string()) == 1,
                    entry.path() << " is not in EXPECTED.txt");
    }
  }
  MESSAGE("generated vectors: " << passes << " pass, " << failures
                                << " fail as expected");
}

TEST_CASE("every upstream vector verifies with minisign's release key")
{
  const auto key = load_public(k_upstream / "minisign-release.pub");
  CHECK(key.key_id() == "E7620F1842B4E81F");
  const auto message = slurp(k_upstream / "test.txt");
  REQUIRE(message == "test");
  const auto rows = expected_rows(k_upstream / "EXPECTED.txt", 3);
  REQUIRE(rows.size() == 4);
  for (const auto& row : rows) {
    INFO(row[0]);
    REQUIRE(row[1] == "PASS");
    const auto text = slurp(k_upstream / row[0]);
    const auto outcome = verify(key, as_bytes(message), text);
    REQUIRE_MESSAGE(outcome.has_value(), outcome.error().message);
    // The last column reads: algorithm "Ed"  trusted comment
    // "timestamp:..<TAB>file:test"
    const auto& notes = row[2];
    const auto comment_start = notes.find("trusted comment \"") + 17;
    const auto comment =
      notes.substr(comment_start, notes.rfind('"') - comment_start);
    CHECK(*outcome == replace_all(comment, "<TAB>", "\t"));
    const auto parsed = parse_signature(text);
    const bool legacy = contains(notes, "algorithm \"Ed\"");
    CHECK(parsed->algorithm
          == (legacy ? Algorithm::legacy : Algorithm::prehashed));
    CHECK(verify(key, as_bytes("test\n"), text).error().code == Errc::corrupt);
    CHECK(parsed->to_text() == text);
  }
}

TEST_CASE(
  "public keys parse from files and bare lines and print as minisign does")
{
  const auto text = slurp(k_generated / "test-key.pub");
  const auto key = load_public(k_generated / "test-key.pub");
  CHECK(key.key_id() == "EDEF0BEA79D5D243");
  CHECK(key.to_file_text() == text);
  CHECK(key.to_base64()
        == "RWRD0tV56gvv7X0yVjYR1C5l68BAZzp+lciJOZ11AUgptYOOqVZLkjwE");
  CHECK(*PublicKey::from_base64(key.to_base64()) == key);
  CHECK(load_public(k_generated / "enc-test-key.pub").key_id()
        == "7A9621B244A485A2");
  // minisign reads the key id little-endian: the first blob byte is the last
  // printed pair.
  CHECK(key.keynum()[0] == 0x43);

  SUBCASE("malformed public keys")
  {
    CHECK(PublicKey::from_base64("RWRD0tV56gvv7X0y").error().code
          == Errc::invalid_input);
    CHECK(PublicKey::from_base64("not base64!").error().code
          == Errc::invalid_input);
    CHECK(PublicKey::from_base64(
            "RURD0tV56gvv7X0yVjYR1C5l68BAZzp+lciJOZ11AUgptYOOqVZLkjwE")
            .error()
            .code
          == Errc::invalid_input); // "ED" is a signature tag, not a key's
    CHECK_FALSE(PublicKey::from_file_text(key.to_base64()));
    CHECK_FALSE(
      PublicKey::from_file_text("comment\n" + key.to_base64() + "\n"));
    CHECK_FALSE(PublicKey::from_file_text(text + "\n"));
    CHECK(
      PublicKey::from_file_text(replace_all(text, "\n", "\r\n")).has_value());
    CHECK(
      PublicKey::from_file_text(text.substr(0, text.size() - 1)).has_value());
  }
}

TEST_CASE(
  "secret keys load from minisign's unencrypted and scrypt-encrypted files")
{
  const auto plain = test_key();
  CHECK(plain.public_key() == load_public(k_generated / "test-key.pub"));
  CHECK(*SecretKey::file_is_encrypted(
          slurp(k_generated / "test-key.UNENCRYPTED-TEST-ONLY.key"))
        == false);

  // The real thing: minisign's default scrypt cost (1 GiB, a few seconds), so
  // only once.
  const auto encrypted_text =
    slurp(k_generated / "enc-test-key.password-test-password.key");
  CHECK(*SecretKey::file_is_encrypted(encrypted_text) == true);
  const auto encrypted =
    SecretKey::from_file_text(encrypted_text, "test-password");
  REQUIRE_MESSAGE(encrypted.has_value(), encrypted.error().message);
  CHECK(encrypted->public_key()
        == load_public(k_generated / "enc-test-key.pub"));
  CHECK(encrypted->key_id() == "7A9621B244A485A2");
  CHECK(*sign(*encrypted,
              as_bytes(slurp(k_generated / "hello.txt")),
              "signed with encrypted key",
              k_default_untrusted_comment)
        == slurp(k_generated / "hello.txt.minisig"));
}

TEST_CASE("a wrong password for an encrypted secret key is an auth error")
{
  const auto plain = test_key();
  const auto cheap = encrypt_key_file(plain, "right");
  const auto opened = SecretKey::from_file_text(cheap, "right");
  REQUIRE_MESSAGE(opened.has_value(), opened.error().message);
  CHECK(opened->public_key() == plain.public_key());
  const auto wrong = SecretKey::from_file_text(cheap, "wrong");
  REQUIRE_FALSE(wrong.has_value());
  CHECK(wrong.error().code == Errc::auth);
  CHECK(SecretKey::from_file_text(cheap).error().code == Errc::auth);
}

TEST_CASE("re-signing with the vector key reproduces minisign's signatures "
          "byte for byte")
{
  const auto plain = test_key();
  const auto message = slurp(k_generated / "msg.txt");
  CHECK(*sign(plain,
              as_bytes(message),
              "vault-test prehashed",
              "test vector (prehashed ED)")
        == slurp(k_generated / "msg.txt.prehashed.minisig"));
  CHECK(*sign(plain,
              as_bytes(message),
              "vault-test legacy",
              "test vector (legacy Ed)",
              Algorithm::legacy)
        == slurp(k_generated / "msg.txt.legacy.minisig"));
}

TEST_CASE("secret key files we write round-trip, with the checksum filled in")
{
  const auto key = SecretKey::generate();
  CHECK(key.key_id().size() == 16);
  CHECK(key.public_key().key_id() == key.key_id());
  const auto file = key.to_unencrypted_file_text();
  REQUIRE(file.has_value());
  const std::string text(file->text());
  CHECK(text.starts_with(
    "untrusted comment: minisign secret key, not encrypted\n"));
  CHECK(text.ends_with("\n"));
  CHECK(*SecretKey::file_is_encrypted(text) == false);

  const auto again = SecretKey::from_file_text(text);
  REQUIRE_MESSAGE(again.has_value(), again.error().message);
  CHECK(again->public_key() == key.public_key());
  CHECK(*sign(*again, as_bytes("x"), "t", "u")
        == *sign(key, as_bytes("x"), "t", "u"));

  const auto line =
    text.substr(text.find('\n') + 1, text.size() - text.find('\n') - 2);
  auto blob = *from_base64(line, Padding::yes);
  REQUIRE(blob.size() == 158);
  CHECK(blob[2] == 0);
  CHECK(blob[3] == 0);
  CHECK(std::all_of(
    blob.begin() + 6, blob.begin() + 54, [](auto b) { return b == 0; }));
  unsigned char checksum[32];
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  crypto_generichash_update(&state, blob.data(), 2);
  crypto_generichash_update(&state, blob.data() + 54, 72);
  crypto_generichash_final(&state, checksum, 32);
  CHECK(std::equal(checksum, checksum + 32, blob.begin() + 126));

  const auto rewrite = [](Bytes bytes) {
    return "untrusted comment: x\n" + to_base64(bytes, Padding::yes) + "\n";
  };
  SUBCASE("an all-zero checksum is accepted, as minisign -W writes it")
  {
    auto zeroed = blob;
    std::fill(zeroed.begin() + 126, zeroed.end(), 0);
    CHECK(SecretKey::from_file_text(rewrite(zeroed)).has_value());
  }
  SUBCASE("a wrong checksum or a damaged key is rejected")
  {
    auto bad_checksum = blob;
    bad_checksum[157] ^= 1;
    CHECK(SecretKey::from_file_text(rewrite(bad_checksum)).error().code
          == Errc::invalid_input);
    auto bad_public_half = blob;
    bad_public_half[100] ^= 1;
    std::fill(bad_public_half.begin() + 126, bad_public_half.end(), 0);
    CHECK(SecretKey::from_file_text(rewrite(bad_public_half)).error().code
          == Errc::invalid_input);
  }
  SUBCASE(
    "unknown tags and excessive scrypt costs are rejected before any work")
  {
    auto bad_kdf = blob;
    bad_kdf[2] = 'X';
    CHECK(SecretKey::from_file_text(rewrite(bad_kdf)).error().code
          == Errc::invalid_input);
    auto bad_alg = blob;
    bad_alg[1] = 'D';
    CHECK(SecretKey::from_file_text(rewrite(bad_alg)).error().code
          == Errc::invalid_input);
    auto bad_checksum_alg = blob;
    bad_checksum_alg[5] = '3';
    CHECK(SecretKey::from_file_text(rewrite(bad_checksum_alg)).error().code
          == Errc::invalid_input);
    auto expensive = blob;
    expensive[2] = 'S';
    expensive[3] = 'c';
    expensive[45] = 0x01; // opslimit 2^56
    CHECK(SecretKey::from_file_text(rewrite(expensive), "pw").error().code
          == Errc::invalid_input);
    CHECK(SecretKey::from_file_text(text + "\n").error().code
          == Errc::invalid_input);
    CHECK(SecretKey::from_file_text(line).error().code == Errc::invalid_input);
  }
  CHECK(key.to_unencrypted_file_text("two\nlines").error().code
        == Errc::invalid_input);
}

TEST_CASE("signatures round-trip, in one piece or streamed")
{
  const auto key = SecretKey::generate();
  const auto public_key = key.public_key();
  const std::string message = "evidence bytes\n";

  const auto prehashed =
    sign(key, as_bytes(message), "timestamp:1\tfile:e.bin\thashed", "u");
  REQUIRE(prehashed.has_value());
  CHECK(*verify(public_key, as_bytes(message), *prehashed)
        == "timestamp:1\tfile:e.bin\thashed");
  CHECK(parse_signature(*prehashed)->to_text() == *prehashed);
  CHECK(parse_signature(*prehashed)->key_id() == key.key_id());

  const auto legacy =
    sign(key, as_bytes(message), "legacy", "u", Algorithm::legacy);
  REQUIRE(legacy.has_value());
  CHECK(parse_signature(*legacy)->algorithm == Algorithm::legacy);
  CHECK(*verify(public_key, as_bytes(message), *legacy) == "legacy");
  CHECK(
    verify(public_key, as_bytes(message), *legacy, Legacy::reject).error().code
    == Errc::invalid_input);
  CHECK(verify(public_key, as_bytes(message), *prehashed, Legacy::reject)
          .has_value());

  Prehash pieces;
  pieces.update(as_bytes(message.substr(0, 3)));
  pieces.update({});
  pieces.update(as_bytes(message.substr(3)));
  const auto hash = pieces.finish();
  CHECK(hash == prehash(as_bytes(message)));
  CHECK(*sign_prehashed(key, hash, "timestamp:1\tfile:e.bin\thashed", "u")
        == *prehashed);
  CHECK(*verify_prehashed(public_key, hash, *prehashed)
        == "timestamp:1\tfile:e.bin\thashed");
  CHECK(verify_prehashed(public_key, hash, *legacy).error().code
        == Errc::invalid_input);
  // b2sum of "abc", to pin the prehash to unkeyed BLAKE2b-512.
  CHECK(to_hex(prehash(as_bytes("abc")))
        == "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
           "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");

  SUBCASE("comments at minisign's limits, and beyond")
  {
    const std::string longest_trusted(k_trusted_comment_max, 't');
    const std::string longest_untrusted(k_untrusted_comment_max, 'u');
    const auto at_limit =
      sign(key, as_bytes(message), longest_trusted, longest_untrusted);
    REQUIRE(at_limit.has_value());
    CHECK(verify(public_key, as_bytes(message), *at_limit).has_value());
    CHECK(sign(key, as_bytes(message), longest_trusted + "t", "u").error().code
          == Errc::invalid_input);
    CHECK(
      sign(key, as_bytes(message), "t", longest_untrusted + "u").error().code
      == Errc::invalid_input);
    CHECK(sign(key, as_bytes(message), "two\nlines", "u").error().code
          == Errc::invalid_input);
    CHECK(sign(key, as_bytes(message), "cr\rhere", "u").error().code
          == Errc::invalid_input);
    CHECK(sign(key, as_bytes(message), "t", "two\nlines").error().code
          == Errc::invalid_input);
    CHECK(sign(key, as_bytes(message), "esc\x1b[31m", "u").error().code
          == Errc::invalid_input);
    CHECK(sign(key, as_bytes(message), "caf\xc3\xa9 \xe2\x9c\x93", "u")
            .has_value());
    CHECK(sign(key, as_bytes(message), "", "").has_value());
  }
}

TEST_CASE("tampering is caught, with the reason")
{
  const auto key = test_key();
  const auto public_key = key.public_key();
  const std::string message = "The quick brown fox jumps over the lazy dog\n";
  const auto text = *sign(key, as_bytes(message), "trusted", "untrusted");

  CHECK(
    contains(failure(verify(public_key, as_bytes(message + "."), text)).message,
             "signature verification failed"));

  auto signature = *parse_signature(text);
  signature.trusted_comment = "trusteD";
  CHECK(
    failure(verify(public_key, as_bytes(message), signature.to_text()))
      .message.starts_with("trusted comment signature verification failed"));

  signature = *parse_signature(text);
  signature.untrusted_comment = "anything at all";
  CHECK(verify(public_key, as_bytes(message), signature.to_text()).has_value());

  signature = *parse_signature(text);
  signature.algorithm = Algorithm::legacy;
  CHECK(failure(verify(public_key, as_bytes(message), signature.to_text()))
          .message.starts_with("signature verification failed"));
  const auto legacy =
    *sign(key, as_bytes(message), "trusted", "untrusted", Algorithm::legacy);
  signature = *parse_signature(legacy);
  signature.algorithm = Algorithm::prehashed;
  CHECK(failure(verify(public_key, as_bytes(message), signature.to_text()))
          .message.starts_with("signature verification failed"));

  for (std::size_t byte = 0; byte < 64; byte += 9) {
    signature = *parse_signature(text);
    signature.signature[byte] ^= 0x04;
    CHECK(
      failure(verify(public_key, as_bytes(message), signature.to_text())).code
      == Errc::corrupt);
    signature = *parse_signature(text);
    signature.global_signature[byte] ^= 0x04;
    CHECK(failure(verify(public_key, as_bytes(message), signature.to_text()))
            .message.starts_with("trusted comment signature"));
  }

  const auto other = SecretKey::generate();
  const auto mismatch =
    failure(verify(other.public_key(), as_bytes(message), text));
  CHECK(mismatch.code == Errc::corrupt);
  CHECK(contains(mismatch.message, key.key_id()));
  CHECK(contains(mismatch.message, other.key_id()));
  // Another key under the same key number gets as far as the signature check.
  const PublicKey impostor(key.keynum(), other.public_key().key());
  CHECK(failure(verify(impostor, as_bytes(message), text))
          .message.starts_with("signature verification failed"));
}

TEST_CASE("malformed signature files are invalid input")
{
  const auto key = test_key();
  const auto public_key = key.public_key();
  const std::string message = "m";
  const auto text = *sign(key, as_bytes(message), "trusted", "untrusted");
  const auto lines = [&] {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      out.push_back(line);
    }
    return out;
  }();
  REQUIRE(lines.size() == 4);
  const auto join = [](const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& part : parts) {
      out += part + "\n";
    }
    return out;
  };
  const auto malformed = [&](const std::string& bad) {
    const auto outcome = verify(public_key, as_bytes(message), bad);
    REQUIRE_FALSE(outcome.has_value());
    CHECK(outcome.error().code == Errc::invalid_input);
    return outcome.error().message;
  };
  const auto with_line = [&](std::size_t index,
                             const std::string& replacement) {
    auto copy = lines;
    copy[index] = replacement;
    return join(copy);
  };

  CHECK(verify(public_key, as_bytes(message), text.substr(0, text.size() - 1))
          .has_value());
  CHECK(verify(public_key, as_bytes(message), replace_all(text, "\n", "\r\n"))
          .has_value());

  CHECK(contains(malformed(join({lines[0], lines[1], lines[2]})), "3 lines"));
  CHECK(contains(malformed(text + "\n"), "5 lines"));
  CHECK(contains(malformed(text + "extra\n"), "5 lines"));
  CHECK(contains(malformed(""), "0 lines"));
  CHECK(contains(malformed(with_line(2, "trusted comment: a\rb")),
                 "carriage return"));
  CHECK(contains(malformed(with_line(0, "untrusted comment: \r\r")),
                 "carriage return"));
  malformed(with_line(0, "comment: untrusted"));
  malformed(with_line(2, "trusted: x"));
  malformed(with_line(1, lines[1].substr(0, 96)));
  malformed(with_line(1, lines[1] + "AAAA"));
  malformed(with_line(1, "!" + lines[1].substr(1)));
  malformed(with_line(3, lines[3].substr(4)));
  malformed(with_line(3, lines[3] + " "));
  malformed(with_line(2, "trusted comment: bell\x07"));
  malformed(with_line(2, "trusted comment: \x7f"));
  malformed(with_line(2, "trusted comment: c1 \xc2\x85"));
  malformed(with_line(2, "trusted comment: overlong \xc0\xaf"));
  malformed(with_line(2, "trusted comment: surrogate \xed\xa0\x80"));
  malformed(with_line(2, "trusted comment: cut \xe2\x9c"));
  malformed(with_line(
    2, "trusted comment: " + std::string(k_trusted_comment_max + 1, 't')));
  malformed(with_line(
    0, "untrusted comment: " + std::string(k_untrusted_comment_max + 1, 'u')));

  auto unknown = *from_base64(lines[1], Padding::yes);
  unknown[1] = 'x';
  CHECK(contains(malformed(with_line(1, to_base64(unknown, Padding::yes))),
                 "algorithm"));
}

TEST_SUITE_END();
