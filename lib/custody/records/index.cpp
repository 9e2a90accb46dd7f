// Index shards: in-memory SQLite, replayed from the ledger, saved encrypted and
// MAC'd.
#include <custody/base/parallel.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/cache_file.hpp>
#include <custody/ledger/store.hpp>
#include <custody/records/index.hpp>
#include <custody/records/index_internal.hpp>
#include <custody/records/receipt.hpp>

#include <fmt/core.h>
#include <fmt/std.h>
#include <sqlite3.h>

#include <algorithm>
#include <deque>
#include <memory>

namespace custody::index {

using detail::exec;
using detail::open_memory;
using detail::sqlite_error;
using detail::Statement;
using detail::StatisticsPart;

namespace {

// Padded to a whole MiB: a power of two would double a large shard, and a
// shard's size tells no more than the entry count the ledger shows anyway.
constexpr cache_file::Kind k_shard_file{
  "custody-index-v7\n", "custody/v1/member-index-mac", 1024 * 1024};
constexpr std::uint64_t k_max_shard_file = 4ULL * 1024 * 1024 * 1024;

// Two databases per shard, saved as two files (docs/formats.md 10.1): the
// catalogue, which `list` needs and which stays small, and the detail (views
// and entries), which only `show`, amendments and `verify --index` load. A
// record's key is the seq of the entry that created it.
const char* const k_catalogue_schema = R"sql(
CREATE TABLE records(created_seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                     updated_seq INTEGER NOT NULL, entries INTEGER NOT NULL,
                     created_time TEXT NOT NULL);
CREATE TABLE facts(created_seq INTEGER PRIMARY KEY, month TEXT, district TEXT,
                   population TEXT, setting TEXT, violence_types TEXT, perpetrators TEXT,
                   person_ref TEXT, date_precision TEXT, delay_hours INTEGER,
                   actions TEXT, referrals TEXT, outcome TEXT, consent TEXT);
CREATE TABLE releases(seq INTEGER PRIMARY KEY, release TEXT NOT NULL);
)sql";
const char* const k_detail_schema = R"sql(
CREATE TABLE detail.views(created_seq INTEGER PRIMARY KEY, last_hash TEXT NOT NULL,
                          view TEXT NOT NULL);
CREATE TABLE detail.entries(seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, time TEXT NOT NULL,
                            created_seq INTEGER NOT NULL, type TEXT NOT NULL,
                            member TEXT NOT NULL, reason TEXT NOT NULL, undo TEXT);
CREATE INDEX detail.entries_record ON entries(created_seq, seq);
CREATE TABLE detail.attachments(seq INTEGER PRIMARY KEY, record TEXT NOT NULL,
                                object TEXT NOT NULL, epoch INTEGER NOT NULL,
                                attachment TEXT NOT NULL);
CREATE INDEX detail.attachments_record ON attachments(record, seq);
CREATE TABLE detail.redactions(seq INTEGER PRIMARY KEY, record TEXT NOT NULL,
                               document TEXT NOT NULL);
CREATE INDEX detail.redactions_record ON redactions(record, seq);
)sql";

enum class Part { catalogue, detail, statistics };

std::string_view
part_schema_name(Part part)
{
  return part == Part::detail ? "detail" : "main";
}

std::string_view
part_name(Part part)
{
  switch (part) {
  case Part::catalogue:
    return "catalogue";
  case Part::detail:
    return "detail";
  case Part::statistics:
    return "statistics";
  }
  return "catalogue";
}

} // namespace

