// The index: one shard per record compartment, derived from the ledger,
// encrypted at rest and authenticated with a MAC keyed from the compartment
// secret (docs/design.md section 8, docs/formats.md section 10).
#pragma once

#include <custody/records/codes.hpp>
#include <custody/records/records.hpp>
#include <custody/vault/vault.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace custody::index {

// One entry of a record as a shard knows it.
struct EntryRow
{
  std::uint64_t seq = 0;
  std::string hash;
  std::string time;
  std::string type; // record | amend
  // An amendment's: the key id of the member whose seal covers it, its reason
  // (identity shard only; empty when none was given), and the merge patch
  // that turns the view after it into the view before it (docs/formats.md
  // 10.1).
  std::string member;
  std::string reason;
  std::optional<json::Json> undo;
};

// An attachment of a record, as the identity shard knows it: the entry that
// added it, its object, and the document's "attachment" object.
struct AttachmentRow
{
  std::uint64_t seq = 0;
  Digest object{};
  std::uint32_t epoch = 0;
  json::Json attachment;
};

// A redaction of a record (docs/formats.md 6.6) as a shard knows it: its
// entry's seq and this shard's document of it, the redaction document in the
// identity shard, the release document in the aggressor shard.
struct RedactionRow
{
  std::uint64_t seq = 0;
  json::Json document;
};

struct RecordRow
{
  std::string id;
  std::uint64_t created_seq = 0;
  std::uint64_t updated_seq = 0;
  std::uint64_t entries = 0;
  std::string created_time;
  json::Json view; // the latest view: the part with every amendment folded in
};

// What the facts shard holds of one record: coded, coarse fields only, for
// statistics. No record id: a table needs none.
struct FactsRow
{
  std::uint64_t created_seq = 0;
  Code month;          // YYYY-MM, or YYYY when only the year is known
  Code date_precision; // year | month | day
  Code district;
  Code population;
  Code setting;
  CodeList violence_types;
  CodeList perpetrators;
  std::string person_ref;
  std::optional<std::int64_t> delay_hours; // none unless known to the day
  CodeList actions;
  CodeList referrals;
  Code outcome;
  CodeList consent; // the consent scopes
};

// A coarse preselection `list` makes in the catalogue, all optional: every
// record that can match is returned, and records::list_records decides
// exactly (records/dimension.hpp), so that listing stays one pass of SQL over
// the catalogue.
struct Filter
{
  std::string from_month; // YYYY-MM: records from this month's year on
  std::string to_month;   // YYYY-MM: records up to this month
  // Each a code or group that must start one of the record's codes.
  std::string violence_type;
  std::string perpetrator;
  std::string population;
  std::string district;
};

// One line of `list`: read from the facts shard's own columns, so listing never
// parses views.
struct ListRow
{
  std::string id;
  std::uint64_t updated_seq = 0;
  std::uint64_t entries = 0;
  std::string created_time;
  FactsRow facts; // facts.created_seq is the record's
};

// A release recorded in the ledger (docs/formats.md 6.5): its entry's seq and
// the document's "release" object.
struct ReleaseRow
{
  std::uint64_t seq = 0;
  json::Json release;
};

struct Stats
{
  std::uint64_t replayed = 0; // entries read from the ledger into the shard
  bool loaded = false;        // a valid saved shard was loaded
  bool rebuilt =
    false; // a saved shard was stale, forged or unreadable and was rebuilt
  bool saved = false;
  // Saved parts that failed their MAC or did not fit this vault: files only
  // this member can write, so `verify --index` reports them.
  std::vector<std::string> rejected;
  // Entries replayed but not applied: amendments sealed by a member whose role
  // may not amend (invariant 19), or never sealed.
  std::vector<std::string> refused;
};

// What a caller will ask of a shard: `list` needs only the catalogue part;
// `stats` only the facts shard's statistics part (docs/formats.md 10.1.1),
// which keeps its own position and leaves the other parts as they are.
enum class Need { catalogue, everything, statistics };

