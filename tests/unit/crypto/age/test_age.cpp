// age v1: every CCTV vector, round trips, streaming, keys and identity files.
#include <custody/crypto/age/age.hpp>
#include <custody/crypto/bech32.hpp>
#include <custody/crypto/crypto.hpp>

#include <doctest/doctest.h>

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace custody;

namespace {

const std::filesystem::path k_vectors =
  std::filesystem::path(CUSTODY_TEST_VECTORS) / "age";

// The identity most CCTV vectors use, and its recipient as `age-keygen -y`
// prints it.
constexpr std::string_view k_cctv_identity =
  "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0";
constexpr std::string_view k_cctv_recipient =
  "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef";

Bytes
read_file(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Bytes
inflate_all(ByteView compressed)
{
  z_stream stream{};
  REQUIRE(inflateInit(&stream) == Z_OK);
  stream.next_in = const_cast<Bytef*>(compressed.data());
  stream.avail_in = static_cast<uInt>(compressed.size());
  Bytes out;
  std::array<std::uint8_t, 65536> buffer{};
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    stream.next_out = buffer.data();
    stream.avail_out = static_cast<uInt>(buffer.size());
    rc = inflate(&stream, Z_NO_FLUSH);
    REQUIRE((rc == Z_OK || rc == Z_STREAM_END));
    out.insert(out.end(),
               buffer.data(),
               buffer.data() + (buffer.size() - stream.avail_out));
  }
  inflateEnd(&stream);
  return out;
}

Bytes
to_bytes(ByteView view)
{
  return {view.begin(), view.end()};
}

Bytes
to_bytes(std::string_view text)
{
  return {text.begin(), text.end()};
}

struct Vector
{
  std::string name;
  std::string expect;
  std::optional<std::string> payload;
  std::string file_key;
  std::vector<std::string> identities;
  std::vector<std::string> passphrases;
  bool armored = false;
  Bytes file;
};

Vector
load_vector(const std::filesystem::path& path)
{
  Vector vector;
  vector.name = path.filename().string();
  const Bytes raw = read_file(path);
  const std::string_view text = as_text(raw);
  const auto end = text.find("\n\n");
  REQUIRE(end != std::string_view::npos);
  bool compressed = false;
  std::string_view header = text.substr(0, end + 1);
  while (!header.empty()) {
    const auto newline = header.find('\n');
    const std::string_view line = header.substr(0, newline);
    header.remove_prefix(newline + 1);
    const auto colon = line.find(": ");
    REQUIRE(colon != std::string_view::npos);
    const std::string key(line.substr(0, colon));
    const std::string value(line.substr(colon + 2));
    if (key == "expect") {
      vector.expect = value;
    } else if (key == "payload") {
      vector.payload = value;
    } else if (key == "file key") {
      vector.file_key = value;
    } else if (key == "identity") {
      vector.identities.push_back(value);
    } else if (key == "passphrase") {
      vector.passphrases.push_back(value);
    } else if (key == "armored") {
      vector.armored = value == "yes";
    } else if (key == "compressed") {
      REQUIRE(value == "zlib");
      compressed = true;
    } else {
      // The CCTV README says to ignore files with unknown keys; there are none
      // in this set.
      REQUIRE(key == "comment");
    }
  }
  const ByteView body = ByteView(raw).subspan(end + 2);
  vector.file = compressed ? inflate_all(body) : to_bytes(body);
  return vector;
}

std::vector<Vector>
load_vectors()
{
  std::vector<std::filesystem::path> paths;
  for (const auto& entry :
       std::filesystem::directory_iterator(k_vectors / "testdata")) {
    paths.push_back(entry.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<Vector> vectors;
  for (const auto& path : paths) {
    vectors.push_back(load_vector(path));
  }
  return vectors;
}

age::Failure
expected_failure(const std::string& expect)
{
  static const std::map<std::string, age::Failure> kinds = {
    {"success", age::Failure::none},
    {"no match", age::Failure::no_match},
    {"HMAC failure", age::Failure::header_mac},
    {"header failure", age::Failure::header},
    {"payload failure", age::Failure::payload},
    {"armor failure", age::Failure::armor},
  };
  const auto found = kinds.find(expect);
  REQUIRE(found != kinds.end());
  return found->second;
}

std::vector<age::X25519Identity>
parse_identities(const std::vector<std::string>& texts)
{
  std::vector<age::X25519Identity> identities;
  for (const auto& text : texts) {
    auto identity = age::X25519Identity::parse(text);
    REQUIRE(identity);
    identities.push_back(std::move(*identity));
  }
  return identities;
}

struct Outcome
{
  age::Failure failure = age::Failure::none;
  std::string message;
  // SHA-256 of all plaintext the streaming API released, even before a failure.
  std::string released_sha256;
  Bytes plaintext;
};

// Decrypts through the streaming API, as an application reading chunk by chunk
// would.
Outcome
run_streaming(const Vector& vector)
{
  const auto input = vector.armored ? age::Input::armored : age::Input::binary;
  const auto identities = parse_identities(vector.identities);
  std::optional<age::MemorySource> source;
  Result<age::Decryptor> decryptor = make_error(Errc::internal, "unreachable");
  // Vectors with neither (`empty`, `armor_empty`) fail before any key is
  // needed.
  if (!identities.empty() || vector.passphrases.empty()) {
    source.emplace(vector.file);
    decryptor = age::Decryptor::open(*source, identities, input);
  } else {
    // Like the reference testkit, try every passphrase; "no match" only if none
    // opens it.
    for (const auto& passphrase : vector.passphrases) {
      source.emplace(vector.file);
      decryptor = age::Decryptor::open_with_passphrase(
        *source, as_bytes(passphrase), input);
      if (decryptor
          || age::failure_of(decryptor.error()) != age::Failure::no_match) {
        break;
      }
    }
  }
  Outcome outcome;
  Sha256 hash;
  if (!decryptor) {
    outcome.failure = age::failure_of(decryptor.error());
    outcome.message = decryptor.error().message;
  } else {
    Bytes chunk(age::k_chunk_size);
    for (;;) {
      auto n = decryptor->read_chunk(chunk);
      if (!n) {
        outcome.failure = age::failure_of(n.error());
        outcome.message = n.error().message;
        break;
      }
      if (*n == 0) {
        break;
      }
      hash.update(ByteView(chunk).first(*n));
      outcome.plaintext.insert(outcome.plaintext.end(),
                               chunk.begin(),
                               chunk.begin() + static_cast<std::ptrdiff_t>(*n));
    }
  }
  outcome.released_sha256 = to_hex(hash.finish());
  return outcome;
}

// Decrypts through the whole-buffer API, which detects armor by itself.
age::Failure
run_whole_buffer(const Vector& vector, std::string* sha256_hex_out)
{
  Result<SecretBytes> plaintext = make_error(Errc::internal, "unreachable");
  if (!vector.identities.empty() || vector.passphrases.empty()) {
    plaintext = age::decrypt(vector.file, parse_identities(vector.identities));
  } else {
    for (const auto& passphrase : vector.passphrases) {
      plaintext =
        age::decrypt_with_passphrase(vector.file, as_bytes(passphrase));
      if (plaintext
          || age::failure_of(plaintext.error()) != age::Failure::no_match) {
        break;
      }
    }
  }
  if (!plaintext) {
    return age::failure_of(plaintext.error());
  }
  *sha256_hex_out = sha256_hex(plaintext->view());
  return age::Failure::none;
}

// What an armored vector's text should re-encode to: no outer whitespace, LF
// line ends.
Bytes
normalize_armor(const Bytes& text)
{
  std::string s(text.begin(), text.end());
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') {
      continue;
    }
    out.push_back(s[i]);
  }
  const auto first = out.find('-');
  const auto last = out.find_last_of('-');
  out = out.substr(first, last - first + 1) + "\n";
  return to_bytes(out);
}

Bytes
pattern(std::size_t size)
{
  Bytes data(size);
  for (std::size_t i = 0; i < size; ++i) {
    data[i] = static_cast<std::uint8_t>((i * 131 + 7) ^ (i >> 11));
  }
  return data;
}

// A vector holding one identity (an initializer list would need a copy).
std::vector<age::X25519Identity>
just(const age::X25519Identity& identity)
{
  std::vector<age::X25519Identity> identities;
  identities.push_back(identity.clone());
  return identities;
}

Bytes
secret_to_bytes(const SecretBytes& secret)
{
  return to_bytes(secret.view());
}

} // namespace

