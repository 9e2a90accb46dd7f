// The facts shard's statistics part (docs/formats.md 10.1.1): each record's
// coded facts as numbers, kept apart from the catalogue and split by month so
// that counting a quarter reads a few bytes of each of its records.
#include <custody/base/parallel.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/records/index_internal.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>
#include <tuple>
#include <unordered_map>

namespace custody::index::detail {

const char* const StatisticsPart::k_head_schema = R"sql(
CREATE TABLE codes(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);
CREATE TABLE releases(seq INTEGER PRIMARY KEY, release TEXT NOT NULL);
CREATE TABLE parts(name TEXT PRIMARY KEY, number INTEGER NOT NULL UNIQUE,
                   count INTEGER NOT NULL, hash BLOB NOT NULL,
                   records INTEGER NOT NULL);
CREATE TABLE since(tree_size INTEGER PRIMARY KEY, records INTEGER NOT NULL);
CREATE TABLE state(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
)sql";

namespace {

// The fields of a view the part keeps, where the catalogue's facts table
// reads them (docs/formats.md 10.1): (object, member).
struct Field
{
  const char* object;
  const char* member;
  bool list;
};
// In the order of the facts table's columns from `month` on; person_ref and
// delay_hours are stored as they are, not coded.
constexpr std::array<Field, 13> k_fields{{
  {"incident", "month", false},
  {"incident", "date_precision", false},
  {"incident", "district", false},
  {"person", "population", false},
  {"incident", "setting", false},
  {"incident", "violence_types", true},
  {"incident", "perpetrators", true},
  {"person", "person_ref", false},
  {"response", "delay_hours", false},
  {"response", "actions", true},
  {"response", "referrals", true},
  {"response", "outcome", false},
  {"consent", "scopes", true},
}};
constexpr std::size_t k_person_field = 7;
constexpr std::size_t k_delay_field = 8;
constexpr int k_first_field_column = 2; // month, in SELECT * order

const json::Json*
member_of(const json::Json& view, const Field& field)
{
  const auto object = view.find(field.object);
  if (object == view.end() || !object->is_object()) {
    return nullptr;
  }
  const auto member = object->find(field.member);
  return member == object->end() ? nullptr : &*member;
}

std::string
text_of(const json::Json* value)
{
  return value != nullptr && value->is_string() ? value->get<std::string>()
                                                : std::string();
}

std::uint32_t
read_le32(const std::uint8_t* bytes)
{
  return static_cast<std::uint32_t>(bytes[0])
         | static_cast<std::uint32_t>(bytes[1]) << 8U
         | static_cast<std::uint32_t>(bytes[2]) << 16U
         | static_cast<std::uint32_t>(bytes[3]) << 24U;
}

// A month as the catalogue holds it ("2025-07", or "2025" for a year alone)
// within `span`.
bool
in_span(const std::string& month, const MonthSpan& span)
{
  if (month.size() == 7) {
    return month >= span.from && month <= span.to;
  }
  if (month.size() == 4) {
    return month >= span.from.substr(0, 4) && month <= span.to.substr(0, 4);
  }
  return false;
}

} // namespace

namespace {

const char* const k_ids_schema = R"sql(
CREATE TABLE ids(id BLOB PRIMARY KEY, created_seq INTEGER NOT NULL,
                 last_hash BLOB NOT NULL, updated_seq INTEGER NOT NULL,
                 part INTEGER NOT NULL) WITHOUT ROWID;
)sql";
const char* const k_month_schema = R"sql(
CREATE TABLE facts(created_seq INTEGER PRIMARY KEY,
                   updated_seq INTEGER NOT NULL, month INTEGER,
                   date_precision INTEGER, district INTEGER,
                   population INTEGER, setting INTEGER, violence_types BLOB,
                   perpetrators BLOB, person_ref TEXT, delay_hours INTEGER,
                   actions BLOB, referrals BLOB, outcome INTEGER,
                   consent BLOB);
)sql";
constexpr std::string_view k_ids_file = "facts.stats.ids.age";
constexpr std::string_view k_ids_name = "ids";

std::string
month_file(std::int64_t number)
{
  return fmt::format("facts.stats.{}.age", number);
}

