// Index shards: in-memory SQLite, replayed from the ledger, saved encrypted and
// MAC'd.
#include <custody/crypto.hpp>
#include <custody/index.hpp>
#include <custody/store.hpp>

#include <fmt/core.h>
#include <fmt/std.h>
#include <sqlite3.h>

#include <algorithm>

namespace custody::index {

namespace {

constexpr std::string_view k_magic = "custody-index-v1\n";
constexpr std::string_view k_mac_info = "custody/v1/index-mac";
constexpr std::size_t k_shard_padding = 1024 * 1024;
constexpr std::uint64_t k_max_shard_file = 4ULL * 1024 * 1024 * 1024;

const char* const k_schema = R"sql(
CREATE TABLE entries(seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, time TEXT NOT NULL,
                     record TEXT NOT NULL, type TEXT NOT NULL);
CREATE INDEX entries_record ON entries(record, seq);
CREATE TABLE records(id TEXT PRIMARY KEY, created_seq INTEGER NOT NULL,
                     updated_seq INTEGER NOT NULL, entries INTEGER NOT NULL,
                     created_time TEXT NOT NULL, last_hash TEXT NOT NULL, view TEXT NOT NULL);
CREATE INDEX records_created ON records(created_seq);
CREATE TABLE facts(id TEXT PRIMARY KEY, month TEXT, district TEXT, population TEXT,
                   setting TEXT, violence_types TEXT, perpetrators TEXT);
CREATE INDEX facts_month ON facts(month);
CREATE TABLE facts_codes(id TEXT NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL);
CREATE INDEX facts_codes_code ON facts_codes(kind, code);
CREATE INDEX facts_codes_id ON facts_codes(id);
)sql";

Error
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
    : m_db(db)
  {
    m_ok = sqlite3_prepare_v2(db, sql, -1, &m_statement, nullptr) == SQLITE_OK;
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
    sqlite3_bind_text(m_statement,
                      index,
                      text.data(),
                      static_cast<int>(text.size()),
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

private:
  sqlite3* m_db;
  sqlite3_stmt* m_statement = nullptr;
  bool m_ok = false;
};

Result<void>
exec(sqlite3* db, const char* sql)
{
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return tl::unexpected(sqlite_error(db, "exec"));
  }
  return {};
}

// An in-memory database that never spills to a temp file (DESIGN section 8).
Result<sqlite3*>
open_memory()
{
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(":memory:",
                      &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                        | SQLITE_OPEN_MEMORY,
                      nullptr)
      != SQLITE_OK) {
    sqlite3_close(db);
    return make_error(Errc::internal,
                      "index: cannot open an in-memory database");
  }
  if (auto pragma =
        exec(db, "PRAGMA temp_store=MEMORY; PRAGMA journal_mode=OFF;");
      !pragma) {
    sqlite3_close(db);
    return tl::unexpected(pragma.error());
  }
  return db;
}

std::string
join_codes(const json::Json& list)
{
  std::string out;
  if (list.is_array()) {
    for (const auto& code : list) {
      if (code.is_string()) {
        out += out.empty() ? "" : " ";
        out += code.get<std::string>();
      }
    }
  }
  return out;
}

