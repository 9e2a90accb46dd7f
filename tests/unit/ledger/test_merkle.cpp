// Merkle tree vs RFC 6962 tree, transparency-dev probes and a naive MTH.
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/merkle.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <bit>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

using namespace custody;
using namespace custody::merkle;
using nlohmann::json;

namespace {

const std::filesystem::path k_vectors =
  std::filesystem::path(CUSTODY_TEST_VECTORS) / "merkle";

json
load_json(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  return json::parse(in);
}

Digest
hex_digest(const json& value)
{
  auto digest = digest_from_hex(value.get<std::string>());
  REQUIRE(digest.has_value());
  return *digest;
}

Proof
hex_proof(const json& value)
{
  Proof proof;
  for (const auto& hash : value) {
    proof.push_back(hex_digest(hash));
  }
  return proof;
}

// Go's []byte JSON: padded base64, or null for an absent proof.
Bytes
b64(const json& value)
{
  auto bytes = from_base64(value.get<std::string>(), Padding::yes);
  REQUIRE(bytes.has_value());
  return *bytes;
}

std::vector<Bytes>
b64_list(const json& value)
{
  std::vector<Bytes> out;
  if (!value.is_null()) {
    for (const auto& item : value) {
      out.push_back(b64(item));
    }
  }
  return out;
}

std::vector<ByteView>
views(const std::vector<Bytes>& list)
{
  return {list.begin(), list.end()};
}

// The RFC's definitions written out as plainly as possible, to check the
// stored-level tree.
std::uint64_t
naive_split(std::uint64_t n)
{
  std::uint64_t k = 1;
  while (k * 2 < n) {
    k *= 2;
  }
  return k;
}

Digest
naive_mth(std::span<const Digest> leaves)
{
  if (leaves.empty()) {
    return sha256(ByteView{});
  }
  if (leaves.size() == 1) {
    return leaves[0];
  }
  const auto k = naive_split(leaves.size());
  return node_hash(naive_mth(leaves.first(k)), naive_mth(leaves.subspan(k)));
}

Proof
naive_path(std::uint64_t m, std::span<const Digest> leaves)
{
  if (leaves.size() <= 1) {
    return {};
  }
  const auto k = naive_split(leaves.size());
  Proof proof;
  if (m < k) {
    proof = naive_path(m, leaves.first(k));
    proof.push_back(naive_mth(leaves.subspan(k)));
  } else {
    proof = naive_path(m - k, leaves.subspan(k));
    proof.push_back(naive_mth(leaves.first(k)));
  }
  return proof;
}

Proof
naive_subproof(std::uint64_t m, std::span<const Digest> leaves, bool b)
{
  if (m == leaves.size()) {
    return b ? Proof{} : Proof{naive_mth(leaves)};
  }
  const auto k = naive_split(leaves.size());
  Proof proof;
  if (m <= k) {
    proof = naive_subproof(m, leaves.first(k), b);
    proof.push_back(naive_mth(leaves.subspan(k)));
  } else {
    proof = naive_subproof(m - k, leaves.subspan(k), false);
    proof.push_back(naive_mth(leaves.first(k)));
  }
  return proof;
}

std::vector<Digest>
random_leaves(std::size_t count, std::mt19937_64& rng)
{
  std::vector<Digest> leaves(count);
  for (auto& leaf : leaves) {
    const auto value = rng();
    leaf = leaf_hash(
      ByteView(reinterpret_cast<const std::uint8_t*>(&value), sizeof value));
  }
  return leaves;
}

} // namespace

TEST_SUITE_BEGIN("merkle");

TEST_CASE("hashes match the RFC 6962 hasher checks")
{
  const auto reference = load_json(k_vectors / "rfc6962-reference-tree.json");
  CHECK(to_hex(empty_root())
        == reference["empty_tree_root"].get<std::string>());
  CHECK(empty_root() == sha256(""));
  for (const auto& check : reference["hasher_checks"]) {
    INFO(check["what"].get<std::string>());
    if (check.contains("input_hex")) {
      const auto input = *from_hex(check["input_hex"].get<std::string>());
      CHECK(leaf_hash(input) == hex_digest(check["output"]));
    } else {
      const auto left = *from_hex(check["left_hex"].get<std::string>());
      const auto right = *from_hex(check["right_hex"].get<std::string>());
      CHECK(node_hash(left, right) == hex_digest(check["output"]));
    }
  }
}

