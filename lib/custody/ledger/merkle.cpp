// Merkle tree as stored subtree levels; RFC 9162 proofs and their checks.
#include <custody/ledger/merkle.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <stdexcept>

namespace custody::merkle {

namespace {

constexpr std::uint8_t k_leaf_prefix = 0x00;
constexpr std::uint8_t k_node_prefix = 0x01;
constexpr std::size_t k_hash_size = 32;

// One reusable OpenSSL context per thread: building a million-leaf tree is a
// million node hashes, and setting up a fresh EVP context for each costs three
// times the hash itself.
class Hasher
{
public:
  Hasher()
    : m_md(EVP_MD_fetch(nullptr, "SHA256", nullptr)),
      m_ctx(EVP_MD_CTX_new())
  {
    if (m_md == nullptr || m_ctx == nullptr) {
      throw std::runtime_error("OpenSSL SHA-256 unavailable");
    }
  }
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;
  ~Hasher()
  {
    EVP_MD_CTX_free(m_ctx);
    EVP_MD_free(m_md);
  }

  Digest
  hash(std::uint8_t prefix, ByteView first, ByteView second)
  {
    Digest out{};
    unsigned int length = 0;
    if (EVP_DigestInit_ex2(m_ctx, m_md, nullptr) != 1
        || EVP_DigestUpdate(m_ctx, &prefix, 1) != 1
        || EVP_DigestUpdate(m_ctx, first.data(), first.size()) != 1
        || EVP_DigestUpdate(m_ctx, second.data(), second.size()) != 1
        || EVP_DigestFinal_ex(m_ctx, out.data(), &length) != 1) {
      throw std::runtime_error("SHA-256 failed");
    }
    return out;
  }

private:
  EVP_MD* m_md;
  EVP_MD_CTX* m_ctx;
};

Digest
hash_with_prefix(std::uint8_t prefix, ByteView first, ByteView second)
{
  thread_local Hasher hasher;
  return hasher.hash(prefix, first, second);
}

// RFC 9162 2.1.1: k is the largest power of two strictly less than n (n >= 2).
std::uint64_t
split_point(std::uint64_t n)
{
  return std::bit_floor(n - 1);
}

bool
is_power_of_two(std::uint64_t n)
{
  return std::has_single_bit(n);
}

Result<void>
check_hash_size(ByteView hash, std::string_view what)
{
  if (hash.size() != k_hash_size) {
    return fail(
      Errc::corrupt, "{} is {} bytes, not {}", what, hash.size(), k_hash_size);
  }
  return {};
}

Result<void>
check_proof_sizes(std::span<const ByteView> proof, std::string_view what)
{
  for (std::size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != k_hash_size) {
      return fail(Errc::corrupt,
                  "{} hash {} is {} bytes, not {}",
                  what,
                  i,
                  proof[i].size(),
                  k_hash_size);
    }
  }
  return {};
}

std::vector<ByteView>
as_views(const Proof& proof)
{
  return {proof.begin(), proof.end()};
}

} // namespace

Digest
leaf_hash(ByteView data)
{
  return hash_with_prefix(k_leaf_prefix, data, {});
}

Digest
node_hash(ByteView left, ByteView right)
{
  return hash_with_prefix(k_node_prefix, left, right);
}