// The incident months a reader counts, "YYYY-MM" to "YYYY-MM" inclusive: the
// records of those months and those dated to one of their years alone.
struct MonthSpan
{
  std::string from;
  std::string to;
};

class Shard
{
public:
  // Loads the shard's catalogue, index/<compartment>.age, when it is valid
  // (age opens it with the member's key, its MAC verifies, it belongs to this
  // vault and compartment) and, unless only the catalogue is needed and it is
  // at the ledger's tip, its detail, index/<compartment>.detail.age, which
  // must reflect the same position; then replays every `put` entry after that
  // position. A stale, forged or mismatched part means a rebuild from the
  // ledger, with a note. Saves nothing: save() does, once the command has done
  // what it was asked. Errc::auth when the member holds no key of this
  // compartment.
  [[nodiscard]] static Result<Shard> open(vault::Vault& vault,
                                          vault::Compartment compartment,
                                          vault::Notes& notes,
                                          Need need = Need::everything);
  // Builds a shard (or, with Need::statistics, the facts shard's statistics
  // part) from the whole ledger in memory, without loading or saving (verify
  // --index).
  [[nodiscard]] static Result<Shard> rebuild(vault::Vault& vault,
                                             vault::Compartment compartment,
                                             Need need = Need::everything);

  Shard(Shard&&) noexcept;
  Shard& operator=(Shard&&) noexcept;
  ~Shard();

  vault::Compartment compartment() const;
  const Stats& stats() const;

  // Saves both parts if open() brought them forward or rebuilt them. Called
  // once a command has done what it was asked, never before it might still
  // refuse: a command refused for bad input writes nothing (docs/formats.md
  // 10.1). A failure to save is a note: the index is derived.
  void save(vault::Notes& notes);

  // The one record `typed` names: its id, a prefix of at least 8 hex digits,
  // or its receipt (records::parse_reference). Errc::not_found, or
  // Errc::invalid_input when it names none or several.
  [[nodiscard]] Result<RecordRow> find(std::string_view typed) const;
  [[nodiscard]] Result<std::vector<EntryRow>>
  history(const std::string& id) const;
  // Records that may match `filter` (a superset: see Filter), oldest first.
  // Only the facts shard can list (Errc::internal otherwise: a caller's bug).
  [[nodiscard]] Result<std::vector<ListRow>> list(const Filter& filter) const;
  // Every record's facts, oldest first, or those of `span`'s months (the facts
  // shard only; Errc::internal otherwise).
  [[nodiscard]] Result<std::vector<FactsRow>>
  facts(const std::optional<MonthSpan>& span = std::nullopt) const;
  // Every release recorded, oldest first (the facts shard only).
  [[nodiscard]] Result<std::vector<ReleaseRow>> releases() const;
  // How many records were created or amended at or after entry `seq`: the
  // most any figure computed before it can have moved since.
  [[nodiscard]] Result<std::uint64_t>
  records_changed_since(std::uint64_t seq) const;
  // A record's attachments in the order they were added (identity shard only;
  // other shards have none).
  [[nodiscard]] Result<std::vector<AttachmentRow>>
  attachments(const std::string& id) const;
  // Every record whose latest view has `value` at `json_path` (SQLite's
  // JSON path, "$.incident.event_ref"), as its id and view, oldest first.
  [[nodiscard]] Result<std::vector<std::pair<std::string, json::Json>>>
  views_sharing(std::string_view json_path, std::string_view value) const;
  // A record's redactions, oldest first (identity and aggressor shards only;
  // the others have none).
  [[nodiscard]] Result<std::vector<RedactionRow>>
  redactions(const std::string& id) const;
  std::uint64_t record_count() const;
  // Every record's id and the seq of the entry that created it, in id order
  // (verify --index compares them with the record list the seals carry).
  [[nodiscard]] Result<std::vector<std::pair<std::string, std::uint64_t>>>
  created() const;
  // Every record's latest view, for comparing two shards (verify --index).
  [[nodiscard]] Result<std::string> digest() const;

private:
  struct Impl;
  explicit Shard(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

} // namespace custody::index