// What a month file's header says it is, beyond the shard's claims: written
// when it is saved, required when it is loaded.
json::Json
month_claims(const std::string& name, std::int64_t number)
{
  return {{"part", "statistics-month"}, {"month", name}, {"number", number}};
}

// The month a view is counted in, as its file's name: "" when it has none.
std::string
month_of(const json::Json& view)
{
  return text_of(member_of(view, k_fields[0]));
}

Statement&
prepared(std::optional<Statement>& slot, sqlite3* db, const char* sql)
{
  if (slot) {
    slot->reset();
  } else {
    slot.emplace(db, sql);
  }
  return *slot;
}

// Changes to a month or the ids are made in one transaction, committed when
// the part is saved: committing each statement on its own was a tenth of a
// rebuild.
Result<void>
begin_writing(sqlite3* db, bool& writing)
{
  if (!writing) {
    CUSTODY_TRY(exec(db, "BEGIN"));
    writing = true;
  }
  return {};
}

Result<void>
commit_writing(sqlite3* db, bool& writing)
{
  if (writing) {
    CUSTODY_TRY(exec(db, "COMMIT"));
    writing = false;
  }
  return {};
}

} // namespace

// One month's rows; `db` is null until the file is loaded.
struct StatisticsPart::Month
{
  std::string name;
  std::int64_t number = 0;
  std::uint64_t records = 0;
  sqlite3* db = nullptr;
  bool dirty = false;
  bool writing = false; // in a transaction (begin_writing)
  std::optional<Statement> put;
  std::optional<Statement> find;
  std::optional<Statement> erase;

  Month() = default;
  Month(const Month&) = delete;
  Month& operator=(const Month&) = delete;
  ~Month()
  {
    unload();
  }

  void
  unload()
  {
    put.reset();
    find.reset();
    erase.reset();
    sqlite3_close(db);
    db = nullptr;
    writing = false;
  }
};

struct StatisticsPart::Ids
{
  sqlite3* db = nullptr;
  bool dirty = false;
  bool writing = false; // in a transaction (begin_writing)
  std::optional<Statement> find;
  std::optional<Statement> put;

  Ids() = default;
  Ids(const Ids&) = delete;
  Ids& operator=(const Ids&) = delete;
  ~Ids()
  {
    find.reset();
    put.reset();
    sqlite3_close(db);
  }
};

StatisticsPart::StatisticsPart(sqlite3* head, StatisticsFiles files)
  : m_head(head),
    m_files(std::move(files))
{
}

StatisticsPart::~StatisticsPart() = default;

Error
StatisticsPart::damaged_by(std::string why)
{
  m_damage = std::move(why);
  return Error{Errc::corrupt, "index: " + m_damage, {}};
}

Result<void>
StatisticsPart::load_head()
{
  m_codes.clear();
  m_names.clear();
  m_months.clear();
  m_ids.reset();
  m_saved.clear();
  m_since.clear();
  m_next_number = 1;
  m_last_record_seq = -1;
  Statement codes(m_head, "SELECT id, code FROM codes ORDER BY id");
  if (!codes.ok()) {
    return tl::unexpected(sqlite_error(m_head, "read codes"));
  }
  while (codes.step() == SQLITE_ROW) {
    // Numbered from 1 without gaps: the number is the name's position.
    if (codes.integer(0) != static_cast<std::int64_t>(m_names.size()) + 1) {
      return fail(Errc::corrupt, "index: the statistics part's codes skip");
    }
    m_names.emplace_back(codes.text(1));
    m_codes.emplace(m_names.back().str(), codes.integer(0));
  }
  Statement parts(m_head,
                  "SELECT name, number, count, hash, records FROM parts");
  if (!parts.ok()) {
    return tl::unexpected(sqlite_error(m_head, "read parts"));
  }
  while (parts.step() == SQLITE_ROW) {
    const std::string name = parts.text(0);
    const std::int64_t number = parts.integer(1);
    const std::int64_t records = parts.integer(4);
    if (parts.integer(2) < 0 || records < 0
        || (name == k_ids_name) != (number == 0) || number < 0) {
      return fail(Errc::corrupt,
                  "index: the statistics part's manifest is malformed");
    }
    m_saved[name] = {static_cast<std::uint64_t>(parts.integer(2)),
                     to_hex(parts.blob(3))};
    if (name == k_ids_name) {
      continue;
    }
    auto month = std::make_unique<Month>();
    month->name = name;
    month->number = number;
    month->records = static_cast<std::uint64_t>(records);
    m_next_number = std::max(m_next_number, number + 1);
    m_months.emplace(name, std::move(month));
  }
  Statement since(m_head, "SELECT tree_size, records FROM since");
  while (since.step() == SQLITE_ROW) {
    if (since.integer(0) < 0 || since.integer(1) < 0) {
      return fail(Errc::corrupt,
                  "index: the statistics part's counts are malformed");
    }
    m_since[static_cast<std::uint64_t>(since.integer(0))] =
      static_cast<std::uint64_t>(since.integer(1));
  }
  Statement state(m_head,
                  "SELECT value FROM state WHERE key = 'last_record_seq'");
  if (state.step() == SQLITE_ROW) {
    m_last_record_seq = state.integer(0);
  }
  if (count() > 0 && !m_saved.contains(std::string(k_ids_name))) {
    return fail(Errc::corrupt, "index: the statistics part lists no ids");
  }
  return {};
}