TEST_CASE(
  "the tree generates every root and proof of the RFC 6962 reference tree")
{
  const auto reference = load_json(k_vectors / "rfc6962-reference-tree.json");
  std::vector<Digest> leaves;
  for (const auto& leaf : reference["leaves_hex"]) {
    leaves.push_back(leaf_hash(*from_hex(leaf.get<std::string>())));
  }
  REQUIRE(leaves.size() == 8);
  const Tree tree(leaves);
  REQUIRE(tree.size() == 8);

  SUBCASE("roots of every size")
  {
    int checked = 0;
    for (const auto& [size, root] : reference["roots_by_size"].items()) {
      INFO("size " << size);
      CHECK(*tree.root(std::stoull(size)) == hex_digest(root));
      ++checked;
    }
    CHECK(checked == 9);
    CHECK(tree.root() == *tree.root(8));
  }

  SUBCASE("complete subtree hashes, through the naive MTH")
  {
    const auto& levels = reference["complete_subtree_hashes_by_level"];
    for (std::size_t height = 0; height < levels.size(); ++height) {
      const std::size_t width = std::size_t{1} << height;
      for (std::size_t i = 0; i < levels[height].size(); ++i) {
        CHECK(
          naive_mth(std::span<const Digest>(leaves).subspan(i * width, width))
          == hex_digest(levels[height][i]));
      }
    }
  }

  SUBCASE("all 36 inclusion proofs")
  {
    int checked = 0;
    for (const auto& item : reference["inclusion_proofs"]) {
      const auto index = item["leaf_index"].get<std::uint64_t>();
      const auto size = item["tree_size"].get<std::uint64_t>();
      INFO("index " << index << " size " << size);
      const auto expected = hex_proof(item["path"]);
      const auto proof = tree.inclusion_proof(index, size);
      REQUIRE(proof.has_value());
      CHECK(*proof == expected);
      CHECK(*tree.leaf(index) == hex_digest(item["leaf_hash"]));
      const auto verified = verify_inclusion(index,
                                             size,
                                             hex_digest(item["leaf_hash"]),
                                             expected,
                                             hex_digest(item["root"]));
      CHECK_MESSAGE(verified.has_value(),
                    (verified ? "" : verified.error().message));
      ++checked;
    }
    CHECK(checked == 36);
  }

  SUBCASE("all 36 consistency proofs")
  {
    int checked = 0;
    for (const auto& item : reference["consistency_proofs"]) {
      const auto first = item["first"].get<std::uint64_t>();
      const auto second = item["second"].get<std::uint64_t>();
      INFO("first " << first << " second " << second);
      const auto expected = hex_proof(item["proof"]);
      const auto proof = tree.consistency_proof(first, second);
      REQUIRE(proof.has_value());
      CHECK(*proof == expected);
      const auto verified = verify_consistency(first,
                                               second,
                                               hex_digest(item["first_root"]),
                                               hex_digest(item["second_root"]),
                                               expected);
      CHECK_MESSAGE(verified.has_value(),
                    (verified ? "" : verified.error().message));
      ++checked;
    }
    CHECK(checked == 36);
  }
}

TEST_CASE("the verifiers agree with all 196 transparency-dev probes")
{
  const auto root = k_vectors / "transparency-dev";
  int inclusion = 0;
  int consistency = 0;
  int failures_expected = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") {
      continue;
    }
    const auto relative = entry.path().lexically_relative(root).string();
    INFO(relative);
    const auto probe = load_json(entry.path());
    const bool want_error = probe["wantErr"].get<bool>();
    Result<void> outcome;
    if (relative.starts_with("inclusion/")) {
      const auto proof = b64_list(probe["proof"]);
      outcome = verify_inclusion(probe["leafIdx"].get<std::uint64_t>(),
                                 probe["treeSize"].get<std::uint64_t>(),
                                 b64(probe["leafHash"]),
                                 views(proof),
                                 b64(probe["root"]));
      ++inclusion;
    } else {
      REQUIRE(relative.starts_with("consistency/"));
      const auto proof = b64_list(probe["proof"]);
      outcome = verify_consistency(probe["size1"].get<std::uint64_t>(),
                                   probe["size2"].get<std::uint64_t>(),
                                   b64(probe["root1"]),
                                   b64(probe["root2"]),
                                   views(proof));
      ++consistency;
    }
    if (want_error) {
      ++failures_expected;
      REQUIRE_FALSE(outcome.has_value());
      CHECK(outcome.error().code == Errc::corrupt);
      CHECK_FALSE(outcome.error().message.empty());
    } else {
      CHECK_MESSAGE(outcome.has_value(),
                    (outcome ? "" : outcome.error().message));
    }
  }
  CHECK(inclusion + consistency == 196);
  MESSAGE("transparency-dev probes: "
          << inclusion << " inclusion, " << consistency << " consistency, "
          << failures_expected << " of them expected to fail");
}

