// The record list: the records the seals name as created (docs/formats.md
// 6.4), which every member, intake included, checks a record id or a form
// against without opening a record.
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/base/error.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace custody::vault {

// A record id, or a form hash: 16 bytes, written as 32 lowercase hex digits.
using RecordKey = std::array<std::uint8_t, 16>;

// Errc::invalid_input unless `hex` is 32 lowercase hex digits.
[[nodiscard]] Result<RecordKey> record_key(std::string_view hex);
std::string key_hex(const RecordKey& key);

// One record as a seal names it: its id, the keyed hash of its form
// (docs/formats.md 6.4.1) and the seq of the entry that created it.
struct SealedRecord
{
  RecordKey id{};
  RecordKey form{};
  std::uint64_t seq = 0;

  bool operator==(const SealedRecord&) const = default;
};

// What a command tells the seal of a `put` that creates a record.
struct CreatedRecord
{
  RecordKey id{};
  RecordKey form{};
};

// Every record the seals name, sorted by id.
class RecordSet
{
public:
  RecordSet() = default;
  // Errc::corrupt (invariant 23) naming a record named twice.
  [[nodiscard]] static Result<RecordSet>
  from(std::vector<SealedRecord> records);
  // Adds records (in any order), with the same check.
  [[nodiscard]] Result<void> add(std::vector<SealedRecord> records);

  std::size_t
  size() const
  {
    return m_records.size();
  }
  const std::vector<SealedRecord>&
  all() const
  {
    return m_records;
  }
  const SealedRecord* find(const RecordKey& id) const;
  // The records whose ids lie in [low, high], in id order.
  std::span<const SealedRecord> between(const RecordKey& low,
                                        const RecordKey& high) const;
  // The first record (in id order) made from a form with this hash.
  const SealedRecord* find_form(const RecordKey& form) const;

  // The body of the member's copy (docs/formats.md 10.3): 40 bytes a record,
  // sorted by id.
  Bytes serialize() const;
  [[nodiscard]] static Result<RecordSet> parse(ByteView body,
                                               std::uint64_t count);

private:
  std::vector<SealedRecord> m_records;
  // form hash (its first 8 bytes) -> index, built on first use.
  mutable std::optional<std::unordered_multimap<std::uint64_t, std::size_t>>
    m_forms;
};

} // namespace custody::vault
