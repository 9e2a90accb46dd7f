// Releases recorded in the ledger (docs/formats.md 6.5), read back so that a
// new release is audited against what was published before it (docs/stats.md
// 4.7), and the selection a release records.
#pragma once

#include <custody/base/canonical_json.hpp>
#include <custody/base/error.hpp>
#include <custody/records/index.hpp>
#include <custody/stats/microdata.hpp>
#include <custody/stats/table.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace custody::stats {

// What a release counted: recorded with it, so it can be counted again.
json::Json selection_json(const Selection& selection, const Coding& coding);

struct RecordedRelease
{
  std::uint64_t seq = 0;
  std::uint64_t tree_size = 0;
  Selection selection;
  Coding coding;              // places are the caller's
  std::vector<TableJob> jobs; // one a table, with its recorded figures
  // A dataset release (kind "dataset"): its one table is its rows as
  // published, counted again by micro_job(); its selection's period is the
  // dataset's.
  std::optional<MicroSpec> micro;
};

// Reads a recorded release, of statistics or a dataset. Errc::corrupt naming
// the entry when it does not have the shape docs/formats.md 6.5 gives.
[[nodiscard]] Result<RecordedRelease>
parse_recorded(const index::ReleaseRow& row, const records::Places* places);

// Whether two selections' periods share a month (no period: all time).
bool overlaps(const Selection& a, const Selection& b);

// The months whose records a release of `selection` reads: its period and
// that of every recorded release it is audited with (one whose period meets
// it), from the first month of any to the last; nullopt for all time (no
// period, or a recorded release without one). A reader needs no other
// record, so the facts outside are never decoded.
[[nodiscard]] Result<std::optional<index::MonthSpan>>
months_needed(const Selection& selection,
              const std::vector<index::ReleaseRow>& recorded,
              const records::Places* places);

// What a release of `selection` reads from the facts shard (its statistics
// part): every release recorded, and the facts of the months months_needed()
// gives, so that both commands that publish figures read alike.
struct Readings
{
  std::vector<index::ReleaseRow> recorded;
  std::vector<index::FactsRow> rows;
};
[[nodiscard]] Result<Readings> read_for_release(const index::Shard& facts,
                                                const Selection& selection,
                                                const records::Places* places);

// Fills each job of `release` with the records it counts today, and its
// slack.
void recount(RecordedRelease& release,
             const std::vector<index::FactsRow>& all,
             std::uint64_t slack);

// How many records were created or amended at or after an entry: the most a
// figure computed from the tree of that size can have moved since
// (index::Shard::records_changed_since).
using ChangedSince = std::function<Result<std::uint64_t>(std::uint64_t)>;

// This release's tables over `counted`, then the tables of every recorded
// release whose period meets `selection`, counted again over `all` with the
// slack `changed_since(its tree size)` gives, all over one set of
// combinations; and the median delay of `counted`.
[[nodiscard]] Result<Tabulation>
tabulate_with_history(const std::vector<index::FactsRow>& all,
                      const Counted& counted,
                      const std::vector<TableSpec>& specs,
                      const Selection& selection,
                      const Coding& coding,
                      const std::vector<index::ReleaseRow>& recorded,
                      const ChangedSince& changed_since);

} // namespace custody::stats