TEST_CASE(
  "roots of every size match a naive MTH, before and after later appends")
{
  std::mt19937_64 rng(20261123);
  const auto leaves = random_leaves(3000, rng);
  Tree tree;
  std::vector<Digest> early_roots;
  for (std::size_t n = 0; n <= 300; ++n) {
    CHECK(tree.size() == n);
    const auto root = tree.root();
    CHECK(root == naive_mth(std::span<const Digest>(leaves).first(n)));
    early_roots.push_back(root);
    if (n < 300) {
      tree.append(leaves[n]);
    }
  }
  // The rest in uneven batches, through the bulk path.
  std::size_t n = 300;
  while (n < leaves.size()) {
    const std::size_t batch =
      std::min<std::size_t>(1 + rng() % 257, leaves.size() - n);
    tree.append(std::span<const Digest>(leaves).subspan(n, batch));
    n += batch;
  }
  REQUIRE(tree.size() == 3000);
  for (std::size_t size = 0; size <= 300; ++size) {
    CHECK(*tree.root(size) == early_roots[size]);
  }
  std::vector<std::uint64_t> sizes{
    511, 512, 513, 1023, 1024, 1025, 2047, 2048, 2049, 2999, 3000};
  for (int i = 0; i < 60; ++i) {
    sizes.push_back(301 + rng() % 2700);
  }
  for (const auto size : sizes) {
    INFO("size " << size);
    CHECK(*tree.root(size)
          == naive_mth(std::span<const Digest>(leaves).first(size)));
  }
  CHECK(Tree(leaves).root() == tree.root());
}

TEST_CASE("every proof of small trees matches the RFC recursion and verifies")
{
  std::mt19937_64 rng(7);
  constexpr std::uint64_t k_max = 40;
  const auto leaves = random_leaves(k_max, rng);
  const Tree tree(leaves);
  const std::span<const Digest> all(leaves);

  for (std::uint64_t size = 1; size <= k_max; ++size) {
    const auto root = *tree.root(size);
    for (std::uint64_t index = 0; index < size; ++index) {
      INFO("inclusion index " << index << " size " << size);
      const auto proof = *tree.inclusion_proof(index, size);
      REQUIRE(proof == naive_path(index, all.first(size)));
      REQUIRE(
        verify_inclusion(index, size, leaves[index], proof, root).has_value());
      // Each kind of damage must be caught.
      CHECK_FALSE(verify_inclusion(
        index, size, leaves[(index + 1) % k_max], proof, root));
      if (size > 1) {
        CHECK_FALSE(verify_inclusion(
          (index + 1) % size, size, leaves[index], proof, root));
      }
      for (std::size_t i = 0; i < proof.size(); ++i) {
        auto damaged = proof;
        damaged[i][i % 32] ^= 0x01;
        CHECK_FALSE(
          verify_inclusion(index, size, leaves[index], damaged, root));
      }
      if (!proof.empty()) {
        auto shorter = proof;
        shorter.pop_back();
        CHECK_FALSE(
          verify_inclusion(index, size, leaves[index], shorter, root));
      }
      auto longer = proof;
      longer.push_back(root);
      CHECK_FALSE(verify_inclusion(index, size, leaves[index], longer, root));
    }
  }

  for (std::uint64_t second = 1; second <= k_max; ++second) {
    const auto second_root = *tree.root(second);
    for (std::uint64_t first = 1; first <= second; ++first) {
      INFO("consistency " << first << " -> " << second);
      const auto first_root = *tree.root(first);
      const auto proof = *tree.consistency_proof(first, second);
      REQUIRE(proof == naive_subproof(first, all.first(second), true));
      REQUIRE(verify_consistency(first, second, first_root, second_root, proof)
                .has_value());
      for (std::size_t i = 0; i < proof.size(); ++i) {
        auto damaged = proof;
        damaged[i][31 - i % 32] ^= 0x80;
        CHECK_FALSE(
          verify_consistency(first, second, first_root, second_root, damaged));
      }
      if (first < second) {
        auto shorter = proof;
        shorter.pop_back();
        CHECK_FALSE(
          verify_consistency(first, second, first_root, second_root, shorter));
        CHECK_FALSE(
          verify_consistency(first, second, second_root, first_root, proof));
      }
      auto longer = proof;
      longer.push_back(first_root);
      CHECK_FALSE(
        verify_consistency(first, second, first_root, second_root, longer));
    }
  }
}