Result<sqlite3*>
detail::open_memory()
{
  sqlite3* db = nullptr;
  // A connection is only ever used by one thread at a time (a month of the
  // statistics part is read on a thread of its own): without SQLite's
  // per-connection mutex, which every sqlite3_column_* call takes and which
  // was a tenth of counting a quarter.
  if (sqlite3_open_v2(":memory:",
                      &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                        | SQLITE_OPEN_MEMORY | SQLITE_OPEN_NOMUTEX,
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

namespace {

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
shard_name(vault::Compartment compartment, Part part = Part::catalogue)
{
  const std::string_view suffix = part == Part::catalogue ? ".age"
                                  : part == Part::detail  ? ".detail.age"
                                                          : ".stats.age";
  return std::string(vault::compartment_name(compartment))
         + std::string(suffix);
}

} // namespace

struct Shard::Impl
{
  vault::Vault* vault = nullptr;
  vault::Compartment compartment{};
  sqlite3* db = nullptr;
  // The statistics part alone (Need::statistics): `db` holds its head, and
  // `tables` the rest, applying records to them.
  bool statistics = false;
  std::optional<StatisticsPart> tables;
  // Notes of a rebuild that a damaged statistics file, found after open(),
  // caused: given with save()'s.
  vault::Notes later_notes;
  // The entries both parts reflect: the first position.count, the last of
  // which hashes to position.last_hash and starts at position.last.
  ledger::Resume position;
  bool detail_ready = false; // the detail part is loaded or rebuilt
  bool stale = false;   // the loaded position is not an entry of this ledger
  bool changed = false; // brought forward or rebuilt since it was loaded
  Stats stats;
  // Amendments waiting for the seal that says who wrote them (invariant 19).
  struct PendingAmend
  {
    std::uint64_t seq = 0;
    Digest hash{};
    std::string time;
    json::Json document;
  };
  std::vector<PendingAmend> pending;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl()
  {
    tables.reset();
    sqlite3_close(db);
  }

  Result<void>
  create_schema()
  {
    tables.reset();
    sqlite3_close(db);
    db = nullptr;
    CUSTODY_ASSIGN(fresh, open_memory());
    db = fresh;
    position = ledger::Resume{};
    detail_ready = false;
    if (statistics) {
      CUSTODY_TRY(exec(db, StatisticsPart::k_head_schema));
      tables.emplace(db, statistics_files());
      return {};
    }
    CUSTODY_TRY(exec(db, k_catalogue_schema));
    CUSTODY_TRY(exec(db, "ATTACH DATABASE ':memory:' AS detail"));
    return exec(db, k_detail_schema);
  }

  // Applies one record payload document of entry `seq`; an amendment's
  // `member` is the one whose seal covers it.
  Result<void>
  apply(std::uint64_t seq,
        const Digest& hash,
        const std::string& time,
        const json::Json& document,
        std::string_view member = {})
  {
    if (statistics) {
      return tables->apply(seq, hash, document);
    }
    const std::string type = document.value("type", "");
    const std::string id = document.value("record", "");
    if ((type != "record" && type != "amend") || id.size() != 32) {
      return fail(Errc::corrupt, "entry {}: not a record payload", seq);
    }
    const json::Json& data =
      document.contains("data") ? document["data"] : json::Json::object();
    Statement existing(db,
                       "SELECT r.created_seq, v.last_hash, v.view FROM "
                       "records r JOIN views v USING (created_seq) WHERE "
                       "r.id = ?");
    existing.bind(1, id);
    const bool found = existing.step() == SQLITE_ROW;
    json::Json view = json::Json::object();
    const std::string prev =
      document.contains("prev") && document["prev"].is_string()
        ? document["prev"].get<std::string>()
        : std::string();
    auto created_seq = static_cast<std::int64_t>(seq);
    // What turns this entry's view back into the one before it: the history
    // of a record is its latest view and these, so no view is kept twice.
    std::optional<json::Json> undo;
    // Each record's entries form a chain of their own (docs/design.md section
    // 3).
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
      if (prev != existing.text(1)) {
        return fail(
          Errc::corrupt,
          "entry {}: amendment of {} does not follow the record's last entry",
          seq,
          id);
      }
      created_seq = existing.integer(0);
      view = json::Json::parse(existing.text(2));
      const json::Json before = view;
      view.merge_patch(data);
      undo = records::make_merge_patch(view, before);
    }
    const auto reason = document.find("reason");
    const std::string hash_hex = to_hex(hash);
    Statement entry(db,
                    "INSERT INTO entries(seq, hash, time, created_seq, type, "
                    "member, reason, undo) VALUES (?,?,?,?,?,?,?,?)");
    entry.bind(1, static_cast<std::int64_t>(seq))
      .bind(2, hash_hex)
      .bind(3, time)
      .bind(4, created_seq)
      .bind(5, type)
      .bind(6, member)
      .bind(7,
            type == "amend" && reason != document.end() && reason->is_string()
              ? reason->get<std::string>()
              : std::string());
    if (undo) {
      entry.bind(8, json::canonical(*undo));
    }
    if (entry.step() != SQLITE_DONE) {
      return tl::unexpected(sqlite_error(db, "insert entry"));
    }
    Statement put_view(db,
                       "INSERT OR REPLACE INTO views(created_seq, last_hash, "
                       "view) VALUES (?,?,?)");
    put_view.bind(1, created_seq)
      .bind(2, hash_hex)
      .bind(3, json::canonical(view));
    if (put_view.step() != SQLITE_DONE) {
      return tl::unexpected(sqlite_error(db, "store view"));
    }
    if (type == "record") {
      Statement insert(db,
                       "INSERT INTO records(created_seq, id, updated_seq, "
                       "entries, created_time) VALUES (?,?,?,1,?)");
      insert.bind(1, created_seq)
        .bind(2, id)
        .bind(3, static_cast<std::int64_t>(seq))
        .bind(4, time);
      if (insert.step() != SQLITE_DONE) {
        return tl::unexpected(sqlite_error(db, "insert record"));
      }
    } else {
      Statement update(db,
                       "UPDATE records SET updated_seq = ?, entries = entries "
                       "+ 1 WHERE created_seq = ?");
      update.bind(1, static_cast<std::int64_t>(seq)).bind(2, created_seq);
      if (update.step() != SQLITE_DONE) {
        return tl::unexpected(sqlite_error(db, "update record"));
      }
    }
    if (compartment == vault::Compartment::facts) {
      CUSTODY_TRY(index_facts(created_seq, view));
    }
    return {};
  }

  // invariant 19: an amendment rewrites every record compartment, so only a
  // member whose role holds them all (legal) may seal one. Anyone can encrypt
  // to a compartment's public key, so the seal, not the payload, says who
  // wrote it; an amendment by anyone else is not applied.
  Result<void>
  apply_sealed(const ledger::Entry& seal)
  {
    if (pending.empty()) {
      return {};
    }
    if (seal.payloads.size() != 1) {
      return fail(Errc::corrupt, "entry {}: a seal has 1 payload", seal.seq);
    }
    CUSTODY_ASSIGN(
      key, vault->key(vault::Compartment::admin, seal.payloads[0].epoch));
    CUSTODY_ASSIGN_CTX(
      opened,
      store::open_document(vault->directory(), seal.payloads[0], *key),
      fmt::format("entry {}", seal.seq));
    const std::string sealer =
      opened.document.value("seal", json::Json::object()).value("member", "");
    const auto member = vault->state().members.find(sealer);
    if (member == vault->state().members.end()
        || !vault::may_amend(member->second.role)) {
      refuse_pending(fmt::format(
        "sealed by {} ({}), whose role does not hold every record compartment",
        sealer,
        member == vault->state().members.end()
          ? std::string_view("not a member")
          : vault::role_name(member->second.role)));
      return {};
    }
    for (auto& amendment : pending) {
      CUSTODY_TRY(apply(amendment.seq,
                        amendment.hash,
                        amendment.time,
                        amendment.document,
                        sealer));
    }
    pending.clear();
    return {};
  }

  void
  refuse_pending(std::string_view why)
  {
    for (const auto& amendment : pending) {
      stats.refused.push_back(
        fmt::format("entry {}: an amendment of record {} was not applied: {}",
                    amendment.seq,
                    amendment.document.value("record", ""),
                    why));
    }
    pending.clear();
  }

  // An attachment entry: its document and its media object, both in the
  // identity compartment (docs/formats.md 6.2.1).
  Result<void>
  apply_attachment(const ledger::Entry& entry, const json::Json& document) const
  {
    if (document.value("type", "") != "attachment"
        || !document.contains("attachment")
        || document.value("record", "").size() != 32) {
      return fail(
        Errc::corrupt, "entry {}: not an attachment payload", entry.seq);
    }
    Statement insert(db,
                     "INSERT INTO attachments(seq, record, object, epoch, "
                     "attachment) VALUES (?,?,?,?,?)");
    insert.bind(1, static_cast<std::int64_t>(entry.seq))
      .bind(2, document.value("record", ""))
      .bind(3, to_hex(entry.payloads[1].obj))
      .bind(4, static_cast<std::int64_t>(entry.payloads[1].epoch))
      .bind(5, json::canonical(document["attachment"]));
    if (insert.step() != SQLITE_DONE) {
      return tl::unexpected(sqlite_error(db, "insert attachment"));
    }
    return {};
  }

  Result<void>
  index_facts(std::int64_t created_seq, const json::Json& view) const
  {
    const json::Json incident = view.value("incident", json::Json::object());
    const json::Json person = view.value("person", json::Json::object());
    const json::Json response = view.value("response", json::Json::object());
    const json::Json consent = view.value("consent", json::Json::object());
    Statement upsert(
      db,
      "INSERT OR REPLACE INTO facts(created_seq, month, district, population, "
      "setting, violence_types, perpetrators, person_ref, date_precision, "
      "delay_hours, actions, referrals, outcome, consent) VALUES "
      "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    upsert.bind(1, created_seq)
      .bind(2, incident.value("month", ""))
      .bind(3, incident.value("district", ""))
      .bind(4, person.value("population", ""))
      .bind(5, incident.value("setting", ""))
      .bind(6,
            join_codes(incident.value("violence_types", json::Json::array())))
      .bind(7, join_codes(incident.value("perpetrators", json::Json::array())))
      .bind(8, person.value("person_ref", ""))
      .bind(9, incident.value("date_precision", ""))
      .bind(11, join_codes(response.value("actions", json::Json::array())))
      .bind(12, join_codes(response.value("referrals", json::Json::array())))
      .bind(13, response.value("outcome", ""))
      .bind(14, join_codes(consent.value("scopes", json::Json::array())));
    // No delay (the date is not known to the day, or no first contact) is
    // NULL, never 0: a median must not count it as an answer within the hour.
    const auto delay = response.find("delay_hours");
    if (delay != response.end() && delay->is_number_integer()) {
      upsert.bind(10, delay->get<std::int64_t>());
    }
    if (upsert.step() != SQLITE_DONE) {
      return tl::unexpected(sqlite_error(db, "index facts"));
    }
    return {};
  }

  bool
  at_tip() const
  {
    return position.count > 0 && position.count == vault->entry_count()
           && position.last_hash == vault->last_hash();
  }

  // An entry read from the ledger, and the payload document this shard needs
  // of it, opened on one of several threads.
  struct Replayed
  {
    ledger::Entry entry;
    Digest hash{};
    const age::X25519Identity* key = nullptr;
    const ledger::PayloadRef* ref = nullptr;
    std::optional<Result<store::Opened>> opened;
  };
  static constexpr std::size_t k_replay_batch = 512;
  // Batches opened ahead of the one being applied.
  static constexpr std::size_t k_replay_ahead = 4;

  // Names the payload each entry of a batch needs and the key that opens it.
  Result<void>
  prepare_batch(std::vector<Replayed>& batch) const
  {
    const std::size_t part = records::part_index(compartment);
    for (auto& item : batch) {
      if (item.entry.kind == ledger::Kind::release
          && compartment == vault::Compartment::facts) {
        // The vault's replay checked the shape (invariant 7).
        item.ref = item.entry.payloads.data();
        CUSTODY_ASSIGN(key, vault->key(compartment, item.ref->epoch));
        item.key = key;
        continue;
      }
      if (item.entry.kind == ledger::Kind::redaction) {
        // [identity: the redaction document, aggressor: the release
        // document] (docs/formats.md 6.6); the replay checked the shape.
        if (compartment == vault::Compartment::identity
            || compartment == vault::Compartment::aggressor) {
          item.ref =
            &item.entry
               .payloads[compartment == vault::Compartment::identity ? 0 : 1];
          CUSTODY_ASSIGN(key, vault->key(compartment, item.ref->epoch));
          item.key = key;
        }
        continue;
      }
      if (item.entry.kind != ledger::Kind::put) {
        continue;
      }
      // The vault's replay checked the shape (invariant 7).
      CUSTODY_ASSIGN(shape, vault::put_shape(item.entry));
      if (shape == vault::PutShape::attachment
          && compartment != vault::Compartment::identity) {
        continue;
      }
      item.ref =
        &item.entry.payloads[shape == vault::PutShape::attachment ? 0 : part];
      CUSTODY_ASSIGN(key, vault->key(compartment, item.ref->epoch));
      item.key = key;
    }
    return {};
  }

  Result<void>
  apply_entry(Replayed& item)
  {
    const ledger::Entry& entry = item.entry;
    if (entry.kind == ledger::Kind::seal) {
      return apply_sealed(entry);
    }
    if (entry.kind == ledger::Kind::admin) {
      // Entries a torn seal left unsealed have no author.
      refuse_pending("no seal (left unsealed by an interrupted write)");
      return {};
    }
    if (!item.opened) {
      return {};
    }
    if (!*item.opened) {
      return tl::unexpected(
        with_context(item.opened->error(), fmt::format("entry {}", entry.seq)));
    }
    json::Json& document = (*item.opened)->document;
    if (entry.kind == ledger::Kind::release) {
      return apply_release(entry.seq, document);
    }
    if (entry.kind == ledger::Kind::redaction) {
      return apply_redaction(entry.seq, document);
    }
    if (entry.payloads.size() == 2) {
      return apply_attachment(entry, document);
    }
    if (document.value("type", "") == "amend") {
      pending.push_back(
        {entry.seq, item.hash, entry.time, std::move(document)});
      return {};
    }
    return apply(entry.seq, item.hash, entry.time, document);
  }

  // A redaction entry's document for this shard: the redaction (identity) or
  // the release (aggressor) document, kept whole (docs/formats.md 10.1).
  Result<void>
  apply_redaction(std::uint64_t seq, const json::Json& document) const
  {
    const std::string expected =
      compartment == vault::Compartment::identity ? "redaction" : "derivative";
    if (document.value("type", "") != expected
        || document.value("record", "").size() != 32) {
      return fail(Errc::corrupt,
                  "entry {}: a redaction entry's {} payload is not a {} "
                  "document",
                  seq,
                  vault::compartment_name(compartment),
                  expected);
    }
    Statement insert(db,
                     "INSERT OR REPLACE INTO redactions(seq, record, document) "
                     "VALUES (?,?,?)");
    insert.bind(1, static_cast<std::int64_t>(seq))
      .bind(2, document.value("record", ""))
      .bind(3, json::canonical(document));
    if (insert.step() != SQLITE_DONE) {
      return tl::unexpected(sqlite_error(db, "index redaction"));
    }
    return {};
  }

  Result<void>
  apply_release(std::uint64_t seq, const json::Json& document)
  {
    if (document.value("type", "") != "release" || !document.contains("release")
        || !document["release"].is_object()) {
      return fail(Errc::corrupt,
                  "entry {}: a release entry's payload is not a release",
                  seq);
    }
    Statement insert(db,
                     "INSERT OR REPLACE INTO releases(seq, release) VALUES "
                     "(?,?)");
    insert.bind(1, static_cast<std::int64_t>(seq))
      .bind(2, json::canonical(document["release"]));
    if (insert.step() != SQLITE_DONE) {
      return tl::unexpected(sqlite_error(db, "index release"));
    }
    if (statistics) {
      return tables->released(document);
    }
    return {};
  }

  // Replays every entry after `position`; returns how many entries were new.
  // Both parts must be loaded: an amendment needs the view it patches.
  Result<std::uint64_t>
  replay()
  {
    // A shard saved at the ledger's tip needs no scan: the vault checked that
    // tip when it opened.
    if (at_tip()) {
      return 0;
    }
    std::uint64_t replayed = 0;
    CUSTODY_TRY(exec(db, "BEGIN"));
    // Decrypting payloads is most of a rebuild's cost: batches of entries
    // are opened on every core in the background while this thread reads
    // the ledger on and applies the batches opened, in ledger order.
    // Declared before the queue, which stops (and so no longer touches the
    // batches) before they are freed.
    std::deque<
      std::pair<std::unique_ptr<std::vector<Replayed>>, WorkQueue::Ticket>>
      opening;
    WorkQueue opener(8);
    auto open_batch = [&](std::vector<Replayed> batch) -> Result<void> {
      CUSTODY_TRY(prepare_batch(batch));
      auto items = std::make_unique<std::vector<Replayed>>(std::move(batch));
      auto ticket =
        opener.submit(items->size(), [this, list = items.get()](std::size_t i) {
          Replayed& item = (*list)[i];
          if (item.ref != nullptr) {
            item.opened =
              store::open_document(vault->directory(), *item.ref, *item.key);
          }
        });
      opening.emplace_back(std::move(items), std::move(ticket));
      return {};
    };
    auto apply_oldest = [&]() -> Result<void> {
      opener.wait(opening.front().second);
      for (auto& item : *opening.front().first) {
        CUSTODY_TRY(apply_entry(item));
      }
      opening.pop_front();
      return {};
    };
    std::vector<Replayed> batch;
    auto scanned =
      vault->scan_after(position,
                        [&](const ledger::Entry& entry,
                            const Digest& hash,
                            const ledger::Location& where) -> Result<void> {
                          position = {entry.seq + 1, hash, where};
                          ++replayed;
                          Replayed item;
                          item.entry = entry;
                          item.hash = hash;
                          batch.push_back(std::move(item));
                          if (batch.size() < k_replay_batch) {
                            return {};
                          }
                          CUSTODY_TRY(open_batch(std::move(batch)));
                          batch.clear();
                          while (opening.size() > k_replay_ahead) {
                            CUSTODY_TRY(apply_oldest());
                          }
                          return {};
                        });
    if (scanned && *scanned && !batch.empty()) {
      auto opened = open_batch(std::move(batch));
      if (!opened) {
        scanned = tl::unexpected(opened.error());
      }
    }
    while (scanned && *scanned && !opening.empty()) {
      auto applied = apply_oldest();
      if (!applied) {
        scanned = tl::unexpected(applied.error());
      }
    }
    if (scanned) {
      refuse_pending("no seal");
    }
    if (scanned && !*scanned) {
      stale = true;
      scanned = make_error(Errc::corrupt,
                           "the index position is not an entry of this ledger");
    }
    if (!scanned) {
      auto rolled_back = exec(db, "ROLLBACK");
      (void)rolled_back;
      return tl::unexpected(scanned.error());
    }
    CUSTODY_TRY(exec(db, "COMMIT"));
    return replayed;
  }

  json::Json
  header(Part part) const
  {
    json::Json head = cache_file::position_json(position);
    const json::Json claimed = claims(part);
    for (const auto& [key, value] : claimed.items()) {
      head[key] = value;
    }
    head["member"] = vault->me().key_id;
    return head;
  }

  // What a part's header says it is, which a reader checks before loading
  // it: the header without its position.
  json::Json
  claims(Part part) const
  {
    json::Json claimed = json::Json::object();
    claimed["compartment"] = std::string(vault::compartment_name(compartment));
    claimed["part"] = std::string(part_name(part));
    claimed["vault"] = vault->state().vault_id;
    if (part == Part::statistics) {
      claimed["layout"] = "months";
    }
    return claimed;
  }

  fs::Path
  path(Part part) const
  {
    return vault->cache_directory() / shard_name(compartment, part);
  }

  // Loads a saved part if it is valid, into its schema; returns the position
  // it reflects, or nullopt with a note saying why it was not loaded.
  Result<std::optional<ledger::Resume>>
  load(Part part, vault::Notes& notes)
  {
    using Loaded = std::optional<ledger::Resume>;
    std::string why;
    auto loaded = load_file(shard_name(compartment, part),
                            claims(part),
                            db,
                            std::string(part_schema_name(part)),
                            why);
    if (!loaded) {
      return tl::unexpected(loaded.error());
    }
    if (!*loaded && !why.empty()) {
      if (why == k_not_a_database) {
        CUSTODY_TRY(create_schema());
      }
      notes.push_back(fmt::format("index shard {} {}; rebuilt from the ledger",
                                  shard_name(compartment, part),
                                  why));
      stats.rejected.push_back(
        fmt::format("{} {}",
                    path(part).lexically_relative(vault->directory()).string(),
                    why));
      stats.rebuilt = true;
      return Loaded();
    }
    return *loaded;
  }

  static constexpr std::string_view k_not_a_database = "is not a database";

  // Loads index/<member>/<name> into `target`'s schema `schema` when it opens
  // with the member's key, its MAC verifies and its header has every member
  // of `expect`; the position it reflects, or nullopt with `why` (empty when
  // there is no such file).
  Result<std::optional<ledger::Resume>>
  load_file(const std::string& name,
            const json::Json& expect,
            sqlite3* target,
            const std::string& schema,
            std::string& why) const
  {
    using Loaded = std::optional<ledger::Resume>;
    auto file =
      fs::read_file(vault->cache_directory() / name, k_max_shard_file);
    if (!file) {
      if (file.error().code == Errc::not_found) {
        why.clear();
        return Loaded();
      }
      return tl::unexpected(file.error());
    }
    auto reject = [&](std::string_view reason) -> Result<Loaded> {
      why = reason;
      return Loaded();
    };
    auto opened = cache_file::open(k_shard_file, *file, vault->cache_owner());
    if (!opened) {
      return reject(opened.error().message);
    }
    const json::Json& claimed = opened->header;
    for (const auto& [key, value] : expect.items()) {
      const auto found = claimed.find(key);
      if (found == claimed.end() || *found != value) {
        return reject(key == "layout" ? "has an older version's layout"
                                      : "belongs elsewhere");
      }
    }
    const auto loaded = cache_file::position_of(claimed);
    if (!loaded) {
      return reject("is malformed");
    }
    const ByteView db_bytes = opened->body;
    const std::uint64_t db_size = db_bytes.size();
    // sqlite3_deserialize takes ownership of memory from sqlite3_malloc64.
    auto* buffer = static_cast<unsigned char*>(sqlite3_malloc64(db_size));
    if (buffer == nullptr && db_size > 0) {
      throw std::bad_alloc();
    }
    std::copy(db_bytes.begin(), db_bytes.end(), buffer);
    if (sqlite3_deserialize(target,
                            schema.c_str(),
                            buffer,
                            static_cast<sqlite3_int64>(db_size),
                            static_cast<sqlite3_int64>(db_size),
                            SQLITE_DESERIALIZE_FREEONCLOSE
                              | SQLITE_DESERIALIZE_RESIZEABLE)
        != SQLITE_OK) {
      return reject(k_not_a_database);
    }
    return loaded;
  }

  // Seals the schema `schema` of `source` under this shard's header for
  // `part`, `extra` added, and writes it as index/<member>/<name>.
  Result<void>
  save_file(const std::string& name,
            Part part,
            const json::Json& extra,
            sqlite3* source,
            const std::string& schema)
  {
    sqlite3_int64 size = 0;
    unsigned char* data = sqlite3_serialize(source, schema.c_str(), &size, 0);
    if (data == nullptr) {
      return tl::unexpected(sqlite_error(source, "serialize"));
    }
    json::Json head = header(part);
    for (const auto& [key, value] : extra.items()) {
      head[key] = value;
    }
    auto file = cache_file::seal(k_shard_file,
                                 head,
                                 ByteView(data, static_cast<std::size_t>(size)),
                                 vault->cache_owner());
    sqlite3_free(data);
    if (!file) {
      return tl::unexpected(file.error());
    }
    CUSTODY_TRY(fs::make_directories(vault->cache_directory()));
    CUSTODY_TRY(fs::write_file_atomic(vault->cache_directory() / name, *file));
    stats.saved = true;
    return {};
  }

  // The statistics part's files, read and written as this shard's parts.
  detail::StatisticsFiles
  statistics_files()
  {
    detail::StatisticsFiles files;
    files.load =
      [this](const std::string& name,
             const json::Json& expect,
             sqlite3* target,
             std::string& why) -> Result<std::optional<ledger::Resume>> {
      // Saved with the head's header, `extra` added (below).
      json::Json full = claims(Part::statistics);
      for (const auto& [key, value] : expect.items()) {
        full[key] = value;
      }
      auto loaded = load_file(name, full, target, "main", why);
      if (loaded && !*loaded && why.empty()) {
        why = "is missing";
      }
      return loaded;
    };
    files.save = [this](const std::string& name,
                        const json::Json& extra,
                        sqlite3* source) -> Result<void> {
      return save_file(name, Part::statistics, extra, source, "main");
    };
    files.prune = [this](const std::vector<std::string>& keep) {
      std::error_code error;
      for (const auto& item : std::filesystem::directory_iterator(
             vault->cache_directory(), error)) {
        const std::string name = item.path().filename().string();
        if (name.starts_with("facts.stats.") && name.ends_with(".age")
            && std::find(keep.begin(), keep.end(), name) == keep.end()) {
          std::error_code ignored;
          std::filesystem::remove(item.path(), ignored);
        }
      }
    };
    return files;
  }

  Result<void>
  save(Part part)
  {
    return save_file(shard_name(compartment, part),
                     part,
                     json::Json::object(),
                     db,
                     std::string(part_schema_name(part)));
  }

  // Saves both parts; the index is derived, so failing to save loses nothing:
  // a note says so and the command goes on.
  void
  save_all(vault::Notes& notes)
  {
    notes.insert(notes.end(), later_notes.begin(), later_notes.end());
    later_notes.clear();
    if (statistics) {
      // The month and ids files first, the head that lists them last: a
      // crash between leaves files the head does not match, rebuilt.
      auto saved = tables->save(position);
      if (saved) {
        saved = save(Part::statistics);
      }
      if (!saved) {
        notes.push_back(fmt::format("could not save index shard {}: {}",
                                    shard_name(compartment, Part::statistics),
                                    saved.error().message));
        return;
      }
      tables->prune();
      return;
    }
    for (Part part : {Part::detail, Part::catalogue}) {
      if (auto saved = save(part); !saved) {
        notes.push_back(fmt::format("could not save index shard {}: {}",
                                    shard_name(compartment, part),
                                    saved.error().message));
      }
    }
  }

  // Starts over from an empty shard and replays the whole ledger.
  Result<std::uint64_t>
  rebuild()
  {
    CUSTODY_TRY(create_schema());
    detail_ready = true;
    return replay();
  }

  // Loads the detail part, which must reflect the same position as the
  // catalogue; rebuilds both from the ledger when it does not, and brings both
  // up to the tip. Marks what changed, for Shard::save.
  Result<void>
  need_detail(vault::Notes& notes)
  {
    if (detail_ready) {
      return {};
    }
    CUSTODY_ASSIGN(loaded, load(Part::detail, notes));
    const bool agrees = loaded && loaded->count == position.count
                        && loaded->last_hash == position.last_hash
                        && position.count > 0;
    std::uint64_t replayed = 0;
    if (agrees) {
      detail_ready = true;
      CUSTODY_ASSIGN(advanced, advance(notes));
      replayed = advanced;
    } else {
      if (position.count > 0) {
        notes.push_back(fmt::format(
          "index shards {} and {} disagree; rebuilt from the ledger",
          shard_name(compartment, Part::catalogue),
          shard_name(compartment, Part::detail)));
        stats.rebuilt = true;
        stats.loaded = false;
      }
      CUSTODY_ASSIGN(rebuilt, rebuild());
      replayed = rebuilt;
    }
    stats.replayed += replayed;
    if (replayed > 0 || !agrees) {
      changed = true;
    }
    return {};
  }

  Result<void>
  require_detail() const
  {
    if (!detail_ready) {
      return make_error(Errc::internal, "index shard opened for listing only");
    }
    return {};
  }

  // Replays what was appended after the loaded position; a position that is
  // not an entry of this ledger means a rebuild, with a note.
  Result<std::uint64_t>
  advance(vault::Notes& notes)
  {
    auto advanced = replay();
    if (!advanced && stale) {
      advanced = rebuild_noted(notes);
    }
    return advanced;
  }

  Result<std::uint64_t>
  rebuild_noted(vault::Notes& notes)
  {
    notes.push_back(
      fmt::format("index shard {} does not match this ledger; rebuilt",
                  shard_name(compartment)));
    stats.rebuilt = true;
    stats.loaded = false;
    stale = false;
    return rebuild();
  }

  // A statistics file found damaged once the head had loaded (missing,
  // forged, or saved at another position than the head says): the whole part
  // is rebuilt from the ledger, with a note.
  Result<std::uint64_t>
  rebuild_damaged(vault::Notes& into)
  {
    const std::string damage = tables->damage();
    into.push_back(
      fmt::format("index part {}; rebuilt from the ledger", damage));
    stats.rejected.push_back(fmt::format(
      "{}/{}",
      vault->cache_directory().lexically_relative(vault->directory()).string(),
      damage));
    stats.rebuilt = true;
    stats.loaded = false;
    changed = true;
    return rebuild();
  }

  // Runs `call` on the statistics part; when it finds a file damaged, rebuilds
  // the part (the note is given with save()'s) and runs it again.
  template<typename Call>
  auto
  on_statistics(Call call) -> decltype(call())
  {
    auto result = call();
    if (!result && tables->damaged()) {
      auto rebuilt = rebuild_damaged(later_notes);
      if (!rebuilt) {
        return tl::unexpected(rebuilt.error());
      }
      stats.replayed += *rebuilt;
      result = call();
    }
    return result;
  }

  // Loads the statistics part if it is valid and brings it forward on its
  // own; rebuilds it from the ledger otherwise (docs/formats.md 10.1.1).
  Result<void>
  open_statistics(vault::Notes& notes)
  {
    CUSTODY_TRY(create_schema());
    CUSTODY_ASSIGN(loaded, load(Part::statistics, notes));
    std::uint64_t replayed = 0;
    if (loaded) {
      position = *loaded;
      stats.loaded = true;
      if (auto head = tables->load_head(); !head) {
        notes.push_back(
          fmt::format("index shard {} {}; rebuilt from the ledger",
                      shard_name(compartment, Part::statistics),
                      head.error().message));
        stats.rebuilt = true;
        stats.loaded = false;
        CUSTODY_ASSIGN(rebuilt, rebuild());
        replayed = rebuilt;
      } else {
        auto advanced = advance(notes);
        if (!advanced && tables && tables->damaged()) {
          advanced = rebuild_damaged(notes);
        }
        if (!advanced) {
          return tl::unexpected(advanced.error());
        }
        replayed = *advanced;
      }
    } else {
      CUSTODY_ASSIGN(rebuilt, rebuild());
      replayed = rebuilt;
    }
    stats.replayed += replayed;
    changed = replayed > 0 || !stats.loaded;
    for (const auto& refused : stats.refused) {
      notes.push_back(refused);
    }
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
            vault::Notes& notes,
            Need need)
{
  auto impl = std::make_unique<Impl>();
  impl->vault = &vault;
  impl->compartment = compartment;
  // The member must hold this compartment's current key to read or save the
  // shard.
  CUSTODY_TRY(vault.key(compartment, vault.current_epoch(compartment)));
  if (need == Need::statistics) {
    if (compartment != vault::Compartment::facts) {
      return make_error(Errc::internal,
                        "only the facts shard has a statistics part");
    }
    impl->statistics = true;
    CUSTODY_TRY(impl->open_statistics(notes));
    return Shard(std::move(impl));
  }
  CUSTODY_TRY(impl->create_schema());
  CUSTODY_ASSIGN(loaded, impl->load(Part::catalogue, notes));
  if (loaded) {
    impl->position = *loaded;
    impl->stats.loaded = true;
  }
  // A catalogue at the tip is all `list` needs; anything else brings both
  // parts up to the tip.
  if (need == Need::everything || !loaded || !impl->at_tip()) {
    CUSTODY_TRY(impl->need_detail(notes));
  }
  for (const auto& refused : impl->stats.refused) {
    notes.push_back(refused);
  }
  return Shard(std::move(impl));
}

Result<Shard>
Shard::rebuild(vault::Vault& vault, vault::Compartment compartment, Need need)
{
  auto impl = std::make_unique<Impl>();
  impl->vault = &vault;
  impl->compartment = compartment;
  impl->statistics =
    need == Need::statistics && compartment == vault::Compartment::facts;
  CUSTODY_ASSIGN(replayed, impl->rebuild());
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

void
Shard::save(vault::Notes& notes)
{
  if (m_impl->changed) {
    m_impl->save_all(notes);
    m_impl->changed = false;
  }
}

Result<RecordRow>
Shard::find(std::string_view typed) const
{
  // One parser for every command that names a record (docs/formats.md
  // 6.2.2): an id, a prefix, or a receipt, which is a range of ids too.
  CUSTODY_ASSIGN(readings, records::parse_reference(typed));
  CUSTODY_TRY(m_impl->require_detail());
  std::vector<RecordRow> rows;
  for (const auto& range : readings) {
    Statement query(m_impl->db,
                    "SELECT r.id, r.created_seq, r.updated_seq, r.entries, "
                    "r.created_time, v.view FROM records r JOIN views v USING "
                    "(created_seq) WHERE r.id >= ? AND r.id <= ? ORDER BY r.id "
                    "LIMIT 2");
    query.bind(1, range.low).bind(2, range.high);
    while (query.step() == SQLITE_ROW) {
      const std::string id = query.text(0);
      if (std::any_of(rows.begin(), rows.end(), [&](const RecordRow& row) {
            return row.id == id;
          })) {
        continue;
      }
      rows.push_back(RecordRow{id,
                               static_cast<std::uint64_t>(query.integer(1)),
                               static_cast<std::uint64_t>(query.integer(2)),
                               static_cast<std::uint64_t>(query.integer(3)),
                               query.text(4),
                               json::Json::parse(query.text(5))});
    }
  }
  if (rows.empty()) {
    return fail(Errc::not_found, "no record {}", typed);
  }
  if (rows.size() > 1) {
    return make_error(Errc::invalid_input,
                      fmt::format("{} names more than one record ({} and {})",
                                  typed,
                                  rows[0].id,
                                  rows[1].id),
                      "give the whole id, or more of its digits");
  }
  return std::move(rows.front());
}

Result<std::vector<EntryRow>>
Shard::history(const std::string& id) const
{
  CUSTODY_TRY(m_impl->require_detail());
  Statement query(m_impl->db,
                  "SELECT e.seq, e.hash, e.time, e.type, e.member, e.reason, "
                  "e.undo FROM entries e JOIN records r USING (created_seq) "
                  "WHERE r.id = ? ORDER BY e.seq");
  query.bind(1, id);
  std::vector<EntryRow> rows;
  while (query.step() == SQLITE_ROW) {
    EntryRow row{static_cast<std::uint64_t>(query.integer(0)),
                 query.text(1),
                 query.text(2),
                 query.text(3),
                 query.text(4),
                 query.text(5),
                 std::nullopt};
    if (!query.null(6)) {
      auto undo = json::parse_strict(query.text(6));
      if (!undo) {
        return fail(Errc::corrupt, "index: a malformed entry row");
      }
      row.undo = std::move(*undo);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

namespace {

// The columns of `facts` read into a FactsRow, from column `first` of
// `query` on, in the order of k_facts_columns.
constexpr const char* k_facts_columns =
  "f.created_seq, f.month, f.date_precision, f.district, f.population, "
  "f.setting, f.violence_types, f.perpetrators, f.person_ref, f.delay_hours, "
  "f.actions, f.referrals, f.outcome, f.consent";

FactsRow
facts_row(const Statement& query, int first)
{
  FactsRow row;
  row.created_seq = static_cast<std::uint64_t>(query.integer(first));
  row.month = query.text(first + 1);
  row.date_precision = query.text(first + 2);
  row.district = query.text(first + 3);
  row.population = query.text(first + 4);
  row.setting = query.text(first + 5);
  row.violence_types = split_codes(query.text(first + 6));
  row.perpetrators = split_codes(query.text(first + 7));
  row.person_ref = query.text(first + 8);
  if (!query.null(first + 9)) {
    row.delay_hours = query.integer(first + 9);
  }
  row.actions = split_codes(query.text(first + 10));
  row.referrals = split_codes(query.text(first + 11));
  row.outcome = query.text(first + 12);
  row.consent = split_codes(query.text(first + 13));
  return row;
}

} // namespace

Result<std::vector<ListRow>>
Shard::list(const Filter& filter) const
{
  if (m_impl->compartment != vault::Compartment::facts || m_impl->statistics) {
    return make_error(Errc::internal,
                      "only the facts shard's catalogue can list records");
  }
  std::string sql = fmt::format("SELECT r.id, r.updated_seq, r.entries, "
                                "r.created_time, {} FROM records r JOIN facts "
                                "f USING (created_seq) WHERE 1",
                                k_facts_columns);
  std::vector<std::string> values;
  // Codes are kept space-separated: one pass over the catalogue with instr()
  // is faster than any join at this size, and needs no index to load. A code
  // or group starts one of the codes: the exact test is the caller's.
  auto code_filter = [&](const char* column, const std::string& code) {
    if (code.empty()) {
      return;
    }
    sql += fmt::format(" AND instr(' ' || f.{}, ?) > 0", column);
    values.push_back(" " + code);
  };
  if (!filter.from_month.empty()) {
    // A record dated to the year alone ("2025") sorts before its months.
    sql += " AND f.month >= ?";
    values.push_back(filter.from_month.substr(0, 4));
  }
  if (!filter.to_month.empty()) {
    // "2025-03" covers every month string that starts with it.
    sql += " AND f.month <= ?";
    values.push_back(filter.to_month + "~");
  }
  code_filter("district", filter.district);
  code_filter("population", filter.population);
  code_filter("violence_types", filter.violence_type);
  code_filter("perpetrators", filter.perpetrator);
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
                           query.text(3),
                           facts_row(query, 4)});
  }
  return rows;
}

Result<std::vector<FactsRow>>
Shard::facts(const std::optional<MonthSpan>& span) const
{
  if (m_impl->compartment != vault::Compartment::facts) {
    return make_error(Errc::internal, "only the facts shard holds facts");
  }
  if (m_impl->statistics) {
    return m_impl->on_statistics([&] { return m_impl->tables->facts(span); });
  }
  // A month "YYYY-MM" within the span, or a year alone "YYYY" within its
  // years.
  Statement query(
    m_impl->db,
    fmt::format("SELECT {} FROM facts f WHERE ? OR (length(f.month) = 7 AND "
                "f.month BETWEEN ? AND ?) OR (length(f.month) = 4 AND f.month "
                "BETWEEN ? AND ?) ORDER BY f.created_seq",
                k_facts_columns)
      .c_str());
  if (!query.ok()) {
    return tl::unexpected(sqlite_error(m_impl->db, "facts"));
  }
  query.bind(1, std::int64_t{span ? 0 : 1});
  if (span) {
    query.bind(2, span->from)
      .bind(3, span->to)
      .bind(4, span->from.substr(0, 4))
      .bind(5, span->to.substr(0, 4));
  }
  std::vector<FactsRow> rows;
  rows.reserve(span ? 0 : record_count());
  while (query.step() == SQLITE_ROW) {
    rows.push_back(facts_row(query, 0));
  }
  return rows;
}

Result<std::vector<ReleaseRow>>
Shard::releases() const
{
  if (m_impl->compartment != vault::Compartment::facts) {
    return make_error(Errc::internal, "only the facts shard holds releases");
  }
  Statement query(m_impl->db, "SELECT seq, release FROM releases ORDER BY seq");
  std::vector<ReleaseRow> rows;
  while (query.step() == SQLITE_ROW) {
    auto release = json::parse_strict(query.text(1));
    if (!release) {
      return fail(Errc::corrupt, "index: a malformed release row");
    }
    rows.push_back(ReleaseRow{static_cast<std::uint64_t>(query.integer(0)),
                              std::move(*release)});
  }
  return rows;
}

Result<std::uint64_t>
Shard::records_changed_since(std::uint64_t seq) const
{
  if (m_impl->statistics) {
    return m_impl->on_statistics(
      [&] { return m_impl->tables->changed_since(seq); });
  }
  Statement query(m_impl->db,
                  "SELECT count(*) FROM records WHERE updated_seq >= ?");
  query.bind(1, static_cast<std::int64_t>(seq));
  if (query.step() != SQLITE_ROW) {
    return tl::unexpected(sqlite_error(m_impl->db, "count changes"));
  }
  return static_cast<std::uint64_t>(query.integer(0));
}

Result<std::vector<AttachmentRow>>
Shard::attachments(const std::string& id) const
{
  CUSTODY_TRY(m_impl->require_detail());
  Statement query(m_impl->db,
                  "SELECT seq, object, epoch, attachment FROM attachments "
                  "WHERE record = ? ORDER BY seq");
  query.bind(1, id);
  std::vector<AttachmentRow> rows;
  while (query.step() == SQLITE_ROW) {
    auto object = digest_from_hex(query.text(1));
    if (!object) {
      return fail(Errc::corrupt, "index: a malformed attachment row");
    }
    rows.push_back(AttachmentRow{static_cast<std::uint64_t>(query.integer(0)),
                                 *object,
                                 static_cast<std::uint32_t>(query.integer(2)),
                                 json::Json::parse(query.text(3))});
  }
  return rows;
}

Result<std::vector<std::pair<std::string, json::Json>>>
Shard::views_sharing(std::string_view json_path, std::string_view value) const
{
  CUSTODY_TRY(m_impl->require_detail());
  Statement query(m_impl->db,
                  "SELECT r.id, v.view FROM views v JOIN records r USING "
                  "(created_seq) WHERE json_extract(v.view, ?) = ? ORDER BY "
                  "r.created_seq");
  query.bind(1, json_path).bind(2, value);
  std::vector<std::pair<std::string, json::Json>> rows;
  int step = SQLITE_ROW;
  while ((step = query.step()) == SQLITE_ROW) {
    rows.emplace_back(query.text(0), json::Json::parse(query.text(1)));
  }
  if (step != SQLITE_DONE) {
    return tl::unexpected(sqlite_error(m_impl->db, "views sharing a value"));
  }
  return rows;
}

Result<std::vector<RedactionRow>>
Shard::redactions(const std::string& id) const
{
  CUSTODY_TRY(m_impl->require_detail());
  Statement query(m_impl->db,
                  "SELECT seq, document FROM redactions WHERE record = ? "
                  "ORDER BY seq");
  query.bind(1, id);
  std::vector<RedactionRow> rows;
  while (query.step() == SQLITE_ROW) {
    rows.push_back(RedactionRow{static_cast<std::uint64_t>(query.integer(0)),
                                json::Json::parse(query.text(1))});
  }
  return rows;
}

std::uint64_t
Shard::record_count() const
{
  if (m_impl->statistics) {
    return m_impl->tables->count();
  }
  Statement query(m_impl->db, "SELECT count(*) FROM records");
  return query.step() == SQLITE_ROW
           ? static_cast<std::uint64_t>(query.integer(0))
           : 0;
}

Result<std::vector<std::pair<std::string, std::uint64_t>>>
Shard::created() const
{
  if (m_impl->statistics) {
    return make_error(Errc::internal,
                      "the statistics part does not list record ids");
  }
  Statement query(m_impl->db,
                  "SELECT id, created_seq FROM records ORDER BY id");
  std::vector<std::pair<std::string, std::uint64_t>> rows;
  while (query.step() == SQLITE_ROW) {
    rows.emplace_back(query.text(0),
                      static_cast<std::uint64_t>(query.integer(1)));
  }
  return rows;
}

Result<std::string>
Shard::digest() const
{
  if (m_impl->statistics) {
    return m_impl->on_statistics([&] { return m_impl->tables->digest(); });
  }
  CUSTODY_TRY(m_impl->require_detail());
  Sha256 hasher;
  Statement records(m_impl->db,
                    "SELECT r.id, r.created_seq, r.updated_seq, r.entries, "
                    "v.last_hash, v.view FROM records r JOIN views v USING "
                    "(created_seq) ORDER BY r.id");
  while (records.step() == SQLITE_ROW) {
    for (int column = 0; column < 6; ++column) {
      hasher.update(as_bytes(records.text(column)));
      hasher.update(as_bytes("\n"));
    }
  }
  Statement attachments(
    m_impl->db,
    "SELECT seq, record, object, attachment FROM attachments ORDER BY seq");
  while (attachments.step() == SQLITE_ROW) {
    for (int column = 0; column < 4; ++column) {
      hasher.update(as_bytes(attachments.text(column)));
      hasher.update(as_bytes("\n"));
    }
  }
  Statement redactions(
    m_impl->db, "SELECT seq, record, document FROM redactions ORDER BY seq");
  while (redactions.step() == SQLITE_ROW) {
    for (int column = 0; column < 3; ++column) {
      hasher.update(as_bytes(redactions.text(column)));
      hasher.update(as_bytes("\n"));
    }
  }
  // The facts table is what `list` and `stats` read: it must agree too.
  Statement facts(m_impl->db,
                  "SELECT r.id, f.month, f.district, f.population, f.setting, "
                  "f.violence_types, f.perpetrators, f.person_ref, "
                  "f.date_precision, ifnull(f.delay_hours, '-'), f.actions, "
                  "f.referrals, f.outcome, f.consent FROM facts f JOIN records "
                  "r USING (created_seq) ORDER BY r.id");
  while (facts.step() == SQLITE_ROW) {
    for (int column = 0; column < 14; ++column) {
      hasher.update(as_bytes(facts.text(column)));
      hasher.update(as_bytes("\n"));
    }
  }
  Statement releases(m_impl->db,
                     "SELECT seq, release FROM releases ORDER BY seq");
  while (releases.step() == SQLITE_ROW) {
    for (int column = 0; column < 2; ++column) {
      hasher.update(as_bytes(releases.text(column)));
      hasher.update(as_bytes("\n"));
    }
  }
  Statement entries(m_impl->db,
                    "SELECT e.seq, e.hash, r.id, e.type, e.member, e.reason, "
                    "ifnull(e.undo, '-') FROM entries e JOIN records r USING "
                    "(created_seq) ORDER BY e.seq");
  while (entries.step() == SQLITE_ROW) {
    for (int column = 0; column < 7; ++column) {
      hasher.update(as_bytes(entries.text(column)));
      hasher.update(as_bytes("\n"));
    }
  }
  return to_hex(hasher.finish());
}

} // namespace custody::index