TEST_SUITE_BEGIN("age");

TEST_CASE("every CCTV vector decrypts or fails as its expect line says")
{
  const auto vectors = load_vectors();
  REQUIRE(vectors.size() == 124);
  std::size_t passed = 0;
  std::set<std::string> whole_buffer_differs;
  for (const auto& vector : vectors) {
    CAPTURE(vector.name);
    const auto want = expected_failure(vector.expect);
    const auto outcome = run_streaming(vector);
    CAPTURE(outcome.message);
    bool ok = outcome.failure == want;
    CHECK(outcome.failure == want);
    if (vector.payload
        && (want == age::Failure::none || want == age::Failure::payload)) {
      CHECK(outcome.released_sha256 == *vector.payload);
      ok = ok && outcome.released_sha256 == *vector.payload;
    }
    if (want == age::Failure::none) {
      REQUIRE(vector.payload);
    }
    passed += ok ? 1 : 0;

    std::string whole_sha;
    const auto whole = run_whole_buffer(vector, &whole_sha);
    if (whole != want) {
      whole_buffer_differs.insert(vector.name);
    } else if (want == age::Failure::none) {
      CHECK(whole_sha == *vector.payload);
    }
  }
  MESSAGE("age vectors passed: " << passed << " of " << vectors.size());
  CHECK(passed == vectors.size());
  // The whole-buffer API detects armor, so where the text does not begin with
  // "-----BEGIN" (after whitespace) it sees a binary file and reports a header
  // failure instead of an armor failure.
  CHECK(whole_buffer_differs
        == std::set<std::string>{"armor_garbage_leading",
                                 "armor_whitespace_begin"});
}