TEST_CASE("proofs in a larger tree match the RFC recursion at sampled points")
{
  std::mt19937_64 rng(99);
  const auto leaves = random_leaves(2500, rng);
  const std::span<const Digest> all(leaves);
  Tree tree;
  tree.append(all);
  for (int i = 0; i < 40; ++i) {
    const std::uint64_t size = 1 + rng() % leaves.size();
    const std::uint64_t index = rng() % size;
    INFO("inclusion index " << index << " size " << size);
    const auto proof = *tree.inclusion_proof(index, size);
    CHECK(proof == naive_path(index, all.first(size)));
    CHECK(verify_inclusion(index, size, leaves[index], proof, *tree.root(size))
            .has_value());

    const std::uint64_t first = 1 + rng() % size;
    INFO("consistency " << first << " -> " << size);
    const auto consistency = *tree.consistency_proof(first, size);
    CHECK(consistency == naive_subproof(first, all.first(size), true));
    CHECK(verify_consistency(
            first, size, *tree.root(first), *tree.root(size), consistency)
            .has_value());
  }
}

TEST_CASE("the tree refuses proofs it cannot give")
{
  std::mt19937_64 rng(1);
  const auto leaves = random_leaves(5, rng);
  const Tree tree(leaves);
  CHECK(tree.inclusion_proof(5, 5).error().code == Errc::invalid_input);
  CHECK(tree.inclusion_proof(0, 6).error().code == Errc::invalid_input);
  CHECK(tree.inclusion_proof(0, 0).error().code == Errc::invalid_input);
  CHECK(tree.consistency_proof(0, 3).error().code == Errc::invalid_input);
  CHECK(tree.consistency_proof(4, 3).error().code == Errc::invalid_input);
  CHECK(tree.consistency_proof(3, 6).error().code == Errc::invalid_input);
  CHECK(tree.consistency_proof(5, 5)->empty());
  CHECK(tree.root(6).error().code == Errc::invalid_input);
  CHECK(tree.leaf(5).error().code == Errc::invalid_input);
  CHECK(*tree.root(0) == empty_root());
  CHECK(Tree().root() == empty_root());
  CHECK(Tree().size() == 0);
}

TEST_CASE("verifier failures say what did not hold")
{
  std::mt19937_64 rng(3);
  const auto leaves = random_leaves(8, rng);
  const Tree tree(leaves);
  const auto proof = *tree.inclusion_proof(5, 8);
  const auto root = tree.root();

  const auto message = [](const Result<void>& outcome) {
    REQUIRE_FALSE(outcome.has_value());
    CHECK(outcome.error().code == Errc::corrupt);
    return outcome.error().message;
  };
  CHECK(
    message(verify_inclusion(8, 8, leaves[5], proof, root)).find("not below")
    != std::string::npos);
  auto longer = proof;
  longer.push_back(root);
  CHECK(
    message(verify_inclusion(5, 8, leaves[5], longer, root)).find("too many")
    != std::string::npos);
  auto shorter = proof;
  shorter.pop_back();
  CHECK(
    message(verify_inclusion(5, 8, leaves[5], shorter, root)).find("too few")
    != std::string::npos);
  CHECK(message(verify_inclusion(5, 8, leaves[4], proof, root))
          .find("leads to root")
        != std::string::npos);
  const Bytes short_hash(31, 0);
  const std::vector<ByteView> proof_views(proof.begin(), proof.end());
  CHECK(message(verify_inclusion(5, 8, short_hash, proof_views, root))
          .find("31 bytes")
        != std::string::npos);

  const auto consistency = *tree.consistency_proof(3, 8);
  const auto old_root = *tree.root(3);
  CHECK(message(verify_consistency(0, 8, old_root, root, consistency))
          .find("empty tree")
        != std::string::npos);
  CHECK(message(verify_consistency(8, 3, old_root, root, consistency))
          .find("larger")
        != std::string::npos);
  CHECK(message(verify_consistency(3, 8, root, root, consistency))
          .find("first root")
        != std::string::npos);
  CHECK(message(verify_consistency(3, 3, old_root, root, {}))
          .find("different roots")
        != std::string::npos);
  CHECK(message(verify_consistency(3, 8, old_root, root, {})).find("is empty")
        != std::string::npos);
}

TEST_SUITE_END();