Result<void>
StatisticsPart::read_file(const std::string& name,
                          const json::Json& expect,
                          sqlite3* db,
                          std::int64_t number,
                          std::string& why) const
{
  const std::string key = number == 0 ? std::string(k_ids_name)
                                      : std::string(expect.value("month", ""));
  std::string reason;
  CUSTODY_ASSIGN(loaded, m_files.load(name, expect, db, reason));
  if (!loaded) {
    why = fmt::format("{} {}", name, reason);
    return {};
  }
  const auto saved = m_saved.find(key);
  if (saved == m_saved.end() || saved->second.first != loaded->count
      || saved->second.second != to_hex(loaded->last_hash)) {
    why = fmt::format(
      "{} was saved at another ledger position than the part's head says",
      name);
  }
  return {};
}

Result<void>
StatisticsPart::load_file(const std::string& name,
                          const json::Json& expect,
                          sqlite3* db,
                          std::int64_t number)
{
  std::string why;
  CUSTODY_TRY(read_file(name, expect, db, number, why));
  if (!why.empty()) {
    return tl::unexpected(damaged_by(std::move(why)));
  }
  return {};
}

Result<void>
StatisticsPart::load_months(const std::vector<Month*>& months)
{
  std::vector<Month*> wanted;
  for (Month* month : months) {
    if (month->db == nullptr) {
      wanted.push_back(month);
    }
  }
  // Each file is read, decrypted and checked on its own thread; the part is
  // marked damaged afterwards, by the first file that failed, in month order.
  std::vector<sqlite3*> databases(wanted.size(), nullptr);
  std::vector<std::string> why(wanted.size());
  std::vector<std::optional<Error>> errors(wanted.size());
  on_every_core(wanted.size(), 8, [&](std::size_t i) {
    auto db = open_memory();
    if (!db) {
      errors[i] = db.error();
      return;
    }
    databases[i] = *db;
    auto read = read_file(month_file(wanted[i]->number),
                          month_claims(wanted[i]->name, wanted[i]->number),
                          *db,
                          wanted[i]->number,
                          why[i]);
    if (!read) {
      errors[i] = read.error();
    }
  });
  std::optional<Error> failed;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (!failed && errors[i]) {
      failed = errors[i];
    } else if (!failed && !why[i].empty()) {
      failed = damaged_by(std::move(why[i]));
    }
    if (failed) {
      sqlite3_close(databases[i]);
    } else {
      wanted[i]->db = databases[i];
    }
  }
  if (failed) {
    return tl::unexpected(std::move(*failed));
  }
  return {};
}

Result<StatisticsPart::Ids*>
StatisticsPart::ids()
{
  if (m_ids) {
    return m_ids.get();
  }
  auto ids = std::make_unique<Ids>();
  CUSTODY_ASSIGN(db, open_memory());
  // Owned by `ids` from here, closed with it when loading fails.
  ids->db = db;
  if (m_saved.contains(std::string(k_ids_name))) {
    CUSTODY_TRY(load_file(
      std::string(k_ids_file), {{"part", "statistics-ids"}}, ids->db, 0));
  } else {
    CUSTODY_TRY(exec(ids->db, k_ids_schema));
    ids->dirty = true;
  }
  m_ids = std::move(ids);
  return m_ids.get();
}

