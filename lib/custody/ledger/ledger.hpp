// The ledger: canonical JSON entry lines in numbered segments, hash-chained,
// with HEAD and torn-tail handling (docs/formats.md section 4).
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/sys/fs.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace custody::ledger {

constexpr std::uint64_t k_segment_max_bytes = 64ULL * 1024 * 1024;
// The most a segment file is read to: the last segment may hold a command's
// entries past k_segment_max_bytes; a larger file is tampering.
constexpr std::uint64_t k_max_segment_file = k_segment_max_bytes + 1024 * 1024;
constexpr int k_format_version = 1;

// Append only: an entry's kind is its name, and names never change meaning.
// `export_`: `export` is a C++ keyword; its name on disk is "export".
enum class Kind {
  put,
  withdraw,
  admin,
  seal,
  checkpoint,
  release,
  redaction,
  export_,
  approval
};
std::string_view kind_name(Kind kind);

struct PayloadRef
{
  Digest obj{};
  Digest commit{};
  std::uint32_t epoch = 0;
};

struct Entry
{
  std::uint64_t seq = 0;
  std::string time; // RFC 3339 UTC, whole seconds, "Z"
  Kind kind = Kind::put;
  Digest prev{};
  std::vector<PayloadRef> payloads;
};

// The canonical line, without its LF.
std::string encode(const Entry& entry);
// Parses one line and checks invariant 3 (canonical form, exactly the envelope
// fields, valid values).
[[nodiscard]] Result<Entry> decode(std::string_view line);
// SHA-256 of the line's bytes without its LF.
Digest entry_hash(std::string_view line);

std::string segment_name(std::size_t ordinal);
std::string now_rfc3339();

struct Location
{
  std::size_t segment = 0; // ordinal
  std::uint64_t offset = 0;
};
std::string
describe(const Location& location); // "ledger/000000.jsonl byte 1234"

struct TornTail
{
  std::size_t segment = 0;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

struct Head
{
  std::uint64_t seq = 0;
  Digest hash{};
};
[[nodiscard]] Result<std::optional<Head>> read_head(const fs::Path& vault);
std::string encode_head(const Head& head);

// What a scan of the whole ledger found: the tip to append after, and a torn
// tail if any.
struct Tip
{
  std::uint64_t count = 0; // entries
  Digest last_hash{};      // of the last entry; zeros when empty
  std::size_t last_segment =
    0; // ordinal of the segment the next entry goes to unless it rolls over
  std::uint64_t last_segment_size = 0; // bytes of complete lines in it
  Location last_entry;                 // where the last entry starts
  std::optional<TornTail> torn;
};

struct Line
{
  std::string_view text; // without its LF
  Location location;
};

// Visits every complete line in order, checking segment names and sizes
// (invariant 1), and reports a torn tail (invariant 2) in the Tip instead of
// failing, so callers decide. The chain itself is checked by ChainChecker.
// With `up_to`, a snapshot: it stops after that many entries, so what a writer
// appends meanwhile is not read.
[[nodiscard]] Result<Tip>
scan(const fs::Path& vault,
     const std::function<Result<void>(const Line&)>& visit,
     std::optional<std::uint64_t> up_to = std::nullopt);

// A position a cache reflects: the first `count` entries, the last of which
// hashes to `last_hash` and starts at `last`.
struct Resume
{
  std::uint64_t count = 0;
  Digest last_hash{};
  Location last;
};
inline Resume
resume_point(const Tip& tip)
{
  return {tip.count, tip.last_hash, tip.last_entry};
}

// Like scan, but visits only the entries after `resume`, reading from the
// segment it names: a cache brought up to date costs what was appended since,
// not the whole ledger. The entry `resume` names is re-hashed; nullopt when it
// is not an entry of this ledger (a stale or foreign cache: scan everything).
// Checks only the segments it reads; `verify` checks them all.
[[nodiscard]] Result<std::optional<Tip>>
scan_after(const fs::Path& vault,
           const Resume& resume,
           const std::function<Result<void>(const Line&)>& visit,
           std::optional<std::uint64_t> up_to = std::nullopt);

// The entry that starts at `location`, read alone (a bounded read, without
// scanning the segment): its decoded envelope and hash; nullopt when there is
// no complete, well-formed entry there.
struct EntryAt
{
  Entry entry;
  Digest hash{};
};
[[nodiscard]] Result<std::optional<EntryAt>>
read_entry_at(const fs::Path& vault, const Location& location);

// Checks invariants 3-5 line by line.
class ChainChecker
{
public:
  ChainChecker() = default;
  // Continues after an entry already checked: `count` entries, the last hashing
  // to `last_hash`.
  ChainChecker(std::uint64_t count, const Digest& last_hash)
    : m_count(count),
      m_last_hash(last_hash)
  {
  }
  // Returns the decoded entry and its hash, or an Errc::corrupt error naming
  // the entry and offset.
  [[nodiscard]] Result<Entry> next(const Line& line);
  const Digest&
  last_hash() const
  {
    return m_last_hash;
  }
  std::uint64_t
  count() const
  {
    return m_count;
  }

private:
  std::uint64_t m_count = 0;
  Digest m_last_hash{};
};

// An entry with its canonical line (without LF) and its hash, encoded once.
struct Encoded
{
  std::uint64_t seq = 0;
  Digest prev{};
  std::string line;
  Digest hash{};
};
Encoded encode_entry(const Entry& entry);

// Appends `entries` (whose seq and prev must continue `tip`) with one durable
// write per segment touched, then rewrites HEAD. Refuses when `tip` has a torn
// tail. Returns the new tip.
[[nodiscard]] Result<Tip> append(const fs::Path& vault,
                                 const Tip& tip,
                                 const std::vector<Encoded>& entries);

// Moves a torn tail aside to ledger/NNNNNN.torn (or .torn.N) and truncates the
// segment at its last LF. Returns the name the bytes were moved to and their
// SHA-256.
struct MovedTail
{
  std::string moved_to;
  Digest sha256{};
};
// A file of that name that no signed repair records (`recorded`, names in
// ledger/) and that holds exactly these bytes is the copy an interrupted
// repair made: it is used again, not duplicated.
[[nodiscard]] Result<MovedTail>
move_torn_tail(const fs::Path& vault,
               const TornTail& torn,
               const std::set<std::string>& recorded);

} // namespace custody::ledger
