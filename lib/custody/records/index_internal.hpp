// What the index's parts share inside records/: SQLite statements and the
// statistics part's tables (docs/formats.md 10.1.1).
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/base/canonical_json.hpp>
#include <custody/base/error.hpp>
#include <custody/records/index.hpp>

#include <fmt/core.h>
#include <sqlite3.h>

#include <cstdint>
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

// The statistics part's tables (docs/formats.md 10.1.1): every record's
// facts projected and coded as numbers, with its id and the hash of its latest
// entry so that amendments apply as in the detail.
class StatisticsTables
{
public:
  static const char* const k_schema;

  explicit StatisticsTables(sqlite3* db)
    : m_db(db)
  {
  }
  // Reads the codes of a loaded part (an empty one has none).
  [[nodiscard]] Result<void> load_codes();
  // A `record` entry's document (the record's first view), or an `amend`
  // entry's, sealed by a member who may amend: its merge patch applied to
  // the record's projected view. Errc::corrupt as the detail would refuse it:
  // a record created twice, an amendment of an unknown record or one that
  // does not follow its last entry.
  [[nodiscard]] Result<void>
  apply(std::uint64_t seq, const Digest& hash, const json::Json& document);
  // The rows whose month is within `span` (or every row), oldest first.
  [[nodiscard]] Result<std::vector<FactsRow>>
  facts(const std::optional<MonthSpan>& span) const;
  std::uint64_t changed_since(std::uint64_t seq) const;
  std::uint64_t count() const;
  // Every row and release, for comparing two parts (verify --index).
  [[nodiscard]] Result<std::string> digest() const;

private:
  std::int64_t code_of(const std::string& code);
  std::string blob_of(const json::Json& list);
  [[nodiscard]] Result<void> store(std::int64_t created_seq,
                                   const std::string& id,
                                   const Digest& hash,
                                   std::uint64_t seq,
                                   const json::Json& view,
                                   bool replace);

  // A statement prepared once a part and reset for each use: a rebuild
  // applies a million records.
  Statement& prepared(std::optional<Statement>& slot, const char* sql);

  sqlite3* m_db;
  std::optional<Statement> m_find;
  std::optional<Statement> m_insert;
  std::optional<Statement> m_replace;
  std::unordered_map<std::string, std::int64_t> m_codes;
  std::vector<std::string> m_names; // by code number - 1
};

} // namespace custody::index::detail
