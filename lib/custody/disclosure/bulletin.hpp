// What of the records a safety bulletin may carry (docs/formats.md 14.4): the
// consenting reports old enough, each at the coarsest of month, quarter and
// period that holds reports of at least k distinct persons in its region, or
// withheld; the aggressor as recorded, nothing of the person.
#pragma once

#include <custody/disclosure/released.hpp>
#include <custody/records/index.hpp>
#include <custody/records/records.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace custody::disclosure {

constexpr std::string_view k_bulletin_consent = "safety_alert";

// One report as a bulletin shows it. `record` is for grouping and counting
// only; no channel prints it, nor the phones and handles, which link repeat
// reports.
struct BulletinReport
{
  std::string record;
  std::string region; // the region's name
  std::string window; // "2025-06", "2025-Q2" or "2025-01 to 2025-06"
  std::string description;
  std::string vehicle; // "dark green older saloon car"
  std::string plate;
  std::string modus_operandi;
  std::vector<std::string> phones;
  std::vector<std::string> handles;
};

struct BulletinSelection
{
  std::vector<BulletinReport> items; // in the period, sorted
  // every consenting report old enough, any period: what repeat bands count
  std::vector<BulletinReport> reports;
  std::size_t withheld = 0;   // in the period, too few persons in the region
  std::size_t too_recent = 0; // in the period, within the delay
};

struct BulletinOptions
{
  std::string from; // YYYY-MM
  std::string to;   // YYYY-MM
  std::size_t k = 3;
  // RFC 3339 UTC: records whose entry is later than this are too recent
  std::string entered_by;
};

// `rows` from the facts shard, `aggressors` each record's aggressor part by
// id (the aggressor compartment's view).
Released<BulletinSelection>
select_bulletin(const std::vector<index::ListRow>& rows,
                const std::map<std::string, json::Json>& aggressors,
                const std::optional<records::Places>& places,
                const BulletinOptions& options);

} // namespace custody::disclosure