Digest
empty_root()
{
  // Fixed by RFC 9162 2.1.1: SHA-256 of nothing, without a prefix byte.
  static const Digest root = *digest_from_hex(
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  return root;
}

Tree::Tree(std::span<const Digest> leaf_hashes)
{
  append(leaf_hashes);
}

void
Tree::append(const Digest& leaf_hash)
{
  append(std::span<const Digest>(&leaf_hash, 1));
}

void
Tree::append(std::span<const Digest> leaf_hashes)
{
  if (leaf_hashes.empty()) {
    return;
  }
  if (m_levels.empty()) {
    m_levels.emplace_back();
  }
  m_levels[0].insert(m_levels[0].end(), leaf_hashes.begin(), leaf_hashes.end());
  settle();
}

void
Tree::settle()
{
  for (std::size_t h = 0; h < m_levels.size(); ++h) {
    const std::size_t parents = m_levels[h].size() / 2;
    if (parents == 0) {
      break;
    }
    if (h + 1 == m_levels.size()) {
      m_levels.emplace_back();
    }
    const auto& below = m_levels[h];
    auto& above = m_levels[h + 1];
    if (above.size() == parents) {
      // Nothing new completed at this height, so nothing above it changed
      // either.
      break;
    }
    for (std::size_t i = above.size(); i < parents; ++i) {
      above.push_back(node_hash(below[2 * i], below[2 * i + 1]));
    }
  }
}

std::uint64_t
Tree::size() const
{
  return m_levels.empty() ? 0 : m_levels[0].size();
}

Result<Digest>
Tree::leaf(std::uint64_t index) const
{
  if (index >= size()) {
    return fail(Errc::invalid_input,
                "leaf {} does not exist in a tree of size {}",
                index,
                size());
  }
  return m_levels[0][index];
}

Digest
Tree::root() const
{
  return size() == 0 ? empty_root() : range_hash(0, size());
}

Result<Digest>
Tree::root(std::uint64_t size) const
{
  if (size > this->size()) {
    return fail(Errc::invalid_input,
                "no root for size {}: the tree has {} leaves",
                size,
                this->size());
  }
  return size == 0 ? empty_root() : range_hash(0, size);
}

Digest
Tree::range_hash(std::uint64_t begin, std::uint64_t end) const
{
  const std::uint64_t count = end - begin;
  assert(begin < end && end <= size());
  assert(begin % std::bit_ceil(count) == 0);
  // The range splits into complete subtrees, largest first, one per set bit of
  // its length; folding them from the right gives exactly MTH's recursion (RFC
  // 9162 2.1.1).
  std::array<const Digest*, 64> parts{};
  std::size_t part_count = 0;
  std::uint64_t offset = begin;
  for (int height = static_cast<int>(std::bit_width(count)) - 1; height >= 0;
       --height) {
    const std::uint64_t width = std::uint64_t{1} << height;
    if ((count & width) != 0) {
      parts[part_count++] =
        &m_levels[static_cast<std::size_t>(height)][offset >> height];
      offset += width;
    }
  }
  Digest hash = *parts[part_count - 1];
  for (std::size_t i = part_count - 1; i-- > 0;) {
    hash = node_hash(*parts[i], hash);
  }
  return hash;
}

Result<Proof>
Tree::inclusion_proof(std::uint64_t index, std::uint64_t size) const
{
  if (size > this->size()) {
    return fail(Errc::invalid_input,
                "no inclusion proof for size {}: the tree has {} leaves",
                size,
                this->size());
  }
  if (index >= size) {
    return fail(Errc::invalid_input,
                "leaf index {} is not below the tree size {}",
                index,
                size);
  }
  Proof proof;
  proof.reserve(static_cast<std::size_t>(std::bit_width(size)));
  inclusion_path(index, 0, size, proof);
  return proof;
}

void
Tree::inclusion_path(std::uint64_t index,
                     std::uint64_t begin,
                     std::uint64_t end,
                     Proof& proof) const
{
  // PATH(m, D[n]) with absolute leaf numbers; the recursion depth is at
  // most 64.
  if (end - begin == 1) {
    return;
  }
  const std::uint64_t middle = begin + split_point(end - begin);
  if (index < middle) {
    inclusion_path(index, begin, middle, proof);
    proof.push_back(range_hash(middle, end));
  } else {
    inclusion_path(index, middle, end, proof);
    proof.push_back(range_hash(begin, middle));
  }
}

Result<Proof>
Tree::consistency_proof(std::uint64_t first, std::uint64_t second) const
{
  if (second > size()) {
    return fail(Errc::invalid_input,
                "no consistency proof to size {}: the tree has {} leaves",
                second,
                size());
  }
  if (first == 0 || first > second) {
    return fail(
      Errc::invalid_input,
      "no consistency proof from size {} to size {}: need 0 < first <= second",
      first,
      second);
  }
  Proof proof;
  proof.reserve(static_cast<std::size_t>(std::bit_width(second)) + 1);
  consistency_path(first, 0, second, true, proof);
  return proof;
}

void
Tree::consistency_path(std::uint64_t first,
                       std::uint64_t begin,
                       std::uint64_t end,
                       bool whole_first_tree,
                       Proof& proof) const
{
  // SUBPROOF(m, D[n], b) with absolute leaf numbers: `first` is where the old
  // tree ends.
  if (first == end) {
    // The verifier knows the old root already; any other old subtree must be
    // given.
    if (!whole_first_tree) {
      proof.push_back(range_hash(begin, end));
    }
    return;
  }
  const std::uint64_t middle = begin + split_point(end - begin);
  if (first <= middle) {
    consistency_path(first, begin, middle, whole_first_tree, proof);
    proof.push_back(range_hash(middle, end));
  } else {
    consistency_path(first, middle, end, false, proof);
    proof.push_back(range_hash(begin, middle));
  }
}

Result<void>
verify_inclusion(std::uint64_t index,
                 std::uint64_t size,
                 ByteView leaf_hash,
                 std::span<const ByteView> proof,
                 ByteView root)
{
  if (index >= size) {
    return fail(Errc::corrupt,
                "leaf index {} is not below the tree size {}",
                index,
                size);
  }
  CUSTODY_TRY(check_hash_size(leaf_hash, "leaf hash"));
  CUSTODY_TRY(check_hash_size(root, "root hash"));
  CUSTODY_TRY(check_proof_sizes(proof, "inclusion proof"));

  // RFC 9162 2.1.3.2, step by step.
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  Digest r{};
  std::copy(leaf_hash.begin(), leaf_hash.end(), r.begin());
  for (const ByteView p : proof) {
    if (sn == 0) {
      return fail(Errc::corrupt,
                  "inclusion proof has {} hashes, too many for leaf {} of a "
                  "tree of size {}",
                  proof.size(),
                  index,
                  size);
    }
    if ((fn & 1) == 1 || fn == sn) {
      r = node_hash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return fail(
      Errc::corrupt,
      "inclusion proof has {} hashes, too few for leaf {} of a tree of size {}",
      proof.size(),
      index,
      size);
  }
  if (!std::ranges::equal(r, root)) {
    return fail(
      Errc::corrupt,
      "inclusion proof for leaf {} leads to root {}, not to the expected {}",
      index,
      to_hex(r),
      to_hex(root));
  }
  return {};
}

Result<void>
verify_inclusion(std::uint64_t index,
                 std::uint64_t size,
                 const Digest& leaf_hash,
                 const Proof& proof,
                 const Digest& root)
{
  const auto views = as_views(proof);
  return verify_inclusion(
    index, size, ByteView(leaf_hash), views, ByteView(root));
}

Result<void>
verify_consistency(std::uint64_t first,
                   std::uint64_t second,
                   ByteView first_root,
                   ByteView second_root,
                   std::span<const ByteView> proof)
{
  if (first > second) {
    return fail(Errc::corrupt,
                "first tree size {} is larger than the second tree size {}",
                first,
                second);
  }
  if (first == 0) {
    return fail(Errc::corrupt,
                "a consistency proof from the empty tree proves nothing");
  }
  if (first == second) {
    // Nothing is hashed here, so the roots are only compared (transparency-dev
    // does the same).
    if (!proof.empty()) {
      return fail(
        Errc::corrupt,
        "trees of equal size {} need an empty consistency proof, not {} hashes",
        first,
        proof.size());
    }
    if (!std::ranges::equal(first_root, second_root)) {
      return fail(
        Errc::corrupt, "trees of equal size {} have different roots", first);
    }
    return {};
  }
  CUSTODY_TRY(check_hash_size(first_root, "first root hash"));
  CUSTODY_TRY(check_hash_size(second_root, "second root hash"));
  CUSTODY_TRY(check_proof_sizes(proof, "consistency proof"));
  if (proof.empty()) {
    return fail(Errc::corrupt,
                "consistency proof from size {} to size {} is empty",
                first,
                second);
  }

  // RFC 9162 2.1.4.2, step by step. When the old tree is a complete subtree,
  // the verifier starts from its root, which the proof leaves out.
  std::vector<ByteView> path;
  path.reserve(proof.size() + 1);
  if (is_power_of_two(first)) {
    path.push_back(first_root);
  }
  path.insert(path.end(), proof.begin(), proof.end());

  std::uint64_t fn = first - 1;
  std::uint64_t sn = second - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest fr{};
  std::copy(path[0].begin(), path[0].end(), fr.begin());
  Digest sr = fr;
  for (std::size_t i = 1; i < path.size(); ++i) {
    const ByteView c = path[i];
    if (sn == 0) {
      return fail(
        Errc::corrupt,
        "consistency proof has {} hashes, too many for sizes {} and {}",
        proof.size(),
        first,
        second);
    }
    if ((fn & 1) == 1 || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return fail(Errc::corrupt,
                "consistency proof has {} hashes, too few for sizes {} and {}",
                proof.size(),
                first,
                second);
  }
  if (!std::ranges::equal(fr, first_root)) {
    return fail(
      Errc::corrupt,
      "consistency proof leads to first root {}, not to the expected {}",
      to_hex(fr),
      to_hex(first_root));
  }
  if (!std::ranges::equal(sr, second_root)) {
    return fail(
      Errc::corrupt,
      "consistency proof leads to second root {}, not to the expected {}",
      to_hex(sr),
      to_hex(second_root));
  }
  return {};
}

Result<void>
verify_consistency(std::uint64_t first,
                   std::uint64_t second,
                   const Digest& first_root,
                   const Digest& second_root,
                   const Proof& proof)
{
  const auto views = as_views(proof);
  return verify_consistency(
    first, second, ByteView(first_root), ByteView(second_root), views);
}

} // namespace custody::merkle