Result<StatisticsPart::Month*>
StatisticsPart::month(const std::string& name, bool create)
{
  const auto found = m_months.find(name);
  if (found == m_months.end()) {
    if (!create) {
      return nullptr;
    }
    auto fresh = std::make_unique<Month>();
    fresh->name = name;
    fresh->number = m_next_number++;
    CUSTODY_ASSIGN(db, open_memory());
    fresh->db = db;
    CUSTODY_TRY(exec(fresh->db, k_month_schema));
    fresh->dirty = true;
    Month* month = fresh.get();
    m_months.emplace(name, std::move(fresh));
    return month;
  }
  Month& month = *found->second;
  if (month.db == nullptr) {
    CUSTODY_ASSIGN(db, open_memory());
    auto loaded = load_file(month_file(month.number),
                            month_claims(month.name, month.number),
                            db,
                            month.number);
    if (!loaded) {
      sqlite3_close(db);
      return tl::unexpected(loaded.error());
    }
    month.db = db;
  }
  return &month;
}

Result<StatisticsPart::Month*>
StatisticsPart::month_numbered(std::int64_t number)
{
  for (const auto& [name, month] : m_months) {
    if (month->number == number) {
      return this->month(name, false);
    }
  }
  return tl::unexpected(
    damaged_by(fmt::format("{} names month file {}, which the head does "
                           "not list",
                           k_ids_file,
                           number)));
}

std::int64_t
StatisticsPart::code_of(const std::string& code)
{
  const auto found = m_codes.find(code);
  if (found != m_codes.end()) {
    return found->second;
  }
  const auto number = static_cast<std::int64_t>(m_names.size()) + 1;
  Statement insert(m_head, "INSERT INTO codes(id, code) VALUES (?,?)");
  insert.bind(1, number).bind(2, code);
  if (insert.step() != SQLITE_DONE) {
    // Only a full memory can refuse an insert here; the caller's next
    // statement fails with it.
    return 0;
  }
  m_names.emplace_back(code);
  m_codes.emplace(code, number);
  return number;
}

std::string
StatisticsPart::blob_of(const json::Json& list)
{
  std::string out;
  if (!list.is_array()) {
    return out;
  }
  for (const auto& item : list) {
    if (!item.is_string()) {
      continue;
    }
    const auto number =
      static_cast<std::uint32_t>(code_of(item.get<std::string>()));
    for (unsigned shift = 0; shift < 32; shift += 8) {
      out.push_back(static_cast<char>((number >> shift) & 0xffU));
    }
  }
  return out;
}

