// Court bundles (docs/formats.md 14): the records a legal member names, with
// their originals, their ledger entries with the commitments a court may see
// opened, inclusion proofs against a signed checkpoint and the custody log,
// as a BagIt bag a clerk checks with standard tools, and the `export` entry
// (6.7) that keeps the vault's own record of it.
#pragma once

#include <custody/base/notes.hpp>
#include <custody/disclosure/court.hpp>
#include <custody/export/bag.hpp>
#include <custody/records/readers.hpp>
#include <custody/vault/vault.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace custody::bundle {

// The consent scope a court bundle needs (docs/records.md, consent.scopes).
constexpr std::string_view k_court_consent = "legal_action";

// A court recipe (`kind: court`, examples/recipes/court.yaml).
struct CourtRecipe
{
  std::string organisation;                  // Source-Organization
  std::optional<std::string> case_reference; // External-Identifier
  // Form fields ("person.address") the bundle leaves out, and
  // "attachment_documents". The default leaves out what a bundle that may
  // reach the defence must not carry: the address and the phones.
  std::vector<std::string> leave_out = {"person.address", "person.phones"};
};

// The `kind` of a recipe, to pick its parser. Errc::invalid_input naming the
// line when the text is not a YAML mapping with a text `kind`.
[[nodiscard]] Result<std::string> recipe_kind(std::string_view yaml_text);
// Errc::invalid_input naming the line of the first problem: an unknown key,
// a value of the wrong type, a field the incident form does not have.
[[nodiscard]] Result<CourtRecipe>
parse_court_recipe(std::string_view yaml_text);
// The recipe's leave_out as disclosure's fields.
disclosure::CourtFields court_fields(const CourtRecipe& recipe);

struct CourtRequest
{
  CourtRecipe recipe;
  std::string recipe_name;          // the file's base name
  std::string recipe_sha256;        // of its bytes, lower hex
  std::vector<std::string> records; // as typed: ids, prefixes, receipts
  std::filesystem::path out;
  Replace replace = Replace::no;
  std::string software_version;
  std::string bagging_date; // YYYY-MM-DD
  // A time-stamp authority to ask, with curl, for a token over the bundle's
  // checkpoint when it has none (docs/formats.md 12.3).
  std::optional<std::string> tsa_url;
  // Encrypt the archive to this age recipient as it is written (`out` a
  // .tar.age or .zip.age).
  std::optional<age::X25519Recipient> encrypt_to;
};

struct CourtRecord
{
  std::string id;
  std::vector<std::uint64_t> entries; // its record, amendment, attachment
                                      // and redaction entries, ascending
  std::size_t attachments = 0;
  std::uint64_t attachment_bytes = 0;
};

struct CourtPlan
{
  std::vector<CourtRecord> records; // those going out, in the order asked
  std::size_t left_out_consent = 0; // asked for, without legal_action
  // The newest signed checkpoint when it covers every entry; nullopt when
  // the export will sign one.
  std::optional<std::uint64_t> checkpoint;
  std::uint64_t attachment_bytes = 0;
  std::size_t attachments = 0;
};

// What would go out. Errc::auth unless the member opens every record
// compartment (legal); Errc::not_found (exit 3) for an id the vault does not
// hold; Errc::invalid_input when no record asked for may go out.
[[nodiscard]] Result<CourtPlan> plan_court_bundle(vault::Vault& vault,
                                                  const records::Shards& shards,
                                                  const CourtRequest& request,
                                                  Notes& notes);

struct CourtBundle
{
  BagSummary bag;
  std::uint64_t checkpoint = 0;
  bool checkpoint_signed = false; // this export signed it
  bool timestamped = false;
  std::uint64_t export_seq = 0;
  std::string key;    // the vault key line, RW...
  std::string key_id; // as minisign prints it
};

// Writes the bag, appends the `export` entry once the bag is durable under
// its temporary name, and renames it to `request.out` (formats.md 14.2).
// Nothing is left and nothing appended on an error before the entry.
[[nodiscard]] Result<CourtBundle>
write_court_bundle(vault::Vault& vault,
                   const records::Shards& shards,
                   const CourtRequest& request,
                   const CourtPlan& plan,
                   Notes& notes);

} // namespace custody::bundle
