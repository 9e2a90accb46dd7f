// Records: the four compartment payloads of an incident, their derived coarse
// fields, and writing them as `put` entries (docs/records.md, docs/formats.md
// section 6.2).
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/ledger/store.hpp>
#include <custody/records/form.hpp>
#include <custody/schema/schema.hpp>
#include <custody/vault/vault.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace custody::records {

// The compartments a record is split into, in the order of a `put` entry's
// payloads.
constexpr vault::Compartment k_parts[] = {vault::Compartment::identity,
                                          vault::Compartment::narrative,
                                          vault::Compartment::facts,
                                          vault::Compartment::aggressor};
constexpr std::size_t k_part_count = std::size(k_parts);

// One JSON object per compartment, in k_parts order.
using Parts = std::array<json::Json, k_part_count>;

std::size_t part_index(vault::Compartment compartment);

// The organisation's places: districts grouped into named regions
// (docs/records.md section 4).
struct Places
{
  struct District
  {
    std::string name;
    std::string region;
    std::string region_name;
  };
  std::map<std::string, District> districts;

  // Parses places.yaml: {regions: [{code, name}], districts: [{code, name,
  // region}]}.
  [[nodiscard]] static Result<Places> parse(std::string_view yaml_text);
  json::Json to_json() const;
  [[nodiscard]] static Result<Places> from_json(const json::Json& value);
};

// Adds the derived, coarsened fields of docs/records.md section 2 to `parts`,
// from the whole `form`. Fails (Errc::invalid_input) when the district is not
// one of `places` (if given).
[[nodiscard]] Result<void>
derive(const json::Json& form, Parts& parts, const Places* places);

// Removes the fields derive() adds, leaving each part as the form gave it.
Parts strip_derived(Parts parts);

// Deep-merges the parts back into one form (the compartments partition the
// form's leaves).
json::Json merge_parts(const Parts& parts);

// The RFC 7396 merge patch that turns `from` into `to` (arrays and scalars are
// replaced whole, removed members become null); an empty object when they are
// equal.
json::Json make_merge_patch(const json::Json& from, const json::Json& to);

// 128 random bits, lowercase hex (docs/decisions.md "Ids").
std::string new_record_id();

enum class EntryType { record, amend };
std::string_view entry_type_name(EntryType type);

// What one `put` entry says about a record, in each compartment's payload
// document:
// {"type", "record", "prev", "data", "salt"}, and for an amendment with a
// reason, "reason" in the identity document (docs/formats.md 6.2).
struct Change
{
  std::string record_id;
  EntryType type = EntryType::record;
  std::optional<Digest> prev; // the record's previous entry, for an amendment
  Parts data; // the record's parts, or one RFC 7396 merge patch per part
  std::string reason; // an amendment's, or empty
  // Where the form came from, for messages (prepare() sets it).
  form::Origin origin{};
};

// The SHA-256 of the canonical JSON of the form a record's parts hold, its
// derived fields left out (merge_parts(strip_derived(parts))): two records
// made from the same form, in YAML or JSON, in any key order, have the same
// (docs/formats.md 6.4.1). The keyed hash the seal carries is made from it
// (vault::Vault::form_hash).
Digest form_digest(const Parts& parts);

// An amendment's reason is at most this many bytes of UTF-8.
inline constexpr std::size_t k_max_reason_bytes = 1024;

// Splits valid forms into their compartments and adds the derived fields, on
// every core. Checks what the schema cannot say (document_only must be the only
// consent scope; the district must be one of `places`, when given). All or
// nothing: returns every form's change, or Errc::invalid_input listing up to 20
// problems as "file:line: /field: problem" (never a field's value). Each
// form's value is moved into its change, not copied (a batch holds 10,000
// narratives); the origins stay.
[[nodiscard]] Result<std::vector<Change>>
prepare(std::vector<form::Form>& forms,
        const schema::SchemaSet& schemas,
        const Places* places);

// The parts of one valid form (as prepare(), for one form); `origin` names it
// in messages.
[[nodiscard]] Result<Parts> parts_of(json::Json form,
                                     const form::Origin& origin,
                                     const schema::SchemaSet& schemas,
                                     const Places* places);

struct Written
{
  std::string record_id;
  std::uint64_t seq = 0;
  Digest hash{};
};

// Whether a new record made from the same form as a record the list holds,
// or as an earlier form of the batch, is refused (docs/formats.md 6.4.1).
enum class Duplicates { refuse, allow };

struct WriteOptions
{
  Duplicates duplicates = Duplicates::refuse;
  // Notes from reading the record list, and the likely duplicates let
  // through; dropped when null.
  vault::Notes* notes = nullptr;
};

// A batch of changes made ready to append: every payload encrypted into
// `objects`, which are not yet durable, and one entry per change, each new
// record named for the seal.
struct Staged
{
  std::unique_ptr<store::ObjectBatch> objects;
  std::vector<vault::Vault::NewEntry> entries;
  // The changes' record ids, in order (a new record's id may have been drawn
  // again: see stage()).
  std::vector<std::string> ids;
};

// Checks the new records of `changes` against the vault's record list and
// encrypts every change's four payloads (on all cores). A new record whose
// receipt another record has (docs/formats.md 6.2.2) gets a new id, so
// receipts stay unique. A new record made from the same form as a listed
// record, or as an earlier change of the batch, is refused
// (Errc::invalid_input naming the form's file and line and the earlier
// record's receipt, or the earlier form) unless `options` allow duplicates;
// then each is a note.
[[nodiscard]] Result<Staged> stage(vault::Vault& vault,
                                   std::vector<Change> changes,
                                   const WriteOptions& options = {});

// stage(), then the objects made durable in one batch, then one `put` entry
// per change and the member's seal appended in one durable write. All or
// nothing: on error no entry is written (objects already made durable are
// reported by verify as unreferenced, never deleted).
[[nodiscard]] Result<std::vector<Written>>
write(vault::Vault& vault,
      std::vector<Change> changes,
      const WriteOptions& options = {});

} // namespace custody::records