std::vector<std::string>
split_codes(const std::string& text)
{
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(' ', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string
shard_name(vault::Compartment compartment)
{
  return std::string(vault::compartment_name(compartment)) + ".age";
}

} // namespace

struct Shard::Impl
{
  vault::Vault* vault = nullptr;
  vault::Compartment compartment{};
  sqlite3* db = nullptr;
  std::uint64_t position = 0; // entries reflected: the next seq to replay
  Digest position_hash{};     // hash of entry position - 1
  bool stale = false; // the loaded position is not an entry of this ledger
  Stats stats;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl()
  {
    sqlite3_close(db);
  }

  Result<void>
  create_schema()
  {
    sqlite3_close(db);
    db = nullptr;
    CUSTODY_ASSIGN(fresh, open_memory());
    db = fresh;
    position = 0;
    position_hash = Digest{};
    return exec(db, k_schema);
  }

  // Applies one record payload document of entry `seq`.
  Result<void>
  apply(std::uint64_t seq,
        const Digest& hash,
        const std::string& time,
        const json::Json& document)
  {
    const std::string type = document.value("type", "");
    const std::string id = document.value("record", "");
    if ((type != "record" && type != "amend") || id.size() != 32) {
      return fail(Errc::corrupt, "entry {}: not a record payload", seq);
    }
    const json::Json& data =
      document.contains("data") ? document["data"] : json::Json::object();
    Statement existing(db, "SELECT last_hash, view FROM records WHERE id = ?");
    existing.bind(1, id);
    const bool found = existing.step() == SQLITE_ROW;
    json::Json view = json::Json::object();
    const std::string prev =
      document.contains("prev") && document["prev"].is_string()
        ? document["prev"].get<std::string>()
        : std::string();
    // Each record's entries form a chain of their own (DESIGN section 3).
    if (type == "record") {
      if (found) {
        return fail(
          Errc::corrupt, "entry {}: record {} created twice", seq, id);
      }
      view = data;
    } else {
      if (!found) {
        return fail(
          Errc::corrupt, "entry {}: amends unknown record {}", seq, id);
      }
      if (prev != existing.text(0)) {
        return fail(
          Errc::corrupt,
          "entry {}: amendment of {} does not follow the record's last entry",
          seq,
          id);
      }
      view = json::Json::parse(existing.text(1));
      view.merge_patch(data);
    }
    const std::string hash_hex = to_hex(hash);
    Statement entry(db,
                    "INSERT INTO entries(seq, hash, time, record, type) "
                    "VALUES (?,?,?,?,?)");
    entry.bind(1, static_cast<std::int64_t>(seq))
      .bind(2, hash_hex)
      .bind(3, time)
      .bind(4, id)
      .bind(5, type);
    if (entry.step() != SQLITE_DONE) {
      return tl::unexpected(sqlite_error(db, "insert entry"));
    }
    const std::string view_text = json::canonical(view);
    if (type == "record") {
      Statement insert(db,
                       "INSERT INTO records(id, created_seq, updated_seq, "
                       "entries, created_time, "
                       "last_hash, view) VALUES (?,?,?,1,?,?,?)");
      insert.bind(1, id)
        .bind(2, static_cast<std::int64_t>(seq))
        .bind(3, static_cast<std::int64_t>(seq))
        .bind(4, time)
        .bind(5, hash_hex)
        .bind(6, view_text);
      if (insert.step() != SQLITE_DONE) {
        return tl::unexpected(sqlite_error(db, "insert record"));
      }
    } else {
      Statement update(db,
                       "UPDATE records SET updated_seq = ?, entries = entries "
                       "+ 1, last_hash = ?, "
                       "view = ? WHERE id = ?");
      update.bind(1, static_cast<std::int64_t>(seq))
        .bind(2, hash_hex)
        .bind(3, view_text)
        .bind(4, id);
      if (update.step() != SQLITE_DONE) {
        return tl::unexpected(sqlite_error(db, "update record"));
      }
    }
    if (compartment == vault::Compartment::facts) {
      CUSTODY_TRY(index_facts(id, view));
    }
    return {};
  }

  Result<void>
  index_facts(const std::string& id, const json::Json& view)
  {
    const json::Json incident = view.value("incident", json::Json::object());
    const json::Json person = view.value("person", json::Json::object());
    Statement remove_codes(db, "DELETE FROM facts_codes WHERE id = ?");
    remove_codes.bind(1, id);
    remove_codes.step();
    Statement upsert(
      db,
      "INSERT OR REPLACE INTO facts(id, month, district, population, setting, "
      "violence_types, perpetrators) VALUES (?,?,?,?,?,?,?)");
    upsert.bind(1, id)
      .bind(2, incident.value("month", ""))
      .bind(3, incident.value("district", ""))
      .bind(4, person.value("population", ""))
      .bind(5, incident.value("setting", ""))
      .bind(6,
            join_codes(incident.value("violence_types", json::Json::array())))
      .bind(7, join_codes(incident.value("perpetrators", json::Json::array())));
    if (upsert.step() != SQLITE_DONE) {
      return tl::unexpected(sqlite_error(db, "index facts"));
    }
    Statement code(db,
                   "INSERT INTO facts_codes(id, kind, code) VALUES (?,?,?)");
    for (const auto& [kind, key] : {std::pair{"violence", "violence_types"},
                                    std::pair{"perpetrator", "perpetrators"}}) {
      for (const auto& value : incident.value(key, json::Json::array())) {
        if (value.is_string()) {
          code.reset();
          code.bind(1, id).bind(2, kind).bind(3, value.get<std::string>());
          if (code.step() != SQLITE_DONE) {
            return tl::unexpected(sqlite_error(db, "index codes"));
          }
        }
      }
    }
    return {};
  }

  // Replays every entry from `position` on; returns how many entries were new.
  Result<std::uint64_t>
  replay()
  {
    // A shard saved at the ledger's tip needs no scan: the vault checked that
    // tip when it opened.
    if (position > 0 && position == vault->entry_count()
        && position_hash == vault->last_hash()) {
      return 0;
    }
    const std::size_t part = records::part_index(compartment);
    std::uint64_t replayed = 0;
    bool position_ok = position == 0;
    const std::uint64_t start = position;
    CUSTODY_TRY(exec(db, "BEGIN"));
    auto scanned = vault->scan([&](const ledger::Entry& entry,
                                   const Digest& hash) -> Result<void> {
      if (entry.seq + 1 == start) {
        position_ok = hash == position_hash;
      }
      if (entry.seq < start) {
        return {};
      }
      if (!position_ok) {
        stale = true;
        return make_error(Errc::corrupt,
                          "the index position is not an entry of this ledger");
      }
      position = entry.seq + 1;
      position_hash = hash;
      ++replayed;
      if (entry.kind != ledger::Kind::put
          || entry.payloads.size() != records::k_part_count) {
        return {};
      }
      const auto& ref = entry.payloads[part];
      CUSTODY_ASSIGN(key, vault->key(compartment, ref.epoch));
      CUSTODY_ASSIGN_CTX(opened,
                         store::open_document(vault->directory(), ref, *key),
                         fmt::format("entry {}", entry.seq));
      return apply(entry.seq, hash, entry.time, opened.document);
    });
    if (scanned
        && !position_ok) { // the loaded position lies beyond the ledger's end
      stale = true;
      scanned =
        make_error(Errc::corrupt, "the index position is beyond the ledger");
    }
    if (!scanned) {
      auto rolled_back = exec(db, "ROLLBACK");
      (void)rolled_back;
      return tl::unexpected(scanned.error());
    }
    CUSTODY_TRY(exec(db, "COMMIT"));
    return replayed;
  }

  SecretBytes
  mac_key(const age::X25519Identity& key) const
  {
    return hkdf_sha256(key.secret_key(), {}, k_mac_info, 32);
  }

  json::Json
  header(std::uint64_t db_size, const Digest& db_hash) const
  {
    return {{"compartment", std::string(vault::compartment_name(compartment))},
            {"vault", vault->state().vault_id},
            {"position", position},
            {"hash", to_hex(position_hash)},
            {"db_size", db_size},
            {"db_sha256", to_hex(db_hash)}};
  }

  fs::Path
  path() const
  {
    return vault->directory() / "index" / shard_name(compartment);
  }

  // Loads the saved shard if it is valid; a note says why one was not.
  Result<bool>
  load(vault::Notes& notes)
  {
    auto file = fs::read_file(path(), k_max_shard_file);
    if (!file) {
      if (file.error().code == Errc::not_found) {
        return false;
      }
      return tl::unexpected(file.error());
    }
    const std::uint32_t epoch = vault->current_epoch(compartment);
    CUSTODY_ASSIGN(key, vault->key(compartment, epoch));
    auto reject = [&](std::string_view why) -> Result<bool> {
      notes.push_back(fmt::format("index shard {} {}; rebuilt from the ledger",
                                  shard_name(compartment),
                                  why));
      stats.rebuilt = true;
      return false;
    };
    auto plain =
      age::decrypt(*file, std::span<const age::X25519Identity>(key, 1));
    if (!plain) {
      return reject("does not open with the current key");
    }
    const std::string_view text = plain->text();
    const auto header_end = text.find('\n', k_magic.size());
    if (!text.starts_with(k_magic) || header_end == std::string_view::npos) {
      return reject("is malformed");
    }
    auto header = json::parse_canonical(
      text.substr(k_magic.size(), header_end - k_magic.size()));
    if (!header || !header->is_object() || !header->contains("mac")) {
      return reject("is malformed");
    }
    json::Json unsigned_header = *header;
    unsigned_header.erase("mac");
    const SecretBytes mac_secret = mac_key(**&key);
    const Digest mac = hmac_sha256(mac_secret.view(),
                                   as_bytes(json::canonical(unsigned_header)));
    auto stored_mac = from_hex((*header)["mac"].get<std::string>());
    if (!stored_mac || !equal_constant_time(*stored_mac, mac)) {
      return reject("failed its MAC (forged or damaged)");
    }
    const std::uint64_t db_size =
      unsigned_header.value("db_size", std::uint64_t{0});
    const ByteView rest = as_bytes(text.substr(header_end + 1));
    if (db_size > rest.size()
        || unsigned_header.value("vault", "") != vault->state().vault_id
        || unsigned_header.value("compartment", "")
             != vault::compartment_name(compartment)) {
      return reject("belongs elsewhere");
    }
    const ByteView db_bytes = rest.subspan(0, db_size);
    if (to_hex(sha256(db_bytes)) != unsigned_header.value("db_sha256", "")) {
      return reject("does not match its digest");
    }
    auto hash = digest_from_hex(unsigned_header.value("hash", ""));
    if (!hash) {
      return reject("is malformed");
    }
    // sqlite3_deserialize takes ownership of memory from sqlite3_malloc64.
    auto* buffer = static_cast<unsigned char*>(sqlite3_malloc64(db_size));
    if (buffer == nullptr && db_size > 0) {
      throw std::bad_alloc();
    }
    std::copy(db_bytes.begin(), db_bytes.end(), buffer);
    sqlite3_close(db);
    db = nullptr;
    CUSTODY_ASSIGN(fresh, open_memory());
    db = fresh;
    if (sqlite3_deserialize(db,
                            "main",
                            buffer,
                            static_cast<sqlite3_int64>(db_size),
                            static_cast<sqlite3_int64>(db_size),
                            SQLITE_DESERIALIZE_FREEONCLOSE
                              | SQLITE_DESERIALIZE_RESIZEABLE)
        != SQLITE_OK) {
      CUSTODY_TRY(create_schema());
      return reject("is not a database");
    }
    position = unsigned_header.value("position", std::uint64_t{0});
    position_hash = *hash;
    stats.loaded = true;
    return true;
  }

  Result<void>
  save()
  {
    sqlite3_int64 size = 0;
    unsigned char* data = sqlite3_serialize(db, "main", &size, 0);
    if (data == nullptr) {
      return tl::unexpected(sqlite_error(db, "serialize"));
    }
    const ByteView db_bytes(data, static_cast<std::size_t>(size));
    const std::uint32_t epoch = vault->current_epoch(compartment);
    auto key = vault->key(compartment, epoch);
    if (!key) {
      sqlite3_free(data);
      return tl::unexpected(key.error());
    }
    json::Json head = header(db_bytes.size(), sha256(db_bytes));
    const SecretBytes mac_secret = mac_key(**key);
    head["mac"] =
      to_hex(hmac_sha256(mac_secret.view(), as_bytes(json::canonical(head))));
    std::string plain(k_magic);
    plain += json::canonical(head);
    plain += '\n';
    plain.append(reinterpret_cast<const char*>(db_bytes.data()),
                 db_bytes.size());
    sqlite3_free(data);
    // Padded to a whole MiB: a power of two would double a large shard, and a
    // shard's size tells no more than the entry count the ledger shows anyway.
    Bytes padded(as_bytes(plain).begin(), as_bytes(plain).end());
    padded.resize((plain.size() / k_shard_padding + 1) * k_shard_padding, 0);
    CUSTODY_ASSIGN(recipient, vault->recipient(compartment));
    CUSTODY_ASSIGN(
      file,
      age::encrypt(padded,
                   std::span<const age::X25519Recipient>(&recipient, 1),
                   age::Armor::no));
    CUSTODY_TRY(fs::make_directories(vault->directory() / "index"));
    CUSTODY_TRY(fs::write_file_atomic(path(), file));
    stats.saved = true;
    return {};
  }
};

Shard::Shard(std::unique_ptr<Impl> impl)
  : m_impl(std::move(impl))
{
}
Shard::Shard(Shard&&) noexcept = default;
Shard& Shard::operator=(Shard&&) noexcept = default;
Shard::~Shard() = default;

Result<Shard>
Shard::open(vault::Vault& vault,
            vault::Compartment compartment,
            vault::Notes& notes)
{
  auto impl = std::make_unique<Impl>();
  impl->vault = &vault;
  impl->compartment = compartment;
  // The member must hold this compartment's current key to read or save the
  // shard.
  CUSTODY_TRY(vault.key(compartment, vault.current_epoch(compartment)));
  CUSTODY_TRY(impl->create_schema());
  CUSTODY_ASSIGN(loaded, impl->load(notes));
  auto replayed = impl->replay();
  if (!replayed && loaded && impl->stale) {
    notes.push_back(
      fmt::format("index shard {} does not match this ledger; rebuilt",
                  shard_name(compartment)));
    impl->stats.rebuilt = true;
    impl->stats.loaded = false;
    impl->stale = false;
    CUSTODY_TRY(impl->create_schema());
    replayed = impl->replay();
  }
  if (!replayed) {
    return tl::unexpected(replayed.error());
  }
  impl->stats.replayed = *replayed;
  if (*replayed > 0 || !loaded) {
    // The index is derived: failing to save it loses nothing, so say so and go
    // on.
    if (auto saved = impl->save(); !saved) {
      notes.push_back(fmt::format("could not save index shard {}: {}",
                                  shard_name(compartment),
                                  saved.error().message));
    }
  }
  return Shard(std::move(impl));
}

Result<Shard>
Shard::rebuild(vault::Vault& vault, vault::Compartment compartment)
{
  auto impl = std::make_unique<Impl>();
  impl->vault = &vault;
  impl->compartment = compartment;
  CUSTODY_TRY(impl->create_schema());
  CUSTODY_ASSIGN(replayed, impl->replay());
  impl->stats.replayed = replayed;
  return Shard(std::move(impl));
}

vault::Compartment
Shard::compartment() const
{
  return m_impl->compartment;
}

const Stats&
Shard::stats() const
{
  return m_impl->stats;
}

Result<RecordRow>
Shard::find(std::string_view prefix) const
{
  if (prefix.size() < 8 || prefix.size() > 32
      || prefix.find_first_not_of("0123456789abcdef")
           != std::string_view::npos) {
    return make_error(
      Errc::invalid_input,
      "a record id is 8 to 32 lowercase hex digits",
      "use the id `custody record` printed, or its first 8 or more digits");
  }
  Statement query(m_impl->db,
                  "SELECT id, created_seq, updated_seq, entries, created_time, "
                  "view FROM records "
                  "WHERE id >= ? AND id <= ? ORDER BY id LIMIT 2");
  const std::string low(prefix);
  const std::string high = low + std::string(32 - prefix.size(), 'f');
  query.bind(1, low).bind(2, high);
  std::vector<RecordRow> rows;
  while (query.step() == SQLITE_ROW) {
    rows.push_back(RecordRow{query.text(0),
                             static_cast<std::uint64_t>(query.integer(1)),
                             static_cast<std::uint64_t>(query.integer(2)),
                             static_cast<std::uint64_t>(query.integer(3)),
                             query.text(4),
                             json::Json::parse(query.text(5))});
  }
  if (rows.empty()) {
    return fail(Errc::not_found, "no record {}", prefix);
  }
  if (rows.size() > 1) {
    return make_error(Errc::invalid_input,
                      fmt::format("record id {} is ambiguous", prefix),
                      "give more digits of the id");
  }
  return std::move(rows.front());
}

Result<std::vector<EntryRow>>
Shard::history(const std::string& id) const
{
  Statement query(m_impl->db,
                  "SELECT seq, hash, time, type FROM entries WHERE "
                  "record = ? ORDER BY seq");
  query.bind(1, id);
  std::vector<EntryRow> rows;
  while (query.step() == SQLITE_ROW) {
    rows.push_back(EntryRow{static_cast<std::uint64_t>(query.integer(0)),
                            query.text(1),
                            query.text(2),
                            query.text(3)});
  }
  return rows;
}

Result<std::vector<ListRow>>
Shard::list(const Filter& filter) const
{
  if (m_impl->compartment != vault::Compartment::facts) {
    return make_error(Errc::internal, "only the facts shard can list records");
  }
  std::string sql = "SELECT r.id, r.created_seq, r.updated_seq, r.entries, "
                    "r.created_time, f.month, f.district, "
                    "f.population, f.setting, f.violence_types, f.perpetrators "
                    "FROM records r JOIN facts f ON "
                    "f.id = r.id WHERE 1";
  std::vector<std::string> values;
  auto code_filter = [&](const std::string& kind, const std::string& code) {
    if (code.empty()) {
      return;
    }
    // An uncorrelated IN runs the code lookup once, on its index; a correlated
    // EXISTS would run it once per record.
    if (code.back() == '.') {
      sql += " AND r.id IN (SELECT id FROM facts_codes WHERE kind = ? AND "
             "code >= ? AND code < ?)";
      values.insert(values.end(),
                    {kind, code, code.substr(0, code.size() - 1) + "/"});
    } else {
      sql += " AND r.id IN (SELECT id FROM facts_codes WHERE kind = ? AND "
             "code = ?)";
      values.insert(values.end(), {kind, code});
    }
  };
  if (!filter.from_month.empty()) {
    sql += " AND f.month >= ?";
    values.push_back(filter.from_month);
  }
  if (!filter.to_month.empty()) {
    // "2025-03" covers every month string that starts with it.
    sql += " AND f.month <= ?";
    values.push_back(filter.to_month + "~");
  }
  if (!filter.district.empty()) {
    sql += " AND f.district = ?";
    values.push_back(filter.district);
  }
  if (!filter.population.empty()) {
    sql += " AND f.population = ?";
    values.push_back(filter.population);
  }
  code_filter("violence", filter.violence_type);
  code_filter("perpetrator", filter.perpetrator);
  sql += " ORDER BY r.created_seq";
  Statement query(m_impl->db, sql.c_str());
  if (!query.ok()) {
    return tl::unexpected(sqlite_error(m_impl->db, "list"));
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    query.bind(static_cast<int>(i + 1), values[i]);
  }
  std::vector<ListRow> rows;
  while (query.step() == SQLITE_ROW) {
    rows.push_back(ListRow{query.text(0),
                           static_cast<std::uint64_t>(query.integer(1)),
                           static_cast<std::uint64_t>(query.integer(2)),
                           static_cast<std::uint64_t>(query.integer(3)),
                           query.text(4),
                           query.text(5),
                           query.text(6),
                           query.text(7),
                           query.text(8),
                           split_codes(query.text(9)),
                           split_codes(query.text(10))});
  }
  return rows;
}

std::uint64_t
Shard::record_count() const
{
  Statement query(m_impl->db, "SELECT count(*) FROM records");
  return query.step() == SQLITE_ROW
           ? static_cast<std::uint64_t>(query.integer(0))
           : 0;
}

Result<std::string>
Shard::digest() const
{
  Sha256 hasher;
  Statement records(m_impl->db,
                    "SELECT id, created_seq, updated_seq, entries, last_hash, "
                    "view FROM records "
                    "ORDER BY id");
  while (records.step() == SQLITE_ROW) {
    for (int column = 0; column < 6; ++column) {
      hasher.update(as_bytes(records.text(column)));
      hasher.update(as_bytes("\n"));
    }
  }
  Statement entries(m_impl->db,
                    "SELECT seq, hash, record, type FROM entries ORDER BY seq");
  while (entries.step() == SQLITE_ROW) {
    for (int column = 0; column < 4; ++column) {
      hasher.update(as_bytes(entries.text(column)));
      hasher.update(as_bytes("\n"));
    }
  }
  return to_hex(hasher.finish());
}

} // namespace custody::index
