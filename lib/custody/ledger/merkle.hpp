// RFC 9162 Merkle trees over SHA-256: an append-only tree, proofs, verifiers.
#pragma once

#include <custody/base/bytes.hpp>

#include <cstdint>
#include <deque>
#include <span>
#include <vector>

namespace custody::merkle {

// Hashes listed bottom-up: the one nearest the leaf (or the smaller tree)
// first.
using Proof = std::vector<Digest>;

// SHA-256(0x00 || `data`): the hash of one log entry (RFC 9162 2.1.1).
Digest leaf_hash(ByteView data);
// SHA-256(0x01 || `left` || `right`). Takes any length so the RFC's hasher
// checks can be run.
Digest node_hash(ByteView left, ByteView right);
// SHA-256 of the empty string: the root of a tree with no leaves.
Digest empty_root();

// An append-only tree of leaf hashes that keeps every complete subtree hash, so
// that the root of any earlier size and any proof cost O(log n) hashes, never a
// pass over the leaves. Memory is two digests per leaf (64 MB for a million
// leaves). Not synchronised: share a tree between threads only for reading.
class Tree
{
public:
  Tree() = default;
  explicit Tree(std::span<const Digest> leaf_hashes);

  void append(const Digest& leaf_hash);
  void append(std::span<const Digest> leaf_hashes);

  std::uint64_t size() const;
  // The leaf hash at 0-based `index`; Errc::invalid_input when there is no such
  // leaf.
  [[nodiscard]] Result<Digest> leaf(std::uint64_t index) const;
  // The root of the whole tree (empty_root() for an empty tree).
  Digest root() const;
  // The root the tree had when it held its first `size` leaves;
  // Errc::invalid_input when `size` is larger than the tree.
  [[nodiscard]] Result<Digest> root(std::uint64_t size) const;

  // RFC 9162 2.1.3.1 PATH(index, D[0:size]): the inclusion proof of leaf
  // `index` (0-based) in the tree of the first `size` leaves.
  // Errc::invalid_input unless index < size <= size().
  [[nodiscard]] Result<Proof> inclusion_proof(std::uint64_t index,
                                              std::uint64_t size) const;
  // RFC 9162 2.1.4.1 PROOF(first, D[0:second]): proves the tree of size `first`
  // is a prefix of the tree of size `second`. Empty when first == second.
  // Errc::invalid_input unless 0 < first <= second <= size().
  [[nodiscard]] Result<Proof> consistency_proof(std::uint64_t first,
                                                std::uint64_t second) const;

private:
  // Hash of leaves [begin, end), where `begin` is a multiple of a power of two
  // >= end - begin (true of every range the RFC's recursions visit).
  Digest range_hash(std::uint64_t begin, std::uint64_t end) const;
  void inclusion_path(std::uint64_t index,
                      std::uint64_t begin,
                      std::uint64_t end,
                      Proof& proof) const;
  void consistency_path(std::uint64_t first,
                        std::uint64_t begin,
                        std::uint64_t end,
                        bool whole_first_tree,
                        Proof& proof) const;
  // Computes the parents that became complete since the last call, level by
  // level.
  void settle();

  // m_levels[h][i] is the hash of the complete subtree of leaves
  // [i * 2^h, (i + 1) * 2^h); m_levels[0] are the leaf hashes. A deque grows
  // without copying or doubling its memory.
  std::vector<std::deque<Digest>> m_levels;
};

// RFC 9162 2.1.3.2: checks that `leaf_hash` is leaf `index` of the tree of size
// `size` whose root is `root`. Every failure is Errc::corrupt with a message
// saying what did not hold: the index is not below the size, a hash is not 32
// bytes, the proof has too many or too few hashes, or it leads to a different
// root.
[[nodiscard]] Result<void> verify_inclusion(std::uint64_t index,
                                            std::uint64_t size,
                                            ByteView leaf_hash,
                                            std::span<const ByteView> proof,
                                            ByteView root);
[[nodiscard]] Result<void> verify_inclusion(std::uint64_t index,
                                            std::uint64_t size,
                                            const Digest& leaf_hash,
                                            const Proof& proof,
                                            const Digest& root);

// RFC 9162 2.1.4.2: checks that the tree of size `first` with root `first_root`
// is a prefix of the tree of size `second` with root `second_root`.
// Errc::corrupt on failure, with edge cases as transparency-dev/merkle (whose
// vectors the tests run): first > second and first == 0 fail (a proof from the
// empty tree proves nothing); first == second needs an empty proof and equal
// roots; otherwise every hash must be 32 bytes and the proof must have exactly
// the right length.
[[nodiscard]] Result<void> verify_consistency(std::uint64_t first,
                                              std::uint64_t second,
                                              ByteView first_root,
                                              ByteView second_root,
                                              std::span<const ByteView> proof);
[[nodiscard]] Result<void> verify_consistency(std::uint64_t first,
                                              std::uint64_t second,
                                              const Digest& first_root,
                                              const Digest& second_root,
                                              const Proof& proof);

} // namespace custody::merkle