Result<void>
StatisticsPart::store(Month& month,
                      std::int64_t created_seq,
                      std::uint64_t seq,
                      const json::Json& view)
{
  CUSTODY_TRY(begin_writing(month.db, month.writing));
  Statement& put = prepared(month.put,
                            month.db,
                            "INSERT OR REPLACE INTO facts VALUES "
                            "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  put.bind(1, created_seq).bind(2, static_cast<std::int64_t>(seq));
  for (std::size_t i = 0; i < k_fields.size(); ++i) {
    const int column = k_first_field_column + 1 + static_cast<int>(i);
    const json::Json* value = member_of(view, k_fields[i]);
    if (i == k_delay_field) {
      // No delay is NULL, never 0 (as in the catalogue).
      if (value != nullptr && value->is_number_integer()) {
        put.bind(column, value->get<std::int64_t>());
      }
    } else if (i == k_person_field) {
      put.bind(column, text_of(value));
    } else if (k_fields[i].list) {
      if (value != nullptr) {
        const std::string blob = blob_of(*value);
        if (!blob.empty()) {
          put.bind_blob(column, as_bytes(blob));
        }
      }
    } else if (const std::string text = text_of(value); !text.empty()) {
      put.bind(column, code_of(text));
    }
  }
  const bool stored = put.step() == SQLITE_DONE;
  put.reset();
  if (!stored) {
    return tl::unexpected(sqlite_error(month.db, "store facts"));
  }
  month.dirty = true;
  return {};
}

// The projection rebuilt as JSON: a merge patch replaces members one by one,
// so patching it gives the projection of the patched view.
Result<json::Json>
StatisticsPart::projection(Month& month, std::int64_t created_seq)
{
  Statement& row =
    prepared(month.find, month.db, "SELECT * FROM facts WHERE created_seq = ?");
  row.bind(1, created_seq);
  if (row.step() != SQLITE_ROW) {
    row.reset();
    return tl::unexpected(damaged_by(fmt::format(
      "{} lacks a record {} lists", month_file(month.number), k_ids_file)));
  }
  json::Json view = json::Json::object();
  for (std::size_t i = 0; i < k_fields.size(); ++i) {
    const int column = k_first_field_column + static_cast<int>(i);
    if (row.null(column)) {
      continue;
    }
    json::Json& slot = view[k_fields[i].object][k_fields[i].member];
    if (i == k_delay_field) {
      slot = row.integer(column);
    } else if (i == k_person_field) {
      slot = row.text(column);
    } else if (k_fields[i].list) {
      slot = json::Json::array();
      const ByteView blob = row.blob(column);
      for (std::size_t at = 0; at + 4 <= blob.size(); at += 4) {
        const std::uint32_t number = read_le32(blob.data() + at);
        if (number == 0 || number > m_names.size()) {
          row.reset();
          return fail(Errc::corrupt, "index: a statistics row names no code");
        }
        slot.push_back(m_names[number - 1].str());
      }
    } else {
      const auto number = row.integer(column);
      if (number <= 0 || static_cast<std::size_t>(number) > m_names.size()) {
        row.reset();
        return fail(Errc::corrupt, "index: a statistics row names no code");
      }
      slot = m_names[static_cast<std::size_t>(number) - 1].str();
    }
  }
  row.reset();
  return view;
}

void
StatisticsPart::count_change(std::optional<std::uint64_t> before,
                             std::uint64_t seq)
{
  for (auto& [tree_size, records] : m_since) {
    if ((!before || *before < tree_size) && tree_size <= seq) {
      ++records;
    }
  }
  m_last_record_seq = static_cast<std::int64_t>(seq);
}

Result<void>
StatisticsPart::apply(std::uint64_t seq,
                      const Digest& hash,
                      const json::Json& document)
{
  const std::string type = document.value("type", "");
  const std::string id = document.value("record", "");
  if ((type != "record" && type != "amend") || id.size() != 32) {
    return fail(Errc::corrupt, "entry {}: not a record payload", seq);
  }
  CUSTODY_ASSIGN(id_bytes, from_hex(id));
  const json::Json& data =
    document.contains("data") ? document["data"] : json::Json::object();
  CUSTODY_ASSIGN(known, ids());
  Statement& find = prepared(known->find,
                             known->db,
                             "SELECT created_seq, last_hash, updated_seq, part "
                             "FROM ids WHERE id = ?");
  find.bind_blob(1, id_bytes);
  const bool found = find.step() == SQLITE_ROW;
  auto created_seq = static_cast<std::int64_t>(seq);
  std::optional<std::uint64_t> before;
  Month* target = nullptr;
  if (type == "record") {
    find.reset();
    if (found) {
      return fail(Errc::corrupt, "entry {}: record {} created twice", seq, id);
    }
    CUSTODY_ASSIGN(placed, month(month_of(data), true));
    target = placed;
    CUSTODY_TRY(store(*target, created_seq, seq, data));
    ++target->records;
  } else {
    if (!found) {
      find.reset();
      return fail(Errc::corrupt, "entry {}: amends unknown record {}", seq, id);
    }
    created_seq = find.integer(0);
    const std::string last_hash = to_hex(find.blob(1));
    before = static_cast<std::uint64_t>(find.integer(2));
    const std::int64_t number = find.integer(3);
    find.reset();
    const std::string prev =
      document.contains("prev") && document["prev"].is_string()
        ? document["prev"].get<std::string>()
        : std::string();
    if (prev != last_hash) {
      return fail(
        Errc::corrupt,
        "entry {}: amendment of {} does not follow the record's last entry",
        seq,
        id);
    }
    CUSTODY_ASSIGN(source, month_numbered(number));
    CUSTODY_ASSIGN(view, projection(*source, created_seq));
    view.merge_patch(data);
    CUSTODY_ASSIGN(placed, month(month_of(view), true));
    target = placed;
    if (target != source) {
      // The month changed: the row moves to the other month's file.
      CUSTODY_TRY(begin_writing(source->db, source->writing));
      Statement& erase = prepared(
        source->erase, source->db, "DELETE FROM facts WHERE created_seq = ?");
      erase.bind(1, created_seq);
      const bool erased = erase.step() == SQLITE_DONE;
      erase.reset();
      if (!erased) {
        return tl::unexpected(sqlite_error(source->db, "move facts"));
      }
      source->dirty = true;
      --source->records;
      ++target->records;
    }
    CUSTODY_TRY(store(*target, created_seq, seq, view));
  }
  CUSTODY_TRY(begin_writing(known->db, known->writing));
  Statement& put = prepared(
    known->put, known->db, "INSERT OR REPLACE INTO ids VALUES (?,?,?,?,?)");
  put.bind_blob(1, id_bytes)
    .bind(2, created_seq)
    .bind_blob(3, hash)
    .bind(4, static_cast<std::int64_t>(seq))
    .bind(5, target->number);
  const bool stored = put.step() == SQLITE_DONE;
  put.reset();
  if (!stored) {
    return tl::unexpected(sqlite_error(known->db, "store id"));
  }
  known->dirty = true;
  count_change(before, seq);
  return {};
}

Result<std::uint64_t>
StatisticsPart::count_since(std::uint64_t seq)
{
  if (m_last_record_seq < 0
      || static_cast<std::uint64_t>(m_last_record_seq) < seq) {
    return 0;
  }
  CUSTODY_ASSIGN(known, ids());
  Statement query(known->db, "SELECT count(*) FROM ids WHERE updated_seq >= ?");
  query.bind(1, static_cast<std::int64_t>(seq));
  if (query.step() != SQLITE_ROW) {
    return tl::unexpected(sqlite_error(known->db, "count changes"));
  }
  return static_cast<std::uint64_t>(query.integer(0));
}

Result<void>
StatisticsPart::released(const json::Json& document)
{
  const auto release = document.find("release");
  if (release == document.end() || !release->is_object()) {
    return {};
  }
  const auto tree_size = release->find("tree_size");
  if (tree_size == release->end() || !tree_size->is_number_unsigned()) {
    return {};
  }
  const auto size = tree_size->get<std::uint64_t>();
  if (m_since.contains(size)) {
    return {};
  }
  CUSTODY_ASSIGN(records, count_since(size));
  m_since[size] = records;
  return {};
}

Result<std::uint64_t>
StatisticsPart::changed_since(std::uint64_t seq)
{
  const auto found = m_since.find(seq);
  if (found != m_since.end()) {
    return found->second;
  }
  return count_since(seq);
}

Result<void>
StatisticsPart::read_month(const Month& month,
                           std::vector<FactsRow>& rows,
                           ListCache& lists) const
{
  Statement query(month.db,
                  "SELECT created_seq, month, date_precision, district, "
                  "population, setting, violence_types, perpetrators, "
                  "person_ref, delay_hours, actions, referrals, outcome, "
                  "consent FROM facts ORDER BY created_seq");
  if (!query.ok()) {
    return tl::unexpected(sqlite_error(month.db, "facts"));
  }
  bool bad = false;
  auto code = [&](int column) -> Code {
    if (query.null(column)) {
      return {};
    }
    const auto number = query.integer(column);
    if (number <= 0 || static_cast<std::size_t>(number) > m_names.size()) {
      bad = true;
      return {};
    }
    return m_names[static_cast<std::size_t>(number) - 1];
  };
  auto codes = [&](int column) -> CodeList {
    const ByteView blob = query.blob(column);
    const std::string_view bytes(reinterpret_cast<const char*>(blob.data()),
                                 blob.size());
    const auto known = lists.find(bytes);
    if (known != lists.end()) {
      return known->second;
    }
    std::vector<std::string> out;
    out.reserve(blob.size() / 4);
    for (std::size_t at = 0; at + 4 <= blob.size(); at += 4) {
      const std::uint32_t number = read_le32(blob.data() + at);
      if (number == 0 || number > m_names.size()) {
        bad = true;
        return {};
      }
      out.push_back(m_names[number - 1].str());
    }
    return lists.emplace(std::string(bytes), CodeList(std::move(out)))
      .first->second;
  };
  while (query.step() == SQLITE_ROW) {
    FactsRow row;
    row.created_seq = static_cast<std::uint64_t>(query.integer(0));
    row.month = code(1);
    row.date_precision = code(2);
    row.district = code(3);
    row.population = code(4);
    row.setting = code(5);
    row.violence_types = codes(6);
    row.perpetrators = codes(7);
    row.person_ref = query.text(8);
    if (!query.null(9)) {
      row.delay_hours = query.integer(9);
    }
    row.actions = codes(10);
    row.referrals = codes(11);
    row.outcome = code(12);
    row.consent = codes(13);
    if (row.month != month.name) {
      bad = true;
    }
    rows.push_back(std::move(row));
  }
  if (bad) {
    return fail(Errc::corrupt,
                "index: a statistics row names no code, or another month "
                "than its file");
  }
  return {};
}

Result<std::vector<FactsRow>>
StatisticsPart::facts(const std::optional<MonthSpan>& span)
{
  std::vector<Month*> wanted;
  std::size_t expected = 0;
  for (const auto& [name, entry] : m_months) {
    if (!span || in_span(name, *span)) {
      wanted.push_back(entry.get());
      expected += entry->records;
    }
  }
  CUSTODY_TRY(load_months(wanted));
  // A month a thread: reading, decrypting and decoding a year's files is
  // most of a quarter's count.
  std::vector<std::vector<FactsRow>> read(wanted.size());
  std::vector<std::optional<Error>> errors(wanted.size());
  on_every_core(wanted.size(), 8, [&](std::size_t i) {
    ListCache lists;
    read[i].reserve(wanted[i]->records);
    auto done = read_month(*wanted[i], read[i], lists);
    if (!done) {
      errors[i] = done.error();
    }
    if (!wanted[i]->dirty) {
      // Read whole and unchanged: its file has it, should it be needed
      // again. Freed now, while little else has been, it costs least to give
      // back.
      wanted[i]->unload();
    }
  });
  for (auto& error : errors) {
    if (error) {
      return tl::unexpected(std::move(*error));
    }
  }
  // Oldest first, as the catalogue lists them: the order the tables' ties
  // are broken in. Each month is in that order already; the months are
  // interleaved by sorting the rows' positions, and each row moved once.
  struct Place
  {
    std::uint64_t created_seq;
    std::uint32_t month;
    std::uint32_t row;
  };
  std::vector<Place> order;
  order.reserve(expected);
  for (std::size_t i = 0; i < read.size(); ++i) {
    for (std::size_t k = 0; k < read[i].size(); ++k) {
      order.push_back({read[i][k].created_seq,
                       static_cast<std::uint32_t>(i),
                       static_cast<std::uint32_t>(k)});
    }
  }
  std::sort(order.begin(), order.end(), [](const Place& a, const Place& b) {
    return std::tie(a.created_seq, a.month, a.row)
           < std::tie(b.created_seq, b.month, b.row);
  });
  std::vector<FactsRow> rows;
  rows.reserve(order.size());
  for (const auto& place : order) {
    rows.push_back(std::move(read[place.month][place.row]));
  }
  return rows;
}

std::uint64_t
StatisticsPart::count() const
{
  std::uint64_t total = 0;
  for (const auto& [name, month] : m_months) {
    total += month->records;
  }
  return total;
}

Result<std::string>
StatisticsPart::digest()
{
  Sha256 hasher;
  auto add = [&](std::string_view text) {
    hasher.update(as_bytes(text));
    hasher.update(as_bytes("\n"));
  };
  // Decoded, so that two parts that numbered their codes or files in another
  // order agree when their facts do.
  CUSTODY_ASSIGN(rows, facts(std::nullopt));
  auto join = [](const std::vector<std::string>& codes) {
    std::string out;
    for (const auto& code : codes) {
      out += code;
      out += ' ';
    }
    return out;
  };
  CUSTODY_ASSIGN(known, ids());
  Statement ids(known->db,
                "SELECT hex(id), hex(last_hash), updated_seq, created_seq "
                "FROM ids ORDER BY created_seq");
  for (const auto& row : rows) {
    if (ids.step() != SQLITE_ROW
        || static_cast<std::uint64_t>(ids.integer(3)) != row.created_seq) {
      return tl::unexpected(damaged_by(
        fmt::format("{} and the month files list other records", k_ids_file)));
    }
    add(ids.text(0));
    add(ids.text(1));
    add(ids.text(2));
    add(std::to_string(row.created_seq));
    for (const std::string* text : {&row.month.str(),
                                    &row.date_precision.str(),
                                    &row.district.str(),
                                    &row.population.str(),
                                    &row.setting.str(),
                                    &row.person_ref,
                                    &row.outcome.str()}) {
      add(*text);
    }
    for (const CodeList* list : {&row.violence_types,
                                 &row.perpetrators,
                                 &row.actions,
                                 &row.referrals,
                                 &row.consent}) {
      add(join(*list));
    }
    add(row.delay_hours ? std::to_string(*row.delay_hours) : "-");
  }
  if (ids.step() == SQLITE_ROW) {
    return tl::unexpected(
      damaged_by("its ids and month files list other records"));
  }
  Statement releases(m_head, "SELECT seq, release FROM releases ORDER BY seq");
  while (releases.step() == SQLITE_ROW) {
    add(releases.text(0));
    add(releases.text(1));
  }
  for (const auto& [tree_size, records] : m_since) {
    add(fmt::format("since {} {}", tree_size, records));
  }
  return to_hex(hasher.finish());
}

Result<void>
StatisticsPart::save(const ledger::Resume& position)
{
  const std::pair<std::uint64_t, std::string> at{position.count,
                                                 to_hex(position.last_hash)};
  for (auto& [name, month] : m_months) {
    if (month->db == nullptr || !month->dirty) {
      continue;
    }
    CUSTODY_TRY(commit_writing(month->db, month->writing));
    CUSTODY_TRY(m_files.save(
      month_file(month->number), month_claims(name, month->number), month->db));
    month->dirty = false;
    m_saved[name] = at;
  }
  if (m_ids && m_ids->dirty) {
    CUSTODY_TRY(commit_writing(m_ids->db, m_ids->writing));
    CUSTODY_TRY(m_files.save(
      std::string(k_ids_file), {{"part", "statistics-ids"}}, m_ids->db));
    m_ids->dirty = false;
    m_saved[std::string(k_ids_name)] = at;
  }
  CUSTODY_TRY(
    exec(m_head, "DELETE FROM parts; DELETE FROM since; DELETE FROM state"));
  auto manifest = [&](const std::string& name,
                      std::int64_t number,
                      std::uint64_t records) -> Result<void> {
    const auto saved = m_saved.find(name);
    if (saved == m_saved.end()) {
      return fail(Errc::internal, "index: month {} was never saved", name);
    }
    CUSTODY_ASSIGN(hash, from_hex(saved->second.second));
    Statement insert(m_head, "INSERT INTO parts VALUES (?,?,?,?,?)");
    insert.bind(1, name)
      .bind(2, number)
      .bind(3, static_cast<std::int64_t>(saved->second.first))
      .bind_blob(4, hash)
      .bind(5, static_cast<std::int64_t>(records));
    if (insert.step() != SQLITE_DONE) {
      return tl::unexpected(sqlite_error(m_head, "write manifest"));
    }
    return {};
  };
  for (const auto& [name, month] : m_months) {
    CUSTODY_TRY(manifest(name, month->number, month->records));
  }
  if (m_saved.contains(std::string(k_ids_name))) {
    CUSTODY_TRY(manifest(std::string(k_ids_name), 0, count()));
  }
  for (const auto& [tree_size, records] : m_since) {
    Statement insert(m_head, "INSERT INTO since VALUES (?,?)");
    insert.bind(1, static_cast<std::int64_t>(tree_size))
      .bind(2, static_cast<std::int64_t>(records));
    if (insert.step() != SQLITE_DONE) {
      return tl::unexpected(sqlite_error(m_head, "write counts"));
    }
  }
  Statement state(m_head, "INSERT INTO state VALUES ('last_record_seq', ?)");
  state.bind(1, m_last_record_seq);
  if (state.step() != SQLITE_DONE) {
    return tl::unexpected(sqlite_error(m_head, "write state"));
  }
  return {};
}

void
StatisticsPart::prune() const
{
  std::vector<std::string> keep{std::string(k_head_file)};
  if (m_saved.contains(std::string(k_ids_name))) {
    keep.emplace_back(k_ids_file);
  }
  for (const auto& [name, month] : m_months) {
    keep.push_back(month_file(month->number));
  }
  m_files.prune(keep);
}

} // namespace custody::index::detail