TEST_CASE("headers of vectors that parse re-serialize to the same bytes")
{
  std::size_t checked = 0;
  for (const auto& vector : load_vectors()) {
    if (vector.expect == "header failure" || vector.expect == "armor failure") {
      continue;
    }
    CAPTURE(vector.name);
    Bytes binary = vector.file;
    if (vector.armored) {
      auto decoded = age::armor_decode(vector.file);
      REQUIRE(decoded);
      binary = std::move(*decoded);
    }
    std::size_t length = 0;
    auto header = age::parse_header(binary, &length);
    REQUIRE(header);
    CHECK(age::serialize_header(*header)
          == Bytes(binary.begin(), binary.begin() + length));
    ++checked;
  }
  // 124 vectors less 53 header failures and 22 armor failures.
  CHECK(checked == 49);
}

TEST_CASE("armored vectors re-encode to their text")
{
  std::size_t checked = 0;
  for (const auto& vector : load_vectors()) {
    if (!vector.armored || vector.expect == "armor failure") {
      continue;
    }
    CAPTURE(vector.name);
    auto decoded = age::armor_decode(vector.file);
    REQUIRE(decoded);
    CHECK(age::armor_encode(*decoded) == normalize_armor(vector.file));
    ++checked;
  }
  CHECK(checked == 10);
}

TEST_CASE(
  "success vectors' payloads re-encrypt to the same bytes with their file key")
{
  std::size_t checked = 0;
  for (const auto& vector : load_vectors()) {
    if (vector.expect != "success") {
      continue;
    }
    CAPTURE(vector.name);
    Bytes binary = vector.file;
    if (vector.armored) {
      binary = *age::armor_decode(vector.file);
    }
    std::size_t length = 0;
    REQUIRE(age::parse_header(binary, &length));
    const auto outcome = run_streaming(vector);
    REQUIRE(outcome.failure == age::Failure::none);
    const auto file_key = from_hex(vector.file_key);
    REQUIRE(file_key);
    const ByteView payload = ByteView(binary).subspan(length);
    auto again = age::detail::encrypt_payload(
      *file_key, payload.first(16), outcome.plaintext);
    REQUIRE(again);
    CHECK(*again == to_bytes(payload));
    ++checked;
  }
  CHECK(checked == 21);
}

