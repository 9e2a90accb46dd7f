// Verification: every invariant of docs/formats.md section 11 checked against
// one snapshot of the vault (the tip seen when the check begins, taken under a
// short shared lock), in one report. Writers wait only for the snapshot: the
// replay, the object hashes, the index and --deep read with no lock held.
// Repair, which writes, is vault::repair, run before this by the caller.
#pragma once

#include <custody/vault/check.hpp>
#include <custody/verify/deep.hpp>
#include <custody/verify/index_check.hpp>
#include <custody/verify/record_list.hpp>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace custody::verify {

struct Options
{
  vault::CheckOptions vault;
  // Called now and then while objects are hashed or --deep decrypts (bytes
  // done, total).
  std::function<void(std::uint64_t, std::uint64_t)> hash_progress;
  std::function<void(std::uint64_t, std::uint64_t)> deep_progress;
  const std::atomic<bool>* cancel = nullptr;
  // A checkpoint kept outside the vault, its .minisig beside it.
  std::optional<fs::Path> against;
  // The text of a PEM file of CA certificates to check stored RFC 3161 tokens
  // with (R9).
  std::optional<std::string> tsa_ca;
  // Invariant 15 (and 19): the member's index shards against a rebuild.
  bool index = false;
  // Every payload and attachment the member's keys open decrypted and
  // checked; objects are then hashed as they are decrypted, not twice.
  bool deep = false;
};

// The first finding, with the invariant it breaks where one is known.
struct Problem
{
  Error error;
  std::optional<int> invariant;
};

struct Report
{
  std::uint64_t entries = 0;
  std::uint64_t objects = 0;
  std::uint64_t members = 0;
  // seals, signatures, vault.yaml: needs an identity
  bool admin_checked = false;
  vault::Notes notes;
  checkpoint::Summary checkpoints;
  std::optional<checkpoint::Against> against;
  std::optional<std::vector<ShardCheck>> shards;
  // The record list and the attachments that name records (invariant 23):
  // with an identity.
  std::optional<RecordListCheck> records;
  std::optional<DeepReport> deep;
  // nullopt when the vault holds every invariant checked
  std::optional<Problem> problem;
};

// Checks the vault at `directory`; `member` may be null (then only what needs
// no key: chain, HEAD, objects, checkpoints against custody.pub). A finding
// (Errc::corrupt) is the report's problem; an error is a failure to check
// (no vault, locked, bad identity, interrupted).
[[nodiscard]] Result<Report> check(const fs::Path& directory,
                                   const identity::Member* member,
                                   const Options& options);

} // namespace custody::verify
