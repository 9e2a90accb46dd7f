// Checkpoints: the strict body parser, signatures by the vault key, and RFC
// 3161 requests and responses checked with OpenSSL's TS API.
#include "temp_dir.hpp"

#include <custody/crypto/crypto.hpp>
#include <custody/ledger/checkpoint.hpp>
#include <custody/ledger/ledger.hpp>
#include <custody/ledger/timestamp.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace custody;

namespace {

const std::filesystem::path k_vectors =
  std::filesystem::path(CUSTODY_TEST_VECTORS) / "rfc3161";

Bytes
slurp(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  std::ostringstream out;
  out << in.rdbuf();
  const std::string text = out.str();
  return Bytes(text.begin(), text.end());
}

const std::string k_id = "0123456789abcdef0123456789abcdef";

checkpoint::Checkpoint
sample()
{
  checkpoint::Checkpoint c;
  c.origin = checkpoint::origin_of(k_id);
  c.size = 42;
  c.root = sha256(std::string_view("root"));
  return c;
}

std::string
parse_error(const std::string& text)
{
  auto parsed = checkpoint::parse(text);
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().code == Errc::invalid_input);
  return parsed.error().message;
}

} // namespace

// Appends `count` chained put entries to the ledger in `dir`.
ledger::Tip
grow(const std::filesystem::path& dir, ledger::Tip tip, std::uint64_t count)
{
  std::vector<ledger::Encoded> entries;
  Digest prev = tip.last_hash;
  for (std::uint64_t i = 0; i < count; ++i) {
    ledger::Entry entry;
    entry.seq = tip.count + i;
    entry.time = "2026-11-23T00:00:00Z";
    entry.prev = prev;
    entry.payloads.push_back({sha256(std::to_string(entry.seq)), {}, 0});
    entries.push_back(ledger::encode_entry(entry));
    prev = entries.back().hash;
  }
  auto appended = ledger::append(dir, tip, entries);
  REQUIRE(appended.has_value());
  return *appended;
}

checkpoint::Position
next_of(const ledger::Tip& tip)
{
  return {tip.last_segment, tip.last_segment_size};
}

TEST_SUITE_BEGIN("checkpoint");

TEST_CASE("a frontier has the root of the tree it summarises")
{
  std::vector<Digest> leaves;
  checkpoint::Frontier frontier;
  for (int i = 0; i < 70; ++i) {
    leaves.push_back(sha256(std::to_string(i)));
    frontier.append(leaves.back());
    merkle::Tree tree(leaves);
    CHECK(frontier.root() == tree.root());
    auto again = checkpoint::Frontier::from(frontier.size(), frontier.hashes());
    REQUIRE(again.has_value());
    CHECK(again->root() == tree.root());
  }
  CHECK_FALSE(checkpoint::Frontier::from(3, {leaves[0]}).has_value());
}

TEST_CASE("make_at_tip reads only new entries when the frontier verifies")
{
  test::TempDir dir;
  REQUIRE(fs::make_directories(dir.path() / "ledger").has_value());
  const auto key = minisign::SecretKey::generate();
  ledger::Tip tip = grow(dir.path(), {}, 5);
  bool used = true;
  auto first = checkpoint::make_at_tip(
    dir.path(), k_id, key, tip.count, tip.last_hash, next_of(tip), &used);
  REQUIRE_MESSAGE(first.has_value(), first.error().message);
  CHECK_FALSE(used);
  tip = grow(dir.path(), tip, 6);
  auto second = checkpoint::make_at_tip(
    dir.path(), k_id, key, tip.count, tip.last_hash, next_of(tip), &used);
  REQUIRE(second.has_value());
  CHECK(used);
  auto tree = checkpoint::load_tree(dir.path());
  REQUIRE(tree.has_value());
  CHECK(second->checkpoint.root == tree->root());

  // A frontier that does not fold to its signed root is ignored.
  const auto frontier = checkpoint::directory(dir.path()) / "frontier";
  auto text = fs::read_file(frontier, 8192);
  REQUIRE(text.has_value());
  std::string altered(as_text(*text));
  altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
  REQUIRE(fs::write_file_atomic(frontier, as_bytes(altered)).has_value());
  tip = grow(dir.path(), tip, 3);
  auto third = checkpoint::make_at_tip(
    dir.path(), k_id, key, tip.count, tip.last_hash, next_of(tip), &used);
  REQUIRE(third.has_value());
  CHECK_FALSE(used);
  tree = checkpoint::load_tree(dir.path());
  CHECK(third->checkpoint.root == tree->root());

  // So is one whose position is not the entry after it.
  auto good = fs::read_file(frontier, 8192);
  std::string moved(as_text(*good));
  const auto line2 = moved.find('\n') + 1;
  const auto space = moved.rfind(' ', moved.find('\n', line2));
  moved.replace(space + 1, moved.find('\n', line2) - space - 1, "7");
  REQUIRE(fs::write_file_atomic(frontier, as_bytes(moved)).has_value());
  tip = grow(dir.path(), tip, 2);
  auto fourth = checkpoint::make_at_tip(
    dir.path(), k_id, key, tip.count, tip.last_hash, next_of(tip), &used);
  REQUIRE(fourth.has_value());
  CHECK_FALSE(used);
  tree = checkpoint::load_tree(dir.path());
  CHECK(fourth->checkpoint.root == tree->root());
  custody::Notes notes;
  auto summary = checkpoint::check_all(dir.path(),
                                       *checkpoint::list(dir.path()),
                                       *tree,
                                       key.public_key(),
                                       k_id,
                                       notes);
  REQUIRE(summary.has_value());
  CHECK(summary->count == 4);
  CHECK(notes.empty());
}