TEST_CASE(
  "X25519 round trip for sizes around the chunk boundaries, binary and armored")
{
  const auto identity = age::X25519Identity::generate();
  const std::vector<age::X25519Recipient> recipients = {identity.recipient()};
  const auto identities = just(identity);
  const std::size_t c = age::k_chunk_size;
  for (const std::size_t size :
       {std::size_t{0}, std::size_t{1}, c - 1, c, c + 1, 2 * c, 3 * c + 5}) {
    for (const auto armor : {age::Armor::no, age::Armor::yes}) {
      CAPTURE(size);
      CAPTURE(armor == age::Armor::yes);
      const Bytes plaintext = pattern(size);
      auto file = age::encrypt(plaintext, recipients, armor);
      REQUIRE(file);
      if (armor == age::Armor::yes) {
        CHECK(
          as_text(*file).starts_with("-----BEGIN AGE ENCRYPTED FILE-----\n"));
        CHECK(as_text(*file).ends_with("\n-----END AGE ENCRYPTED FILE-----\n"));
      } else {
        // Exactly ceil(size / 64 KiB) chunks, and one empty chunk for an empty
        // file.
        std::size_t length = 0;
        REQUIRE(age::parse_header(*file, &length));
        const std::size_t chunks = size == 0 ? 1 : (size + c - 1) / c;
        CHECK(file->size() == length + 16 + size + chunks * age::k_tag_size);
      }
      auto decrypted = age::decrypt(*file, identities);
      REQUIRE(decrypted);
      CHECK(secret_to_bytes(*decrypted) == plaintext);
    }
  }
}

TEST_CASE("a file for several recipients opens with each identity, and not "
          "with another")
{
  std::vector<age::X25519Identity> identities;
  std::vector<age::X25519Recipient> recipients;
  for (int i = 0; i < 3; ++i) {
    identities.push_back(age::X25519Identity::generate());
    recipients.push_back(identities.back().recipient());
  }
  const Bytes plaintext = pattern(1000);
  auto file = age::encrypt(plaintext, recipients, age::Armor::no);
  REQUIRE(file);
  auto header = age::parse_header(*file);
  REQUIRE(header);
  CHECK(header->stanzas.size() == 3);
  for (const auto& identity : identities) {
    const auto one = just(identity);
    auto decrypted = age::decrypt(*file, one);
    REQUIRE(decrypted);
    CHECK(secret_to_bytes(*decrypted) == plaintext);
  }
  const auto stranger = just(age::X25519Identity::generate());
  auto refused = age::decrypt(*file, stranger);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::auth);
  CHECK(age::failure_of(refused.error()) == age::Failure::no_match);
  CHECK(refused.error().message.find("no identity matches")
        != std::string::npos);
}

TEST_CASE(
  "passphrase round trip, wrong passphrase, and reading the work factor")
{
  const Bytes plaintext = pattern(70000);
  for (const auto armor : {age::Armor::no, age::Armor::yes}) {
    auto file = age::encrypt_with_passphrase(
      plaintext, as_bytes("correct horse"), 10, armor);
    REQUIRE(file);
    auto work_factor = age::scrypt_work_factor(*file);
    REQUIRE(work_factor);
    CHECK(*work_factor == 10);
    auto decrypted =
      age::decrypt_with_passphrase(*file, as_bytes("correct horse"));
    REQUIRE(decrypted);
    CHECK(secret_to_bytes(*decrypted) == plaintext);
    auto wrong =
      age::decrypt_with_passphrase(*file, as_bytes("battery staple"));
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code == Errc::auth);
    CHECK(age::failure_of(wrong.error()) == age::Failure::no_match);
    // A passphrase file has no X25519 stanza for an identity to open.
    const auto identities = just(age::X25519Identity::generate());
    auto with_identity = age::decrypt(*file, identities);
    REQUIRE_FALSE(with_identity);
    CHECK(with_identity.error().code == Errc::auth);
  }
  CHECK_FALSE(
    age::encrypt_with_passphrase(plaintext, as_bytes("p"), 0, age::Armor::no));
  CHECK_FALSE(
    age::encrypt_with_passphrase(plaintext, as_bytes("p"), 23, age::Armor::no));
  CHECK_FALSE(
    age::encrypt_with_passphrase(plaintext, as_bytes(""), 10, age::Armor::no));

  const std::vector<age::X25519Recipient> recipients = {
    age::X25519Identity::generate().recipient()};
  auto x25519_file = age::encrypt(plaintext, recipients, age::Armor::no);
  REQUIRE(x25519_file);
  auto none = age::scrypt_work_factor(*x25519_file);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == Errc::invalid_input);
  auto refused =
    age::decrypt_with_passphrase(*x25519_file, as_bytes("correct horse"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::auth);
}

