// The facts shard's statistics part (docs/formats.md 10.1.1): each record's
// coded facts as numbers, kept apart from the catalogue so that counting reads
// a few bytes a record.
#include <custody/crypto/crypto.hpp>
#include <custody/records/index_internal.hpp>

#include <algorithm>
#include <array>
#include <cstring>

namespace custody::index::detail {

const char* const StatisticsTables::k_schema = R"sql(
CREATE TABLE codes(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);
CREATE TABLE facts(created_seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE,
                   last_hash BLOB NOT NULL, updated_seq INTEGER NOT NULL,
                   month INTEGER, date_precision INTEGER, district INTEGER,
                   population INTEGER, setting INTEGER, violence_types BLOB,
                   perpetrators BLOB, person_ref TEXT, delay_hours INTEGER,
                   actions BLOB, referrals BLOB, outcome INTEGER, consent BLOB);
CREATE TABLE releases(seq INTEGER PRIMARY KEY, release TEXT NOT NULL);
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
constexpr int k_first_field_column = 4; // month, in SELECT * order

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

Statement&
StatisticsTables::prepared(std::optional<Statement>& slot, const char* sql)
{
  if (slot) {
    slot->reset();
  } else {
    slot.emplace(m_db, sql);
  }
  return *slot;
}

Result<void>
StatisticsTables::load_codes()
{
  m_codes.clear();
  m_names.clear();
  Statement query(m_db, "SELECT id, code FROM codes ORDER BY id");
  if (!query.ok()) {
    return tl::unexpected(sqlite_error(m_db, "read codes"));
  }
  while (query.step() == SQLITE_ROW) {
    // Numbered from 1 without gaps: the number is the name's position.
    if (query.integer(0) != static_cast<std::int64_t>(m_names.size()) + 1) {
      return fail(Errc::corrupt, "index: the statistics part's codes skip");
    }
    m_names.push_back(query.text(1));
    m_codes.emplace(m_names.back(), query.integer(0));
  }
  return {};
}

std::int64_t
StatisticsTables::code_of(const std::string& code)
{
  const auto found = m_codes.find(code);
  if (found != m_codes.end()) {
    return found->second;
  }
  const auto number = static_cast<std::int64_t>(m_names.size()) + 1;
  Statement insert(m_db, "INSERT INTO codes(id, code) VALUES (?,?)");
  insert.bind(1, number).bind(2, code);
  if (insert.step() != SQLITE_DONE) {
    // Only a full memory can refuse an insert here; the caller's next
    // statement fails with it.
    return 0;
  }
  m_names.push_back(code);
  m_codes.emplace(code, number);
  return number;
}

std::string
StatisticsTables::blob_of(const json::Json& list)
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
StatisticsTables::store(std::int64_t created_seq,
                        const std::string& id,
                        const Digest& hash,
                        std::uint64_t seq,
                        const json::Json& view,
                        bool replace)
{
  CUSTODY_ASSIGN(id_bytes, from_hex(id));
  Statement& put = replace ? prepared(m_replace,
                                      "REPLACE INTO facts VALUES "
                                      "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
                           : prepared(m_insert,
                                      "INSERT INTO facts VALUES "
                                      "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  put.bind(1, created_seq)
    .bind_blob(2, id_bytes)
    .bind_blob(3, hash)
    .bind(4, static_cast<std::int64_t>(seq));
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
    return tl::unexpected(sqlite_error(m_db, "store facts"));
  }
  return {};
}

Result<void>
StatisticsTables::apply(std::uint64_t seq,
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
  Statement& existing = prepared(m_find, "SELECT * FROM facts WHERE id = ?");
  existing.bind_blob(1, id_bytes);
  const bool found = existing.step() == SQLITE_ROW;
  if (type == "record") {
    existing.reset();
    if (found) {
      return fail(Errc::corrupt, "entry {}: record {} created twice", seq, id);
    }
    return store(static_cast<std::int64_t>(seq), id, hash, seq, data, false);
  }
  if (!found) {
    return fail(Errc::corrupt, "entry {}: amends unknown record {}", seq, id);
  }
  const std::string prev =
    document.contains("prev") && document["prev"].is_string()
      ? document["prev"].get<std::string>()
      : std::string();
  if (prev != to_hex(existing.blob(2))) {
    return fail(
      Errc::corrupt,
      "entry {}: amendment of {} does not follow the record's last entry",
      seq,
      id);
  }
  // The projection rebuilt as JSON: a merge patch replaces members one by
  // one, so patching it gives the projection of the patched view.
  json::Json view = json::Json::object();
  for (std::size_t i = 0; i < k_fields.size(); ++i) {
    const int column = k_first_field_column + static_cast<int>(i);
    if (existing.null(column)) {
      continue;
    }
    json::Json& slot = view[k_fields[i].object][k_fields[i].member];
    if (i == k_delay_field) {
      slot = existing.integer(column);
    } else if (i == k_person_field) {
      slot = existing.text(column);
    } else if (k_fields[i].list) {
      slot = json::Json::array();
      const ByteView blob = existing.blob(column);
      for (std::size_t at = 0; at + 4 <= blob.size(); at += 4) {
        const std::uint32_t number = read_le32(blob.data() + at);
        if (number == 0 || number > m_names.size()) {
          return fail(Errc::corrupt, "index: a statistics row names no code");
        }
        slot.push_back(m_names[number - 1]);
      }
    } else {
      const auto number = existing.integer(column);
      if (number <= 0 || static_cast<std::size_t>(number) > m_names.size()) {
        return fail(Errc::corrupt, "index: a statistics row names no code");
      }
      slot = m_names[static_cast<std::size_t>(number) - 1];
    }
  }
  const std::int64_t created_seq = existing.integer(0);
  existing.reset();
  view.merge_patch(data);
  return store(created_seq, id, hash, seq, view, true);
}

Result<std::vector<FactsRow>>
StatisticsTables::facts(const std::optional<MonthSpan>& span) const
{
  Statement query(m_db,
                  "SELECT created_seq, month, date_precision, district, "
                  "population, setting, violence_types, perpetrators, "
                  "person_ref, delay_hours, actions, referrals, outcome, "
                  "consent FROM facts ORDER BY created_seq");
  if (!query.ok()) {
    return tl::unexpected(sqlite_error(m_db, "facts"));
  }
  // Which month codes fall in the span, decided once a code.
  std::vector<bool> wanted(m_names.size() + 1, !span);
  if (span) {
    for (std::size_t i = 0; i < m_names.size(); ++i) {
      wanted[i + 1] = in_span(m_names[i], *span);
    }
  }
  bool bad = false;
  auto name = [&](int column) -> std::string {
    const auto number = query.integer(column);
    if (query.null(column)) {
      return {};
    }
    if (number <= 0 || static_cast<std::size_t>(number) > m_names.size()) {
      bad = true;
      return {};
    }
    return m_names[static_cast<std::size_t>(number) - 1];
  };
  auto names = [&](int column) {
    std::vector<std::string> out;
    const ByteView blob = query.blob(column);
    out.reserve(blob.size() / 4);
    for (std::size_t at = 0; at + 4 <= blob.size(); at += 4) {
      const std::uint32_t number = read_le32(blob.data() + at);
      if (number == 0 || number > m_names.size()) {
        bad = true;
        return out;
      }
      out.push_back(m_names[number - 1]);
    }
    return out;
  };
  std::vector<FactsRow> rows;
  while (query.step() == SQLITE_ROW) {
    const auto month = query.integer(1);
    if (month < 0 || static_cast<std::size_t>(month) >= wanted.size()) {
      bad = true;
      break;
    }
    if (!wanted[static_cast<std::size_t>(month)]) {
      continue;
    }
    FactsRow row;
    row.created_seq = static_cast<std::uint64_t>(query.integer(0));
    row.month = name(1);
    row.date_precision = name(2);
    row.district = name(3);
    row.population = name(4);
    row.setting = name(5);
    row.violence_types = names(6);
    row.perpetrators = names(7);
    row.person_ref = query.text(8);
    if (!query.null(9)) {
      row.delay_hours = query.integer(9);
    }
    row.actions = names(10);
    row.referrals = names(11);
    row.outcome = name(12);
    row.consent = names(13);
    rows.push_back(std::move(row));
  }
  if (bad) {
    return fail(Errc::corrupt, "index: a statistics row names no code");
  }
  return rows;
}

std::uint64_t
StatisticsTables::changed_since(std::uint64_t seq) const
{
  Statement query(m_db, "SELECT count(*) FROM facts WHERE updated_seq >= ?");
  query.bind(1, static_cast<std::int64_t>(seq));
  return query.step() == SQLITE_ROW
           ? static_cast<std::uint64_t>(query.integer(0))
           : 0;
}

std::uint64_t
StatisticsTables::count() const
{
  Statement query(m_db, "SELECT count(*) FROM facts");
  return query.step() == SQLITE_ROW
           ? static_cast<std::uint64_t>(query.integer(0))
           : 0;
}

Result<std::string>
StatisticsTables::digest() const
{
  Sha256 hasher;
  auto add = [&](std::string_view text) {
    hasher.update(as_bytes(text));
    hasher.update(as_bytes("\n"));
  };
  // Decoded, so that two parts that numbered their codes in another order
  // agree when their facts do.
  CUSTODY_ASSIGN(rows, facts(std::nullopt));
  auto join = [](const std::vector<std::string>& codes) {
    std::string out;
    for (const auto& code : codes) {
      out += code;
      out += ' ';
    }
    return out;
  };
  Statement ids(m_db,
                "SELECT hex(id), hex(last_hash), updated_seq FROM facts "
                "ORDER BY created_seq");
  for (const auto& row : rows) {
    if (ids.step() != SQLITE_ROW) {
      return fail(Errc::internal, "index: the statistics part changed");
    }
    add(ids.text(0));
    add(ids.text(1));
    add(ids.text(2));
    add(std::to_string(row.created_seq));
    for (const auto* text : {&row.month,
                             &row.date_precision,
                             &row.district,
                             &row.population,
                             &row.setting,
                             &row.person_ref,
                             &row.outcome}) {
      add(*text);
    }
    for (const auto* list : {&row.violence_types,
                             &row.perpetrators,
                             &row.actions,
                             &row.referrals,
                             &row.consent}) {
      add(join(*list));
    }
    add(row.delay_hours ? std::to_string(*row.delay_hours) : "-");
  }
  Statement releases(m_db, "SELECT seq, release FROM releases ORDER BY seq");
  while (releases.step() == SQLITE_ROW) {
    add(releases.text(0));
    add(releases.text(1));
  }
  return to_hex(hasher.finish());
}

} // namespace custody::index::detail
