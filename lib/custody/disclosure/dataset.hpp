// Which rows of a dataset may leave (docs/formats.md 14.5): records whose
// consent includes `publish`, read as rows (stats/microdata.hpp), grouped in
// classes by every published field but the sensitive ones. A class leaves
// only with at least k distinct persons, also when joined with every earlier
// dataset, and at least l distinct values of each sensitive field (violence
// type always among them); the dataset leaves only with a global risk under
// the ceiling, and only if the exact audit (audit.hpp) shows that neither its
// rows nor its withheld classes give back a small cell of an earlier release,
// statistics or dataset. Otherwise Errc::unsafe, with counts, never values.
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/base/error.hpp>
#include <custody/disclosure/released.hpp>
#include <custody/records/index.hpp>
#include <custody/records/readers.hpp>
#include <custody/records/records.hpp>
#include <custody/stats/history.hpp>
#include <custody/stats/microdata.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace custody::disclosure {

struct DatasetRules
{
  std::uint64_t k = 5;    // distinct persons a class holds at least
  std::size_t l = 2;      // distinct values of each sensitive field a class
                          // holds at least
  double max_risk = 0.03; // the global risk a dataset stays under
  // Withhold the rows of the classes that fail, rather than refuse.
  bool suppress = false;
};

// A dataset's narrative column (docs/formats.md 14.5): each row's record's
// latest released redacted text (6.6), never part of the classes.
enum class NarrativeMissing {
  token,     // a row without one stays, its narrative the missing-value token
  leave_out, // a row without one leaves the dataset, before the checks
};

struct DatasetNarratives
{
  NarrativeMissing missing = NarrativeMissing::token;
  // By the record's created_seq (index::FactsRow): the narrative of its
  // latest released text derivative, made after its latest amendment.
  std::map<std::uint64_t, std::string> released;
  // Records whose latest released derivative was made before their latest
  // amendment, or was followed by a text redaction not released (stale): it
  // speaks of a record that has changed since, or was found wanting.
  std::set<std::uint64_t> stale;
};

// The released narratives of every record the aggressor shard holds, as any
// member who holds it reads them (legal or advocacy alike, so the dataset
// does not depend on who makes it): the latest text derivative whose release
// document says released, its `text.narrative`. Consent is the caller's to
// check as it is now (select_micro keeps only `publish`). Errc::auth naming
// the field when the member's keys do not open the aggressor compartment.
[[nodiscard]] Result<DatasetNarratives>
released_narratives(const records::Shards& shards, NarrativeMissing missing);

// What the check found, in counts only.
struct DatasetCheck
{
  std::size_t records = 0; // rows published
  std::size_t persons = 0; // distinct persons behind them
  std::size_t classes = 0; // classes published
  std::size_t withheld_records = 0;
  std::size_t withheld_classes = 0;
  std::uint64_t smallest_class = 0; // persons, joined with earlier datasets
  std::size_t least_diverse = 0;    // fewest distinct sensitive values
  double risk = 0;                  // the global risk (docs/formats.md 14.5)
  std::uint64_t without_consent = 0;
  std::uint64_t year_only = 0;
  std::size_t earlier_datasets = 0; // joined with
  std::size_t earlier_tables = 0;   // audited with, of any release
  std::uint64_t lps = 0;            // linear programs the audit solved
  // With a narrative column: of the consenting rows, how many carry a
  // released narrative, and why the others have none (no released redacted
  // text; one made before the record's latest amendment), counted before
  // the classes; `narrative_left_out` of them left the dataset
  // (NarrativeMissing::leave_out), the rest have the missing-value token.
  std::size_t narratives = 0;
  std::size_t narrative_none = 0;
  std::size_t narrative_stale = 0;
  std::size_t narrative_left_out = 0;
};

struct Dataset
{
  stats::MicroSpec spec;
  // The published rows, each row_of() every field, sorted (with their
  // narratives, when the dataset has that column).
  std::vector<std::vector<std::string>> rows;
  // Aligned with `rows` when the dataset has a narrative column (a released
  // narrative, or stats::k_not_recorded); empty otherwise.
  std::vector<std::string> narratives;
  std::optional<NarrativeMissing> narrative;
  // Every whole row the selection holds, sorted, with the records published
  // under it, nullopt when its class was withheld: what the release entry
  // records, so that later releases are audited against it.
  std::vector<std::pair<std::vector<std::string>, std::optional<std::uint64_t>>>
    tuples;
  DatasetCheck check;
  DatasetRules rules;
};

// Checks and releases the dataset of `spec` over `all` (the facts shard's
// rows), against the releases `recorded` in the ledger; `changed_since(n)` is
// how many records were created or amended after ledger size n (the slack of
// an earlier release's figures). With `narratives`, each row carries its
// record's released narrative: a free-text sensitive attribute, outside the
// classes (docs/formats.md 14.5); rows without one are left out before the
// checks, or keep the missing-value token, as `narratives->missing` says.
// Errc::invalid_input when no consenting record falls in the period;
// Errc::unsafe when the dataset cannot leave (the message gives counts).
[[nodiscard]] Result<Released<Dataset>>
release_dataset(const std::vector<index::FactsRow>& all,
                const stats::MicroSpec& spec,
                const records::Places* places,
                const DatasetRules& rules,
                const std::vector<index::ReleaseRow>& recorded,
                const stats::ChangedSince& changed_since,
                const DatasetNarratives* narratives = nullptr);

// The "release" object of the entry that records a dataset (docs/formats.md
// 6.5).
json::Json dataset_release_document(const Released<Dataset>& dataset,
                                    std::uint64_t tree_size,
                                    const std::string& output_sha256);

} // namespace custody::disclosure