TEST_CASE("the scrypt work factor of a vector is read without decrypting")
{
  const auto scrypt = load_vector(k_vectors / "testdata" / "scrypt");
  auto work_factor = age::scrypt_work_factor(scrypt.file);
  REQUIRE(work_factor);
  CHECK(*work_factor == 10);
  const auto too_high =
    load_vector(k_vectors / "testdata" / "scrypt_work_factor_23");
  auto refused = age::scrypt_work_factor(too_high.file);
  REQUIRE_FALSE(refused);
  CHECK(age::failure_of(refused.error()) == age::Failure::header);
}

TEST_CASE("streaming encryption and decryption chunk by chunk")
{
  const auto identity = age::X25519Identity::generate();
  const std::vector<age::X25519Recipient> recipients = {identity.recipient()};
  const Bytes plaintext = pattern(3 * age::k_chunk_size);
  auto encryptor = age::Encryptor::create(recipients, age::Armor::no);
  REQUIRE(encryptor);
  Bytes file = encryptor->header();
  for (std::size_t i = 0; i < 3; ++i) {
    Bytes out;
    const ByteView chunk =
      ByteView(plaintext).subspan(i * age::k_chunk_size, age::k_chunk_size);
    REQUIRE(encryptor->encrypt_chunk(
      chunk, i == 2 ? age::Last::yes : age::Last::no, out));
    CHECK(out.size() == age::k_encrypted_chunk_size);
    file.insert(file.end(), out.begin(), out.end());
  }
  CHECK(encryptor->finished());
  Bytes extra;
  CHECK_FALSE(encryptor->encrypt_chunk({}, age::Last::yes, extra));

  age::MemorySource source(file);
  const auto identities = just(identity);
  auto decryptor = age::Decryptor::open(source, identities);
  REQUIRE(decryptor);
  Bytes chunk(age::k_chunk_size);
  Bytes decrypted;
  std::size_t calls = 0;
  for (;;) {
    auto n = decryptor->read_chunk(chunk);
    REQUIRE(n);
    ++calls;
    if (*n == 0) {
      break;
    }
    decrypted.insert(
      decrypted.end(), chunk.begin(), chunk.begin() + static_cast<long>(*n));
  }
  CHECK(calls == 4);
  CHECK(decrypted == plaintext);
  auto after = decryptor->read_chunk(chunk);
  REQUIRE(after);
  CHECK(*after == 0);
  // A buffer too small for the next chunk's plaintext is the caller's bug.
  age::MemorySource again(file);
  auto second = age::Decryptor::open(again, identities);
  REQUIRE(second);
  Bytes small(100);
  auto refused = second->read_chunk(small);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == Errc::internal);
}

TEST_CASE("the encryptor refuses chunk sequences that break the STREAM rules")
{
  const std::vector<age::X25519Recipient> recipients = {
    age::X25519Identity::generate().recipient()};
  SUBCASE("a short chunk that is not the last")
  {
    auto encryptor = age::Encryptor::create(recipients, age::Armor::no);
    Bytes out;
    CHECK_FALSE(encryptor->encrypt_chunk(pattern(10), age::Last::no, out));
  }
  SUBCASE("an empty final chunk after a full one")
  {
    auto encryptor = age::Encryptor::create(recipients, age::Armor::no);
    Bytes out;
    REQUIRE(
      encryptor->encrypt_chunk(pattern(age::k_chunk_size), age::Last::no, out));
    CHECK_FALSE(encryptor->encrypt_chunk({}, age::Last::yes, out));
  }
  SUBCASE("a chunk over 64 KiB")
  {
    auto encryptor = age::Encryptor::create(recipients, age::Armor::no);
    Bytes out;
    CHECK_FALSE(encryptor->encrypt_chunk(
      pattern(age::k_chunk_size + 1), age::Last::yes, out));
  }
  CHECK_FALSE(age::Encryptor::create({}, age::Armor::no));
}

