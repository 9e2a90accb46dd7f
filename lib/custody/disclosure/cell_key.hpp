// The cell-key method (docs/stats.md 4.8): instead of suppressing, every cell
// is published with a small, bounded, unbiased perturbation looked up in a
// p-table by the cell's key, the sum of its persons' keys. A person's key is
// keyed by a vault secret, so the same persons give the same perturbation in
// every table and every quarter, and differencing two releases gives back
// noise, not a person. The ABS and ONS method (DISCLOSURE.md §1).
#pragma once

#include <custody/base/bytes.hpp>
#include <custody/base/canonical_json.hpp>
#include <custody/base/error.hpp>
#include <custody/disclosure/released.hpp>
#include <custody/disclosure/stats_release.hpp>
#include <custody/records/index.hpp>
#include <custody/stats/table.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace custody::disclosure {

inline constexpr std::string_view k_cell_key_label = "custody-cellkey-v1";

// What the policy fixes for the vault's life (docs/formats.md 6.1).
struct PTableParameters
{
  std::uint32_t max_perturbation = 2; // D: |published - true| <= D
  double variance = 1.0;          // V: of the perturbation, for large counts
  std::uint32_t small_counts = 2; // js: no count 1..js is ever published
};

// The policy's p-table parameters (the defaults where it names none), or
// Errc::corrupt naming the field.
[[nodiscard]] Result<PTableParameters>
ptable_parameters(const json::Json& policy);

// For each true count n, the published counts it may become and the
// probabilities, quantised to 32-bit thresholds so that every machine
// looks up the same entry.
class PTable
{
public:
  [[nodiscard]] static Result<PTable> build(const PTableParameters& params);

  // The published count for true count `n` and cell key `key`.
  std::uint64_t perturb(std::uint64_t n, std::uint32_t key) const;
  // The parameters and every row, as recorded with a release.
  json::Json to_json() const;
  const PTableParameters&
  parameters() const
  {
    return m_params;
  }

  struct Row
  {
    std::vector<std::uint64_t> targets;
    // Cumulative, out of 2^32: the key picks the first target whose
    // threshold exceeds it.
    std::vector<std::uint64_t> thresholds;
  };

private:
  PTableParameters m_params;
  std::vector<Row> m_rows; // n = 0 .. rows - 1; larger n shift the last row
};

// A person's key: the first four bytes of HMAC-SHA-256(secret, reference),
// big-endian.
std::uint32_t person_key(ByteView secret, std::string_view person_ref);

// Publishes `tabulation` by the cell-key method: every cell and total
// perturbed through `ptable` by the sum of its distinct persons' keys
// (modulo 2^32), medians published when at least `threshold` persons stand
// behind them. Zeros stay zero.
Released<StatsRelease> release_cell_key(const stats::Tabulation& tabulation,
                                        const PTable& ptable,
                                        ByteView secret,
                                        std::uint64_t threshold);

// One method per release series (docs/stats.md 4.8): Errc::unsafe naming the
// earlier release when a recorded statistics release whose period meets
// `selection` used another method than `method`.
[[nodiscard]] Result<void>
check_one_method(const std::vector<index::ReleaseRow>& recorded,
                 const stats::Selection& selection,
                 std::string_view method);

} // namespace custody::disclosure
