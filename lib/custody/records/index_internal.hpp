// What the index's parts share inside records/: SQLite statements and the
// statistics part's tables (docs/formats.md 10.1.1).
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/base/canonical_json.hpp>
#include <custody/base/error.hpp>
#include <custody/ledger/ledger.hpp>
#include <custody/records/index.hpp>

#include <fmt/core.h>
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace custody::index::detail {

inline Error
sqlite_error(sqlite3* db, std::string_view what)
{
  return Error{
    Errc::internal, fmt::format("index: {}: {}", what, sqlite3_errmsg(db)), {}};
}

// A prepared statement, finalized on destruction.
class Statement
{
public:
  Statement(sqlite3* db, const char* sql)
    : m_db(db),
      m_ok(sqlite3_prepare_v2(db, sql, -1, &m_statement, nullptr) == SQLITE_OK)
  {
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement()
  {
    sqlite3_finalize(m_statement);
  }
  bool
  ok() const
  {
    return m_ok;
  }
  Statement&
  bind(int index, std::string_view text)
  {
    // An empty view may have no data: bound as NULL, it would not be text.
    sqlite3_bind_text(m_statement,
                      index,
                      text.data() == nullptr ? "" : text.data(),
                      static_cast<int>(text.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }
  Statement&
  bind_blob(int index, ByteView bytes)
  {
    sqlite3_bind_blob(m_statement,
                      index,
                      bytes.data(),
                      static_cast<int>(bytes.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }
  Statement&
  bind(int index, std::int64_t value)
  {
    sqlite3_bind_int64(m_statement, index, value);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int
  step()
  {
    return sqlite3_step(m_statement);
  }
  void
  reset()
  {
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
  }
  std::string
  text(int column) const
  {
    const auto* data = sqlite3_column_text(m_statement, column);
    return data == nullptr
             ? std::string()
             : std::string(reinterpret_cast<const char*>(data),
                           static_cast<std::size_t>(
                             sqlite3_column_bytes(m_statement, column)));
  }
  std::int64_t
  integer(int column) const
  {
    return sqlite3_column_int64(m_statement, column);
  }
  ByteView
  blob(int column) const
  {
    const auto* data = static_cast<const std::uint8_t*>(
      sqlite3_column_blob(m_statement, column));
    return data == nullptr
             ? ByteView()
             : ByteView(data,
                        static_cast<std::size_t>(
                          sqlite3_column_bytes(m_statement, column)));
  }
  bool
  null(int column) const
  {
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
  }

private:
  sqlite3* m_db;
  sqlite3_stmt* m_statement = nullptr;
  bool m_ok = false;
};

inline Result<void>
exec(sqlite3* db, const char* sql)
{
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return tl::unexpected(sqlite_error(db, "exec"));
  }
  return {};
}

// An in-memory database that never spills to a temp file (docs/design.md
// section 8).
[[nodiscard]] Result<sqlite3*> open_memory();

// Where the statistics part's files come from and go to: the shard's cache
// files (index.cpp), so that the tables below know databases, not files.
struct StatisticsFiles
{
  // Loads index/<member>/<name> into `db` when it opens, belongs to this vault
  // and compartment and its header has every member of `expect` (part,
  // month, number); the position it was saved at, or nullopt with `why` when
  // it is missing or not usable.
  std::function<Result<std::optional<ledger::Resume>>(const std::string& name,
                                                      const json::Json& expect,
                                                      sqlite3* db,
                                                      std::string& why)>
    load;
  // Seals `db` with the shard's header, `extra` added, at the part's
  // position, and writes it atomically.
  std::function<Result<void>(
    const std::string& name, const json::Json& extra, sqlite3* db)>
    save;
  // Removes the part's files whose names are not in `keep`.
  std::function<void(const std::vector<std::string>& keep)> prune;
};

// The statistics part (docs/formats.md 10.1.1): a head (codes, releases, the
// manifest of files and the counts of records changed since each released
// tree) in `head`, the ids of records and their latest entries, and one
// database a month. The ids and months are loaded when first needed; one that
// is missing, forged or saved at another position than the manifest says
// makes damaged() true, and the caller rebuilds the whole part.
class StatisticsPart
{
public:
  static const char* const k_head_schema;
  static constexpr std::string_view k_head_file = "facts.stats.age";

  StatisticsPart(sqlite3* head, StatisticsFiles files);
  StatisticsPart(const StatisticsPart&) = delete;
  StatisticsPart& operator=(const StatisticsPart&) = delete;
  ~StatisticsPart();

  // Reads the head of a loaded part (codes, manifest, counts).
  [[nodiscard]] Result<void> load_head();
  // A `record` entry's document (the record's first view), or an `amend`
  // entry's, sealed by a member who may amend: its merge patch applied to
  // the record's projected view. Errc::corrupt as the detail would refuse it:
  // a record created twice, an amendment of an unknown record or one that
  // does not follow its last entry.
  [[nodiscard]] Result<void>
  apply(std::uint64_t seq, const Digest& hash, const json::Json& document);
  // A release entry's document, once the caller has stored it in the head's
  // releases table: starts the count of records changed since its tree.
  [[nodiscard]] Result<void> released(const json::Json& document);
  // The rows whose month is within `span` (or every row), oldest first.
  [[nodiscard]] Result<std::vector<FactsRow>>
  facts(const std::optional<MonthSpan>& span);
  // How many records were created or amended at or after entry `seq`.
  [[nodiscard]] Result<std::uint64_t> changed_since(std::uint64_t seq);
  std::uint64_t count() const;
  // Every row, id and release, for comparing two parts (verify --index).
  [[nodiscard]] Result<std::string> digest();
  // Writes the files that changed, then the manifest and counts into the
  // head; the caller saves the head, then calls prune().
  [[nodiscard]] Result<void> save(const ledger::Resume& position);
  void prune() const;

  bool
  damaged() const
  {
    return !m_damage.empty();
  }
  const std::string&
  damage() const
  {
    return m_damage;
  }

private:
  struct Month;
  struct Ids;

  std::int64_t code_of(const std::string& code);
  std::string blob_of(const json::Json& list);
  [[nodiscard]] Result<Ids*> ids();
  // The month's database, loaded or (with `create`) made empty; nullptr when
  // the part has no such month and `create` is false.
  [[nodiscard]] Result<Month*> month(const std::string& name, bool create);
  [[nodiscard]] Result<Month*> month_numbered(std::int64_t number);
  [[nodiscard]] Result<void> load_file(const std::string& name,
                                       const json::Json& expect,
                                       sqlite3* db,
                                       std::int64_t number);
  // load_file without marking the part damaged, safe on several threads at
  // once: a file that cannot be used sets `why` (and returns success).
  [[nodiscard]] Result<void> read_file(const std::string& name,
                                       const json::Json& expect,
                                       sqlite3* db,
                                       std::int64_t number,
                                       std::string& why) const;
  // Loads the months of `months` not loaded yet, on every core.
  [[nodiscard]] Result<void> load_months(const std::vector<Month*>& months);
  [[nodiscard]] Result<void> store(Month& month,
                                   std::int64_t created_seq,
                                   std::uint64_t seq,
                                   const json::Json& view);
  // A list column's bytes (code numbers) and the list they read as: a
  // month's rows hold few distinct lists, each decoded and interned once.
  struct BlobHash
  {
    using is_transparent = void;
    std::size_t
    operator()(std::string_view bytes) const noexcept
    {
      return std::hash<std::string_view>{}(bytes);
    }
  };
  using ListCache =
    std::unordered_map<std::string, CodeList, BlobHash, std::equal_to<>>;
  // Safe on several threads at once, each month and cache on one.
  [[nodiscard]] Result<void> read_month(const Month& month,
                                        std::vector<FactsRow>& rows,
                                        ListCache& lists) const;
  [[nodiscard]] Result<json::Json> projection(Month& month,
                                              std::int64_t created_seq);
  void count_change(std::optional<std::uint64_t> before, std::uint64_t seq);
  [[nodiscard]] Result<std::uint64_t> count_since(std::uint64_t seq);
  Error damaged_by(std::string why);

  sqlite3* m_head;
  StatisticsFiles m_files;
  std::unordered_map<std::string, std::int64_t> m_codes;
  std::vector<Code> m_names; // by code number - 1
  std::unique_ptr<Ids> m_ids;
  std::map<std::string, std::unique_ptr<Month>> m_months; // by month name
  std::int64_t m_next_number = 1;
  // The manifest's saved positions, by file name.
  std::map<std::string, std::pair<std::uint64_t, std::string>> m_saved;
  std::map<std::uint64_t, std::uint64_t> m_since; // tree size -> records
  std::int64_t m_last_record_seq = -1;
  std::string m_damage;
};

} // namespace custody::index::detail