TEST_CASE("truncated, extended and tampered files are payload failures")
{
  const auto identity = age::X25519Identity::generate();
  const std::vector<age::X25519Recipient> recipients = {identity.recipient()};
  const auto identities = just(identity);
  auto file = age::encrypt(
    pattern(2 * age::k_chunk_size + 10), recipients, age::Armor::no);
  REQUIRE(file);
  const auto failure = [&](const Bytes& bytes) {
    auto result = age::decrypt(bytes, identities);
    REQUIRE_FALSE(result);
    CHECK(result.error().code == Errc::corrupt);
    return age::failure_of(result.error());
  };
  CHECK(failure(Bytes(file->begin(), file->end() - 1))
        == age::Failure::payload);
  CHECK(failure(Bytes(file->begin(), file->end() - 26))
        == age::Failure::payload);
  Bytes longer = *file;
  longer.push_back(0);
  CHECK(failure(longer) == age::Failure::payload);
  Bytes flipped = *file;
  flipped[flipped.size() - 100] ^= 1;
  CHECK(failure(flipped) == age::Failure::payload);

  // An added stanza keeps the file key reachable but breaks the MAC.
  Bytes greased = *file;
  const std::string grease = "-> grease\n\n";
  greased.insert(greased.begin() + 22, grease.begin(), grease.end());
  CHECK(failure(greased) == age::Failure::header_mac);
  Bytes version = *file;
  version[20] = '2';
  CHECK(failure(version) == age::Failure::header);
}

TEST_CASE("armored input is detected after leading whitespace")
{
  const auto identity = age::X25519Identity::generate();
  const std::vector<age::X25519Recipient> recipients = {identity.recipient()};
  const auto identities = just(identity);
  auto file = age::encrypt(pattern(5000), recipients, age::Armor::yes);
  REQUIRE(file);
  Bytes padded = to_bytes(std::string_view("\n \t\r\n"));
  padded.insert(padded.end(), file->begin(), file->end());
  padded.push_back(' ');
  auto decrypted = age::decrypt(padded, identities);
  REQUIRE(decrypted);
  CHECK(secret_to_bytes(*decrypted) == pattern(5000));

  Bytes garbage = *file;
  const std::string tail = "garbage\n";
  garbage.insert(garbage.end(), tail.begin(), tail.end());
  auto refused = age::decrypt(garbage, identities);
  REQUIRE_FALSE(refused);
  CHECK(age::failure_of(refused.error()) == age::Failure::armor);
}

TEST_CASE("armor_encode wraps at 64 columns with a padded last line")
{
  CHECK(as_text(age::armor_encode(to_bytes(std::string_view("hello"))))
        == "-----BEGIN AGE ENCRYPTED FILE-----\naGVsbG8=\n-----END AGE "
           "ENCRYPTED FILE-----\n");
  const Bytes data = pattern(48 * 3);
  const auto text = age::armor_encode(data);
  CHECK(text.size() == 35 + 3 * 65 + 33);
  auto back = age::armor_decode(text);
  REQUIRE(back);
  CHECK(*back == data);
}

TEST_CASE(
  "identities and recipients encode, parse and derive as age-keygen does")
{
  auto identity = age::X25519Identity::parse(k_cctv_identity);
  REQUIRE(identity);
  CHECK(identity->recipient().encode() == k_cctv_recipient);
  CHECK(identity->encode().text() == k_cctv_identity);
  auto recipient = age::X25519Recipient::parse(k_cctv_recipient);
  REQUIRE(recipient);
  CHECK(*recipient == identity->recipient());

  const auto fresh = age::X25519Identity::generate();
  const auto encoded = fresh.encode();
  CHECK(encoded.text().starts_with("AGE-SECRET-KEY-1"));
  CHECK(encoded.size() == 74);
  CHECK(fresh.recipient().encode().size() == 62);
  auto reparsed = age::X25519Identity::parse(encoded.text());
  REQUIRE(reparsed);
  CHECK(reparsed->recipient() == fresh.recipient());
}

