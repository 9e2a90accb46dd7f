// The cell-key method (cell_key.hpp, docs/stats.md 4.8).
#include <custody/crypto/crypto.hpp>
#include <custody/disclosure/cell_key.hpp>
#include <custody/disclosure/disclosure_internal.hpp>
#include <custody/stats/history.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace custody::disclosure {

namespace {

constexpr double k_key_space = 4294967296.0; // 2^32
constexpr std::uint64_t k_key_span = 1ULL << 32;

// Probabilities over `offsets` (target - n) proportional to
// exp(a * d - b * d^2); log-sum-exp keeps large exponents finite.
std::vector<double>
weights(const std::vector<double>& offsets, double a, double b)
{
  double top = -std::numeric_limits<double>::infinity();
  for (double d : offsets) {
    top = std::max(top, a * d - b * d * d);
  }
  std::vector<double> p;
  double sum = 0;
  for (double d : offsets) {
    p.push_back(std::exp(a * d - b * d * d - top));
    sum += p.back();
  }
  for (double& x : p) {
    x /= sum;
  }
  return p;
}

double
moment(const std::vector<double>& offsets,
       const std::vector<double>& p,
       int power)
{
  double sum = 0;
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    sum += p[i] * std::pow(offsets[i], power);
  }
  return sum;
}

// The tilt `a` at which the mean offset is zero, for a given `b` (the mean
// grows with `a`). Bisection, a fixed number of steps: the same on every
// machine.
double
centring_tilt(const std::vector<double>& offsets, double b)
{
  // Wide enough to balance b * d^2 for every b and d the table allows.
  double low = -4000;
  double high = 4000;
  for (int step = 0; step < 200; ++step) {
    const double mid = (low + high) / 2;
    if (moment(offsets, weights(offsets, mid, b), 1) < 0) {
      low = mid;
    } else {
      high = mid;
    }
  }
  return (low + high) / 2;
}

// The maximum-entropy distribution over `offsets` with mean zero and the
// variance nearest `variance` (the variance falls as `b` grows; a negative
// `b` pushes mass outwards).
std::vector<double>
row_probabilities(const std::vector<double>& offsets, double variance)
{
  auto at = [&](double b) {
    return weights(offsets, centring_tilt(offsets, b), b);
  };
  double low = -60;
  double high = 60;
  if (moment(offsets, at(low), 2) <= variance) {
    return at(low);
  }
  for (int step = 0; step < 100; ++step) {
    const double mid = (low + high) / 2;
    if (moment(offsets, at(mid), 2) > variance) {
      low = mid;
    } else {
      high = mid;
    }
  }
  return at((low + high) / 2);
}

Result<std::uint32_t>
small_field(const json::Json& section,
            std::string_view name,
            std::uint32_t fallback,
            std::uint32_t most)
{
  if (!section.contains(name)) {
    return fallback;
  }
  const json::Json& value = section[std::string(name)];
  if (!value.is_number_integer() || value.get<std::int64_t>() < 0
      || value.get<std::uint64_t>() > most) {
    return make_error(
      Errc::corrupt,
      fmt::format("the policy's cell_key.{} is not a whole number from 0 to {}",
                  name,
                  most),
      "");
  }
  return static_cast<std::uint32_t>(value.get<std::uint64_t>());
}

} // namespace

Result<PTableParameters>
ptable_parameters(const json::Json& policy)
{
  PTableParameters params;
  if (!policy.is_object() || !policy.contains("cell_key")) {
    return params;
  }
  const json::Json& section = policy["cell_key"];
  if (!section.is_object()) {
    return make_error(
      Errc::corrupt, "the policy's cell_key is not an object", "");
  }
  CUSTODY_ASSIGN(most, small_field(section, "max_perturbation", 2, 10));
  CUSTODY_ASSIGN(small, small_field(section, "small_counts", 2, 10));
  params.max_perturbation = most;
  params.small_counts = small;
  if (section.contains("variance")) {
    // A string: canonical JSON holds no floating point.
    const json::Json& value = section["variance"];
    const std::string text = value.is_string() ? value.get<std::string>() : "";
    double parsed = 0;
    const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()
        || !(parsed > 0)) {
      return make_error(Errc::corrupt,
                        "the policy's cell_key.variance is not a positive "
                        "decimal in a string (\"1\", \"0.5\")",
                        "");
    }
    params.variance = parsed;
  }
  const auto d = static_cast<double>(params.max_perturbation);
  if (params.max_perturbation == 0 || !(params.variance < d * d)
      || params.small_counts > params.max_perturbation) {
    return make_error(Errc::corrupt,
                      "the policy's cell_key needs a max_perturbation D of at "
                      "least 1, a variance below D squared and small_counts "
                      "of at most D",
                      "");
  }
  return params;
}