TEST_CASE("a checkpoint round-trips through its text")
{
  const auto c = sample();
  const std::string text = checkpoint::encode(c);
  CHECK(text.starts_with("custody/" + k_id + "\n42\n"));
  auto parsed = checkpoint::parse(text);
  REQUIRE(parsed.has_value());
  CHECK(*parsed == c);
}

TEST_CASE("the parser refuses anything but the three lines")
{
  const std::string good = checkpoint::encode(sample());
  CHECK(parse_error(good.substr(0, good.size() - 1)).find("line 3")
        != std::string::npos);
  CHECK(parse_error(good + "extension\n").find("after the root")
        != std::string::npos);
  CHECK(parse_error("other/" + k_id + "\n42\n"
                    + good.substr(good.rfind('\n', good.size() - 2) + 1))
          .find("origin")
        != std::string::npos);
  std::string leading_zero = good;
  leading_zero.replace(leading_zero.find("\n42\n"), 4, "\n042\n");
  CHECK(parse_error(leading_zero).find("line 2") != std::string::npos);
  std::string zero = good;
  zero.replace(zero.find("\n42\n"), 4, "\n0\n");
  CHECK(parse_error(zero).find("line 2") != std::string::npos);
  std::string crlf = good;
  crlf.insert(crlf.find('\n'), "\r");
  CHECK(parse_error(crlf).find("CR") != std::string::npos);
  std::string short_root = "custody/" + k_id + "\n42\nAAAA\n";
  CHECK(parse_error(short_root).find("line 3") != std::string::npos);
  CHECK(parse_error(std::string(5000, 'a')).find("at most")
        != std::string::npos);
}

TEST_CASE("a signed checkpoint verifies with its key only")
{
  const auto key = minisign::SecretKey::generate();
  const auto other = minisign::SecretKey::generate();
  const auto c = sample();
  auto signature = checkpoint::sign(key, c);
  REQUIRE(signature.has_value());
  const std::string text = checkpoint::encode(c);
  auto verified = checkpoint::verify(text, *signature, key.public_key());
  REQUIRE(verified.has_value());
  CHECK(*verified == c);

  auto foreign = checkpoint::verify(text, *signature, other.public_key());
  REQUIRE_FALSE(foreign.has_value());
  CHECK(foreign.error().code == Errc::corrupt);

  auto c2 = c;
  c2.size = 43;
  auto altered =
    checkpoint::verify(checkpoint::encode(c2), *signature, key.public_key());
  REQUIRE_FALSE(altered.has_value());
  CHECK(altered.error().code == Errc::corrupt);
}