TEST_CASE("key parsing rejects wrong HRP, case, checksum and length without "
          "echoing secrets")
{
  std::string lower(k_cctv_identity);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  std::string mixed(k_cctv_identity);
  mixed[20] =
    static_cast<char>(std::tolower(static_cast<unsigned char>(mixed[20])));
  std::string bad_checksum(k_cctv_identity);
  bad_checksum.back() = bad_checksum.back() == 'Q' ? 'P' : 'Q';
  auto short_key =
    bech32::encode("AGE-SECRET-KEY-", Bytes(31, 1), bech32::Case::upper);
  REQUIRE(short_key);

  for (const std::string& text : {lower,
                                  mixed,
                                  bad_checksum,
                                  *short_key,
                                  std::string(k_cctv_recipient)}) {
    CAPTURE(text);
    auto identity = age::X25519Identity::parse(text);
    REQUIRE_FALSE(identity);
    CHECK(identity.error().code == Errc::invalid_input);
    CHECK(identity.error().message.find(text) == std::string::npos);
    CHECK(identity.error().message.find("EGTZVFF") == std::string::npos);
  }

  std::string upper_recipient(k_cctv_recipient);
  std::transform(upper_recipient.begin(),
                 upper_recipient.end(),
                 upper_recipient.begin(),
                 [](char c) {
                   return static_cast<char>(
                     std::toupper(static_cast<unsigned char>(c)));
                 });
  std::string recipient_checksum(k_cctv_recipient);
  recipient_checksum.back() = recipient_checksum.back() == 'f' ? 'q' : 'f';
  auto long_recipient =
    bech32::encode("age", Bytes(33, 1), bech32::Case::lower);
  REQUIRE(long_recipient);
  for (const std::string& text : {upper_recipient,
                                  recipient_checksum,
                                  *long_recipient,
                                  std::string(k_cctv_identity),
                                  std::string("age1")}) {
    CAPTURE(text);
    auto recipient = age::X25519Recipient::parse(text);
    REQUIRE_FALSE(recipient);
    CHECK(recipient.error().code == Errc::invalid_input);
  }
}

TEST_CASE("identity files round trip and parse like age -i")
{
  const auto identity = age::X25519Identity::generate();
  const auto created =
    std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  const auto text = age::format_identity_file(identity, created);
  const std::string expected_intro =
    "# created: 2023-11-14T22:13:20Z\n# public key: "
    + identity.recipient().encode() + "\n";
  CHECK(text.text().starts_with(expected_intro));
  CHECK(text.text().ends_with("\n"));
  auto parsed = age::parse_identity_file(text.text());
  REQUIRE(parsed);
  REQUIRE(parsed->size() == 1);
  CHECK(parsed->front().recipient() == identity.recipient());

  const std::string two = "# comment\n\n" + std::string(k_cctv_identity)
                          + "\r\n" + std::string(identity.encode().text())
                          + "\n";
  auto both = age::parse_identity_file(two);
  REQUIRE(both);
  CHECK(both->size() == 2);

  auto bad = age::parse_identity_file("# ok\nAGE-SECRET-KEY-1XYZ\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.starts_with("line 2: "));
  CHECK_FALSE(age::parse_identity_file("# only comments\n\n"));
  CHECK_FALSE(
    age::parse_identity_file(" " + std::string(k_cctv_identity) + "\n"));
}

TEST_CASE("failure_of only classifies this module's errors")
{
  CHECK(age::failure_of(Error{Errc::io, "read failed: Input/output error", ""})
        == age::Failure::none);
  CHECK(age::failure_of(Error{Errc::corrupt, "age header: x", ""})
        == age::Failure::header);
  CHECK(age::failure_of(Error{Errc::corrupt, "age header MAC: x", ""})
        == age::Failure::header_mac);
  CHECK(age::failure_of(Error{Errc::auth, "age: x", ""})
        == age::Failure::no_match);
}

TEST_SUITE_END();