Result<PTable>
PTable::build(const PTableParameters& params)
{
  const auto most = static_cast<double>(params.max_perturbation);
  // A true count from 1 to js must be able to go both to 0 and above js,
  // within D: js <= D.
  if (params.max_perturbation == 0 || !(params.variance > 0)
      || !(params.variance < most * most)
      || params.small_counts > params.max_perturbation) {
    return make_error(Errc::invalid_input,
                      "a p-table needs a maximum perturbation D of at least 1, "
                      "a variance above 0 and below D squared, and small "
                      "counts of at most D",
                      "");
  }
  PTable table;
  table.m_params = params;
  const std::uint64_t d = params.max_perturbation;
  const std::uint64_t js = params.small_counts;
  // From js + D + 1 on, every target within D is publishable and the row is
  // the same shifted by n.
  const std::uint64_t last = js + d + 1;
  for (std::uint64_t n = 0; n <= last; ++n) {
    Row row;
    for (std::uint64_t t = n > d ? n - d : 0; t <= n + d; ++t) {
      if (n == 0 ? t == 0 : (t == 0 || t > js)) {
        row.targets.push_back(t);
      }
    }
    std::vector<double> p;
    const bool inside =
      std::find(row.targets.begin(), row.targets.end(), n) != row.targets.end();
    if (row.targets.size() == 1 || n == row.targets.front()
        || (inside && n == row.targets.back())) {
      // Mean n is reachable only by publishing n itself.
      row.targets = {n};
      p = {1.0};
    } else {
      std::vector<double> offsets;
      for (auto t : row.targets) {
        offsets.push_back(static_cast<double>(t) - static_cast<double>(n));
      }
      p = row_probabilities(offsets, params.variance);
    }
    double cumulative = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      cumulative += p[i];
      const auto threshold =
        i + 1 == p.size()
          ? k_key_span
          : std::min<std::uint64_t>(
            k_key_span,
            static_cast<std::uint64_t>(std::llround(cumulative * k_key_space)));
      row.thresholds.push_back(threshold);
    }
    table.m_rows.push_back(std::move(row));
  }
  return table;
}

std::uint64_t
PTable::perturb(std::uint64_t n, std::uint32_t key) const
{
  const std::uint64_t last = m_rows.size() - 1;
  const Row& row = m_rows[std::min(n, last)];
  const std::uint64_t shift = n > last ? n - last : 0;
  for (std::size_t i = 0; i < row.targets.size(); ++i) {
    if (key < row.thresholds[i]) {
      return row.targets[i] + shift;
    }
  }
  return row.targets.back() + shift;
}

json::Json
PTable::to_json() const
{
  json::Json rows = json::Json::array();
  for (std::size_t n = 0; n < m_rows.size(); ++n) {
    rows.push_back({{"n", n},
                    {"targets", m_rows[n].targets},
                    {"thresholds", m_rows[n].thresholds}});
  }
  return {{"max_perturbation", m_params.max_perturbation},
          {"variance", fmt::format("{:g}", m_params.variance)},
          {"small_counts", m_params.small_counts},
          {"rows", std::move(rows)}};
}

std::uint32_t
person_key(ByteView secret, std::string_view person_ref)
{
  const Digest mac = hmac_sha256(secret, as_bytes(person_ref));
  return (std::uint32_t{mac[0]} << 24) | (std::uint32_t{mac[1]} << 16)
         | (std::uint32_t{mac[2]} << 8) | std::uint32_t{mac[3]};
}

Released<StatsRelease>
release_cell_key(const stats::Tabulation& tabulation,
                 const PTable& ptable,
                 ByteView secret,
                 std::uint64_t threshold)
{
  std::vector<std::uint32_t> keys;
  keys.reserve(tabulation.person_refs.size());
  for (const auto& ref : tabulation.person_refs) {
    keys.push_back(person_key(secret, ref));
  }
  StatsRelease release;
  release.threshold = threshold;
  release.method = "cellkey";
  release.p_table = ptable.to_json();
  std::vector<std::uint32_t> persons;
  for (const auto& table : tabulation.tables) {
    if (table.earlier) {
      continue;
    }
    PublishedTable published{table.spec, table.rows, table.columns, {}};
    for (const auto& cell : table.cells) {
      persons.clear();
      for (auto c : cell.combinations) {
        const auto& in = tabulation.combination_persons[c];
        persons.insert(persons.end(), in.begin(), in.end());
      }
      std::sort(persons.begin(), persons.end());
      persons.erase(std::unique(persons.begin(), persons.end()), persons.end());
      std::uint32_t key = 0; // wraps: the sum modulo 2^32
      for (auto person : persons) {
        key += keys[person];
      }
      published.cells.emplace_back(
        cell.records == 0 ? 0 : ptable.perturb(cell.records, key));
      ++release.audit.cells;
    }
    release.tables.push_back(std::move(published));
  }
  release.audit.combinations = tabulation.combination_records.size();
  for (const auto& measure : tabulation.measures) {
    release.measures.push_back(PublishedMeasure{measure.id,
                                                measure.title,
                                                measure.persons >= threshold
                                                  ? std::optional(measure.value)
                                                  : std::nullopt});
  }
  return Releaser::release(std::move(release));
}

Result<void>
check_one_method(const std::vector<index::ReleaseRow>& recorded,
                 const stats::Selection& selection,
                 std::string_view method)
{
  for (const auto& row : recorded) {
    const json::Json& release = row.release;
    if (!release.is_object() || release.value("kind", "") != "stats") {
      continue;
    }
    const std::string earlier = release.value("method", "suppression");
    if (earlier == method) {
      continue;
    }
    stats::Selection theirs;
    const json::Json period =
      release.contains("selection") && release["selection"].is_object()
        ? release["selection"].value("period", json::Json(nullptr))
        : json::Json(nullptr);
    if (period.is_object()) {
      theirs.period =
        records::Period{period.value("from", ""), period.value("to", "")};
    }
    if (stats::overlaps(selection, theirs)) {
      return make_error(
        Errc::unsafe,
        fmt::format("stats: the release recorded at entry {} covers the same "
                    "months by the {} method; one release series uses one "
                    "method, or the two can be differenced; nothing was "
                    "written",
                    row.seq,
                    earlier == "cellkey" ? "cell-key" : earlier),
        Remedy::same_method,
        fmt::format("that release's method is {}", earlier));
    }
  }
  return {};
}

} // namespace custody::disclosure
