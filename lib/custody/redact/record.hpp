// Redacting one record's text (docs/formats.md 6.6): what the engine
// (text.hpp) is given from the record, its event and the policy; the member's
// review of the proposals applied; the fail-closed checks on the result; and
// the `redaction` entry that keeps it. Nothing is printed here: cmd/ shows the
// proposals and asks.
#pragma once

#include <custody/records/readers.hpp>
#include <custody/redact/text.hpp>
#include <custody/vault/vault.hpp>

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace custody::redact {

// The redaction policy of a vault, for Redactor::create. Errc::usage with a
// remedy when the policy names no phone region (docs/formats.md 6.6).
[[nodiscard]] Result<Policy> policy_of(const vault::Vault& vault);

// One text of a record that redaction covers: "narrative" (narrative.text) or
// "notes" (response.notes).
struct FieldText
{
  std::string field;
  std::string text;
  Redaction proposed;
};

struct TextProposal
{
  std::string record;
  // The record's latest entry: what the derivative is made from.
  std::uint64_t source_seq = 0;
  std::string source_hash;
  std::string language;
  std::vector<FieldText> fields;
  // Everything the engine was given but the text (TextInput::text is set per
  // field).
  Identity own;
  std::vector<Identity> others;
  std::string location;
  // The vault's term list (Vault::terms).
  std::vector<Term> terms;
  bool keep_dates = false;
  // Whether the record's consent scopes include `publish`.
  bool publish = false;
};

// The proposals for record `id`: its identity values, the identity values of
// the other records of its event (event_ref), its location and the vault's
// `terms`, matched in its narrative and notes. Errc::auth unless `shards` open
// identity, narrative and facts (a legal member); Errc::invalid_input when the
// record has no text to redact, or its text is not UTF-8 (naming the field and
// byte).
[[nodiscard]] Result<TextProposal> propose_text(const records::Shards& shards,
                                                const std::string& id,
                                                const Redactor& redactor,
                                                const std::vector<Term>& terms,
                                                bool keep_dates);

// The vault's term list as the engine's terms: Errc::corrupt for an item
// that is not {"text", "kind": "name" | "place"}.
[[nodiscard]] Result<std::vector<Term>> terms_from_json(const json::Json& list);
// The term list of a text file, one term a line ("place: ..." for a place;
// blank lines and lines starting with # skipped), as the vault keeps it.
// Errc::invalid_input naming the line of a term that is not UTF-8, has no
// letter or digit, or is longer than 200 bytes.
[[nodiscard]] Result<json::Json> parse_term_file(std::string_view text);

// What the member decided: for each field (in TextProposal::fields order),
// whether each proposed span is removed (true) or put back; and words or
// phrases she added, removed wherever they occur as names.
struct Review
{
  std::vector<std::vector<bool>> removed;
  std::vector<std::string> added;
  // True when she was shown every proposal; false for --approve.
  bool reviewed = false;
};

struct Check
{
  std::string name;
  bool passed = false;
};

struct TextResult
{
  // field -> redacted text
  json::Json text = json::Json::object();
  // counts of the removals by kind name, never their values
  json::Json counts = json::Json::object();
  std::size_t added = 0;
  std::size_t restored = 0;
  std::vector<Check> checks;
  std::string source_sha256;
  std::string output_sha256;
};

// The removals a review leaves, applied, and checked. Errc::invalid_input
// when an added term is not UTF-8 or has no letter or digit; Errc::check_failed
// naming the check when an identity value of the record or its event is left
// in the output (a span put back that was one): nothing is to be stored then.
[[nodiscard]] Result<TextResult> finish_text(const Redactor& redactor,
                                             const TextProposal& proposal,
                                             const Review& review);

// The versions of the code that matched, for the provenance.
json::Json engine_versions();

// Appends the `redaction` entry (docs/formats.md 6.6) with its seal; returns
// its seq. The release document carries the text when `review.reviewed` and
// the record consents to `publish`. Errc::auth unless the member may write a
// redaction (legal).
[[nodiscard]] Result<std::uint64_t>
record_text_redaction(vault::Vault& vault,
                      const TextProposal& proposal,
                      const Review& review,
                      const TextResult& result,
                      const Policy& policy);

// The two documents of a `redaction` entry (docs/formats.md 6.6), sealed and
// durable: the redaction document (`redaction`, for record `record`) to the
// identity compartment, the release document to the aggressor compartment.
[[nodiscard]] Result<std::array<ledger::PayloadRef, 2>>
seal_redaction_documents(vault::Vault& vault,
                         const std::string& record,
                         const json::Json& redaction,
                         json::Json release);

// A record's current derivative as the member's shards show it: the latest
// redaction (identity shard, legal) or the latest release document
// (aggressor shard, advocacy). `stale` when the record was amended after it.
struct Derivative
{
  std::string record;
  std::uint64_t seq = 0;
  bool released = false;
  bool stale = false;
  // "reviewed" or "unreviewed"; empty when only the release document is read
  std::string review;
  json::Json text = json::Json::object();
  json::Json counts; // null unless the member reads the redaction document
  std::string output_sha256;
};

// Errc::not_found when the record has no derivative the member may read (none
// was made, or none was released to her role); Errc::auth when her keys open
// neither identity nor aggressor.
[[nodiscard]] Result<Derivative>
current_derivative(const records::Shards& shards, const std::string& id);

} // namespace custody::redact