TEST_CASE("make stores a checkpoint once and refuses another root")
{
  test::TempDir dir;
  const auto key = minisign::SecretKey::generate();
  std::vector<Digest> leaves{
    merkle::leaf_hash(as_bytes(std::string_view("a"))),
    merkle::leaf_hash(as_bytes(std::string_view("b")))};
  merkle::Tree tree(leaves);
  auto made = checkpoint::make(dir.path(), k_id, tree, key);
  REQUIRE(made.has_value());
  CHECK(made->created);
  auto again = checkpoint::make(dir.path(), k_id, tree, key);
  REQUIRE(again.has_value());
  CHECK_FALSE(again->created);
  // A lost signature is given back.
  std::filesystem::remove(checkpoint::sibling(dir.path(), 2, "minisig"));
  REQUIRE(checkpoint::make(dir.path(), k_id, tree, key).has_value());
  CHECK(std::filesystem::exists(checkpoint::sibling(dir.path(), 2, "minisig")));
  auto stored = checkpoint::read(dir.path(), 2, key.public_key(), k_id);
  REQUIRE(stored.has_value());
  CHECK(stored->checkpoint.root == tree.root());
  auto wrong_vault = checkpoint::read(
    dir.path(), 2, key.public_key(), "ffffffffffffffffffffffffffffffff");
  REQUIRE_FALSE(wrong_vault.has_value());
  CHECK(wrong_vault.error().code == Errc::corrupt);

  merkle::Tree forked(std::vector<Digest>{
    leaves[0], merkle::leaf_hash(as_bytes(std::string_view("c")))});
  auto fork = checkpoint::make(dir.path(), k_id, forked, key);
  REQUIRE_FALSE(fork.has_value());
  CHECK(fork.error().code == Errc::corrupt);

  custody::Notes notes;
  auto summary = checkpoint::check_all(dir.path(),
                                       *checkpoint::list(dir.path()),
                                       forked,
                                       key.public_key(),
                                       k_id,
                                       notes);
  REQUIRE_FALSE(summary.has_value());
  CHECK(summary.error().message.find("entry 0") != std::string::npos);
  merkle::Tree shorter(std::vector<Digest>{leaves[0]});
  auto truncated = checkpoint::check_all(dir.path(),
                                         *checkpoint::list(dir.path()),
                                         shorter,
                                         key.public_key(),
                                         k_id,
                                         notes);
  REQUIRE_FALSE(truncated.has_value());
  CHECK(truncated.error().message.find("truncated") != std::string::npos);
}

TEST_CASE("a TSA response is checked against its request and data")
{
  const Bytes data = slurp(k_vectors / "data.txt");
  const Bytes tampered = slurp(k_vectors / "data-tampered.txt");
  const Bytes request = slurp(k_vectors / "data.txt.tsq");
  const Bytes response = slurp(k_vectors / "data.txt.tsr");
  auto token = timestamp::check_response(request, response, data);
  REQUIRE_MESSAGE(token.has_value(), token.error().message);
  CHECK(token->gen_time.size() == 20);

  auto other_data = timestamp::check_response(request, response, tampered);
  REQUIRE_FALSE(other_data.has_value());
  CHECK(other_data.error().code == Errc::invalid_input);

  auto fresh = timestamp::make_request(data);
  REQUIRE(fresh.has_value());
  CHECK(timestamp::check_request(*fresh, data).has_value());
  // Same data, another nonce: the stored response answers the other request.
  auto other_request = timestamp::check_response(*fresh, response, data);
  REQUIRE_FALSE(other_request.has_value());
  CHECK(other_request.error().code == Errc::invalid_input);

  const Bytes garbage{1, 2, 3};
  CHECK(timestamp::check_response(request, garbage, data).error().code
        == Errc::invalid_input);
  CHECK(timestamp::check_response(garbage, response, data).error().code
        == Errc::invalid_input);
}

TEST_CASE("a TSA response alone is checked against the data it is about")
{
  const Bytes data = slurp(k_vectors / "data.txt");
  const Bytes tampered = slurp(k_vectors / "data-tampered.txt");
  const Bytes response = slurp(k_vectors / "data.txt.tsr");
  const Bytes ca_bytes = slurp(k_vectors / "ca.crt");
  auto token = timestamp::check_token(response, data);
  REQUIRE_MESSAGE(token.has_value(), token.error().message);
  CHECK(token->gen_time.size() == 20);
  CHECK_FALSE(token->signature_verified);

  const std::string ca(ca_bytes.begin(), ca_bytes.end());
  auto signed_token = timestamp::check_token(response, data, ca);
  REQUIRE_MESSAGE(signed_token.has_value(), signed_token.error().message);
  CHECK(signed_token->signature_verified);

  auto other_data = timestamp::check_token(response, tampered);
  REQUIRE_FALSE(other_data.has_value());
  CHECK(other_data.error().code == Errc::invalid_input);
  const Bytes garbage{1, 2, 3};
  CHECK(timestamp::check_token(garbage, data).error().code
        == Errc::invalid_input);
  // The request is not a response.
  const Bytes request = slurp(k_vectors / "data.txt.tsq");
  CHECK(timestamp::check_token(request, data).error().code
        == Errc::invalid_input);
}

TEST_SUITE_END();
