// Benchmark helper: fills a vault with synthetic records through the library,
// and times opening.
//   custody_bench fill VAULT IDENTITY PASSPHRASE_FILE COUNT BATCH
//   custody_bench open VAULT IDENTITY PASSPHRASE_FILE
//   custody_bench proofs DIR COUNT
//   custody_bench audit RECORDS CELLS LP_FILE
//   custody_bench audit-year RECORDS CELLS
//   custody_bench records COUNT
//   custody_bench redact COUNT
// `proofs` writes a synthetic ledger of COUNT chained `put` entries (four
// payloads each, the size of real ones) to DIR/ledger, then times what
// checkpoints and proofs cost at that size (docs/performance.md "Proofs").
// `records` times the record list of COUNT records (docs/formats.md 10.3):
// building it, sealing and opening the member's copy, looking up ids and
// forms (docs/performance.md "The record list").
// `redact` redacts COUNT synthetic narratives in the five example languages,
// each with its own person's names, phones, e-mails and place, through one
// redactor (docs/performance.md "Text redaction").
#include <custody/crypto/crypto.hpp>
#include <custody/disclosure/stats_release.hpp>
#include <custody/keys/passphrase.hpp>
#include <custody/ledger/cache_file.hpp>
#include <custody/ledger/checkpoint.hpp>
#include <custody/records/dimension.hpp>
#include <custody/records/index.hpp>
#include <custody/records/records.hpp>
#include <custody/redact/text.hpp>
#include <custody/schema/schema.hpp>
#include <custody/stats/table.hpp>
#include <custody/sys/fs.hpp>
#include <custody/sys/hardening.hpp>
#include <custody/vault/record_set.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace custody;

namespace {

// A vocabulary's codes, from the schemas built into the library (all read
// once, before any thread asks: the fill writes on several).
const std::vector<std::string>&
codes_of(const std::string& file)
{
  static const auto all = [] {
    std::map<std::string, std::vector<std::string>> out;
    for (const char* name : {"setting",
                             "violence_type",
                             "perpetrator",
                             "response_action",
                             "referral",
                             "outcome"}) {
      const auto text =
        schema::embedded_files().at("vocab/" + std::string(name) + ".json");
      // Kept alive for the loop: a range over a temporary's member would
      // dangle.
      const json::Json vocabulary = json::Json::parse(text);
      for (const auto& code : vocabulary.at("enum")) {
        out[name].push_back(code.get<std::string>());
      }
    }
    return out;
  }();
  return all.at(file);
}

// A deterministic draw, skewed towards the first codes (Zipf-like), as real
// caseloads are: a few kinds of violence and perpetrators dominate.
std::uint64_t
draw(std::uint64_t i, std::uint64_t salt, std::uint64_t n)
{
  std::uint64_t x =
    (i + 1) * 0x9E3779B97F4A7C15ULL ^ (salt * 0xBF58476D1CE4E5B9ULL);
  x ^= x >> 31;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 29;
  const double u = static_cast<double>(x % 1000000) / 1000000.0;
  return std::min<std::uint64_t>(
    n - 1, static_cast<std::uint64_t>(u * u * static_cast<double>(n)));
}

json::Json
several(std::uint64_t i,
        std::uint64_t salt,
        const std::vector<std::string>& codes,
        std::uint64_t most)
{
  json::Json out = json::Json::array();
  const std::uint64_t count = 1 + draw(i, salt, most);
  for (std::uint64_t k = 0; k < count; ++k) {
    const auto& code = codes[draw(i, salt * 31 + k, codes.size())];
    if (std::find(out.begin(), out.end(), code) == out.end()) {
      out.push_back(code);
    }
  }
  return out;
}

// Record i of a synthetic caseload over 2025 with realistic spreads over the
// vocabularies and the demo's places (examples/places.yaml): persons report
// more than once, most consent to statistics.
records::Parts
synthetic_parts(std::size_t i)
{
  static const char* districts[] = {"harbour",
                                    "dockside",
                                    "lighthouse",
                                    "central_market",
                                    "station",
                                    "old_bazaar",
                                    "kilima",
                                    "millbrook",
                                    "north_gate",
                                    "salt_flats",
                                    "airport_road",
                                    "eastgate"};
  static const char* populations[] = {
    "female", "transgender", "male", "non_binary", "not_stated"};
  const std::string month = fmt::format("2025-{:02}", 1 + draw(i, 1, 12));
  const std::uint64_t delay = draw(i, 2, 96);
  records::Parts parts;
  parts[0] = {{"person", {{"names", {fmt::format("Name {}", i)}}}},
              {"incident", {{"date", month + "-15"}}}};
  parts[1] = {{"narrative",
               {{"text", fmt::format("Account number {} of what happened.", i)},
                {"language", "en"}}}};
  json::Json scopes = json::Json::array({"legal_action"});
  if (draw(i, 3, 10) < 8 || i % 7 != 0) {
    scopes.push_back("anonymised_statistics");
  }
  parts[2] = {
    {"form_version", 1},
    {"incident",
     {{"district", districts[draw(i, 4, 12)]},
      {"setting", codes_of("setting")[draw(i, 5, codes_of("setting").size())]},
      {"violence_types", several(i, 6, codes_of("violence_type"), 3)},
      {"perpetrators", several(i, 7, codes_of("perpetrator"), 2)},
      {"month", month},
      {"date_precision", "day"},
      {"approximate", false}}},
    {"person",
     {{"person_ref", fmt::format("P-{}", i * 7 / 10)},
      {"population", populations[draw(i, 8, 5)]}}},
    {"response",
     {{"actions", several(i, 9, codes_of("response_action"), 2)},
      {"referrals", several(i, 10, codes_of("referral"), 2)},
      {"outcome", codes_of("outcome")[draw(i, 11, codes_of("outcome").size())]},
      {"delay_hours", delay}}},
    {"consent", {{"scopes", scopes}}}};
  parts[3] = json::Json::object();
  return parts;
}

Result<identity::Member>
unlock(const char* identity_file, const char* passphrase_file)
{
  CUSTODY_ASSIGN(bytes, fs::read_file(identity_file, 65536));
  CUSTODY_ASSIGN(pass, passphrase::read_file(passphrase_file));
  return identity::unlock(bytes, pass.passphrase.view());
}

double
seconds_since(std::chrono::steady_clock::time_point start)
{
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
    .count();
}

template<typename F>
double
timed(F&& f)
{
  const auto start = std::chrono::steady_clock::now();
  f();
  return seconds_since(start);
}

std::vector<ledger::Encoded>
synthetic_entries(std::uint64_t first, std::uint64_t count, Digest& prev)
{
  std::vector<ledger::Encoded> out;
  out.reserve(count);
  for (std::uint64_t seq = first; seq < first + count; ++seq) {
    ledger::Entry entry;
    entry.seq = seq;
    entry.time = "2026-11-23T00:00:00Z";
    entry.kind = ledger::Kind::put;
    entry.prev = prev;
    for (std::uint32_t p = 0; p < 4; ++p) {
      ledger::PayloadRef ref;
      random_bytes(ref.obj.data(), ref.obj.size());
      random_bytes(ref.commit.data(), ref.commit.size());
      entry.payloads.push_back(ref);
    }
    out.push_back(ledger::encode_entry(entry));
    prev = out.back().hash;
  }
  return out;
}

int
bench_failed(const Error& error)
{
  fmt::print(stderr, "proofs: {}\n", error.message);
  return 1;
}

// The member's copy of the record list at COUNT records, as records.age is
// made and read (the same cache-file shape; the magic is the bench's own).
int
run_records(std::uint64_t count)
{
  std::vector<vault::SealedRecord> made(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    const Bytes id = random_bytes(16);
    const Bytes form = random_bytes(16);
    std::copy(id.begin(), id.end(), made[i].id.begin());
    std::copy(form.begin(), form.end(), made[i].form.begin());
    made[i].seq = 4 * i + 5;
  }
  auto start = std::chrono::steady_clock::now();
  auto set = vault::RecordSet::from(made);
  if (!set) {
    fmt::print(stderr, "{}\n", set.error().message);
    return 1;
  }
  fmt::print("build from the seals' covers: {:.3f} s\n", seconds_since(start));
  const auto owner = age::X25519Identity::generate();
  const cache_file::Kind kind{"custody-bench-records\n",
                              "custody/v1/bench-records-mac"};
  start = std::chrono::steady_clock::now();
  const Bytes body = set->serialize();
  auto sealed = cache_file::seal(kind, {{"count", count}}, body, owner);
  if (!sealed) {
    fmt::print(stderr, "{}\n", sealed.error().message);
    return 1;
  }
  fmt::print("serialize and seal ({:.1f} MB): {:.3f} s\n",
             static_cast<double>(sealed->size()) / 1e6,
             seconds_since(start));
  start = std::chrono::steady_clock::now();
  auto opened = cache_file::open(kind, *sealed, owner);
  if (!opened) {
    fmt::print(stderr, "{}\n", opened.error().message);
    return 1;
  }
  auto parsed = vault::RecordSet::parse(opened->body, count);
  if (!parsed) {
    fmt::print(stderr, "{}\n", parsed.error().message);
    return 1;
  }
  fmt::print("open and parse: {:.3f} s\n", seconds_since(start));
  start = std::chrono::steady_clock::now();
  std::uint64_t found = 0;
  for (std::uint64_t i = 0; i < 100000; ++i) {
    found += parsed->find(made[i % count].id) != nullptr ? 1 : 0;
  }
  fmt::print(
    "100,000 id lookups: {:.3f} s ({} found)\n", seconds_since(start), found);
  start = std::chrono::steady_clock::now();
  found = parsed->find_form(made.front().form) != nullptr ? 1 : 0;
  fmt::print("first form lookup (indexes every form): {:.3f} s\n",
             seconds_since(start));
  // A batch of 10,000 new records merged in, as an append does.
  std::vector<vault::SealedRecord> batch(
    made.begin(), made.begin() + std::min<std::uint64_t>(count, 10000));
  for (auto& record : batch) {
    record.id[0] ^= 0x5a;
    record.id[15] ^= 0xa5;
  }
  start = std::chrono::steady_clock::now();
  auto added = parsed->add(std::move(batch));
  fmt::print("add a batch of 10,000: {:.3f} s{}\n",
             seconds_since(start),
             added ? "" : " (an id repeated)");
  return 0;
}

int
run_proofs(const fs::Path& dir, std::uint64_t count)
{
  constexpr std::uint64_t k_batch = 10000;
  if (count < 2 * k_batch) {
    fmt::print(stderr, "proofs: COUNT must be at least {}\n", 2 * k_batch);
    return 2;
  }
  if (auto made = fs::make_directories(dir / "ledger"); !made) {
    return bench_failed(made.error());
  }
  const auto key = minisign::SecretKey::generate();
  const std::string vault_id(32, 'a');
  ledger::Tip tip;
  Digest prev{};
  auto grow = [&](std::uint64_t upto) {
    while (tip.count < upto) {
      auto entries = synthetic_entries(
        tip.count, std::min<std::uint64_t>(50000, upto - tip.count), prev);
      auto appended = ledger::append(dir, tip, entries);
      if (!appended) {
        std::exit(bench_failed(appended.error()));
      }
      tip = *appended;
    }
  };
  auto sign_at_tip = [&](bool& used_frontier) {
    auto made =
      checkpoint::make_at_tip(dir,
                              vault_id,
                              key,
                              tip.count,
                              tip.last_hash,
                              {tip.last_segment, tip.last_segment_size},
                              &used_frontier);
    if (!made || !made->created) {
      std::exit(bench_failed(made ? Error{Errc::internal, "exists", {}}
                                  : made.error()));
    }
  };
  const double generate = timed([&] { grow(count - k_batch); });
  bool used_frontier = false;
  const double full_scan = timed([&] { sign_at_tip(used_frontier); });
  fmt::print("ledger: {} entries written in {:.1f} s; checkpoint by a full "
             "scan: {:.3f} s\n",
             tip.count,
             generate,
             full_scan);
  grow(count);
  const double appended = timed([&] { sign_at_tip(used_frontier); });
  fmt::print("after a {}-entry batch, {} entries in {} segment(s): "
             "checkpoint {} (read and hash the batch, sign, store): "
             "{:.2f} ms\n",
             k_batch,
             tip.count,
             tip.last_segment + 1,
             used_frontier ? "from the frontier" : "by a FULL SCAN",
             appended * 1000);

  // What verify does for the chain (invariants 1-5): scan, decode, hash.
  const double chain = timed([&] {
    ledger::ChainChecker checker;
    auto scanned =
      ledger::scan(dir, [&](const ledger::Line& line) -> Result<void> {
        CUSTODY_TRY(checker.next(line));
        return {};
      });
    if (!scanned) {
      std::exit(bench_failed(scanned.error()));
    }
  });
  fmt::print("chain check (scan, decode, hash each line): {:.3f} s\n", chain);

  std::optional<merkle::Tree> tree;
  const double load = timed([&] {
    auto loaded = checkpoint::load_tree(dir);
    if (!loaded) {
      std::exit(bench_failed(loaded.error()));
    }
    tree.emplace(std::move(*loaded));
  });
  fmt::print("tree load (scan, one leaf hash a line): {:.3f} s\n", load);

  // Inclusion proofs at the full size, for random leaves.
  constexpr int k_proofs = 1000;
  std::uint64_t index = 0;
  const double proofs = timed([&] {
    for (int i = 0; i < k_proofs; ++i) {
      random_bytes(reinterpret_cast<std::uint8_t*>(&index), sizeof index);
      index %= count;
      auto proof = tree->inclusion_proof(index, count);
      auto leaf = tree->leaf(index);
      if (!proof || !leaf
          || !merkle::verify_inclusion(
            index, count, *leaf, *proof, tree->root())) {
        std::exit(bench_failed(Error{Errc::internal, "a proof failed", {}}));
      }
    }
  });
  fmt::print("inclusion proof + its verification at {} entries: {:.4f} ms "
             "each ({} random leaves)\n",
             count,
             proofs * 1000 / k_proofs,
             k_proofs);
  const double consistency = timed([&] {
    auto proof = tree->consistency_proof(count / 3, count);
    if (!proof) {
      std::exit(bench_failed(proof.error()));
    }
  });
  fmt::print("consistency proof {} -> {}: {:.4f} ms\n",
             count / 3,
             count,
             consistency * 1000);

  // Ten signed checkpoints along the ledger, then what verify does with them.
  if (auto made = fs::make_directories(checkpoint::directory(dir)); !made) {
    return bench_failed(made.error());
  }
  for (std::uint64_t size = count / 10; size <= count; size += count / 10) {
    checkpoint::Checkpoint c{
      checkpoint::origin_of(vault_id), size, *tree->root(size)};
    auto signature = checkpoint::sign(key, c);
    if (!signature
        || !fs::write_file_atomic(checkpoint::sibling(dir, size, "minisig"),
                                  as_bytes(*signature))
        || !fs::write_file_atomic(checkpoint::file(dir, size),
                                  as_bytes(checkpoint::encode(c)))) {
      return bench_failed(Error{Errc::io, "writing checkpoints", {}});
    }
  }
  custody::Notes notes;
  const double checks = timed([&] {
    auto summary = checkpoint::check_all(
      dir, *checkpoint::list(dir), *tree, key.public_key(), vault_id, notes);
    if (!summary || summary->count < 10) {
      std::exit(bench_failed(summary ? Error{Errc::internal, "count", {}}
                                     : summary.error()));
    }
  });
  fmt::print("check the checkpoints against the tree: {:.3f} s\n", checks);
  fmt::print("verify's share for the ledger (chain + tree + checkpoints): "
             "{:.3f} s\n",
             chain + load + checks);

  return 0;
}

// Record i of the synthetic caseload as the facts index gives it.
index::FactsRow
synthetic_facts(std::size_t i)
{
  const records::Parts parts = synthetic_parts(i);
  const json::Json& facts = parts[2];
  auto list = [](const json::Json& codes) {
    return codes.get<std::vector<std::string>>();
  };
  index::FactsRow row;
  row.created_seq = i + 1;
  row.month = facts["incident"]["month"].get<std::string>();
  row.date_precision = "day";
  row.district = facts["incident"]["district"].get<std::string>();
  row.setting = facts["incident"]["setting"].get<std::string>();
  row.population = facts["person"]["population"].get<std::string>();
  row.person_ref = facts["person"]["person_ref"].get<std::string>();
  row.violence_types = list(facts["incident"]["violence_types"]);
  row.perpetrators = list(facts["incident"]["perpetrators"]);
  row.actions = list(facts["response"]["actions"]);
  row.referrals = list(facts["response"]["referrals"]);
  row.outcome = facts["response"]["outcome"].get<std::string>();
  row.delay_hours = facts["response"]["delay_hours"].get<std::int64_t>();
  row.consent = list(facts["consent"]["scopes"]);
  return row;
}

// RECORDS synthetic records of 2025, as the facts index gives them.
std::vector<index::FactsRow>
synthetic_year(std::size_t records_wanted)
{
  std::vector<index::FactsRow> rows;
  rows.reserve(records_wanted);
  for (std::size_t i = 0; i < records_wanted; ++i) {
    rows.push_back(synthetic_facts(i));
  }
  return rows;
}

stats::Coding
by_quarter()
{
  stats::Coding coding;
  coding.level = 0;
  coding.grain = stats::Grain::quarter;
  return coding;
}

stats::Selection
whole_year()
{
  stats::Selection selection;
  selection.period = records::Period{"2025-01", "2025-12"};
  return selection;
}

// Two-way tables of every pair of the dimensions (the period among them when
// `with_period`), in a fixed order, added until `counted` fills about
// `cells_wanted` cells.
std::vector<stats::TableSpec>
pairwise_tables(const stats::Counted& counted,
                bool with_period,
                const stats::Coding& coding,
                std::size_t cells_wanted)
{
  using D = stats::Dimension;
  std::vector<D> dimensions{D::district,
                            D::population,
                            D::violence_type,
                            D::perpetrator,
                            D::setting,
                            D::outcome,
                            D::referral,
                            D::response_action};
  if (with_period) {
    dimensions.insert(dimensions.begin(), D::period);
  }
  std::vector<stats::TableSpec> specs;
  std::size_t cells = 0;
  for (std::size_t a = 0; a < dimensions.size() && cells < cells_wanted; ++a) {
    for (std::size_t b = a + 1; b < dimensions.size() && cells < cells_wanted;
         ++b) {
      specs.push_back({fmt::format("t{}", specs.size()),
                       "table",
                       dimensions[b],
                       dimensions[a]});
      cells = 0;
      for (const auto& table : stats::tabulate(counted, specs, coding).tables) {
        cells += table.cells.size();
      }
    }
  }
  return specs;
}

// The audit of a release of about CELLS cells over RECORDS synthetic records
// of 2025: two-way tables of every pair of dimensions (the period by quarter
// among them: four quarters and the year to date), in a fixed order, added
// until the release reaches CELLS. Prints the release's size and what the
// audit did; writes the last round's first minimisation as a CPLEX LP file
// to LP_FILE, for glpsol to solve the same program cold.
int
run_audit(std::size_t records_wanted,
          std::size_t cells_wanted,
          const char* lp_file)
{
  const std::vector<index::FactsRow> rows = synthetic_year(records_wanted);
  const stats::Coding coding = by_quarter();
  const stats::Counted counted =
    stats::select(rows, whole_year(), coding, true);
  const auto specs = pairwise_tables(counted, true, coding, cells_wanted);
  const auto tabulation = stats::tabulate(counted, specs, coding);
  std::size_t cells = 0;
  for (const auto& table : tabulation.tables) {
    cells += table.cells.size();
  }
  disclosure::StatsRules rules;
  const auto start = std::chrono::steady_clock::now();
  auto release = disclosure::release_stats(tabulation, rules);
  const double elapsed = seconds_since(start);
  if (!release) {
    fmt::print("audit: {} tables, {} cells: refused after {:.3f} s: {}\n",
               specs.size(),
               cells,
               elapsed,
               release.error().message);
    return 0;
  }
  const auto& audit = (*release)->audit;
  fmt::print("audit: {} records, {} tables, {} cells ({} distinct), {} "
             "suppressed, {} combinations, {} rounds, {} LPs ({} simplex "
             "iterations), exact {}: "
             "{:.3f} s\n",
             counted.rows.size(),
             specs.size(),
             cells,
             audit.cells,
             audit.suppressed,
             audit.combinations,
             audit.rounds,
             audit.lps,
             audit.iterations,
             audit.exact,
             elapsed);

  // The final round's program, from the outside: every distinct cell (by its
  // combinations) as published, the first suppressed one minimised.
  std::map<std::vector<std::uint32_t>, std::optional<std::uint64_t>> published;
  for (std::size_t t = 0; t < tabulation.tables.size(); ++t) {
    for (std::size_t i = 0; i < tabulation.tables[t].cells.size(); ++i) {
      const auto& combinations = tabulation.tables[t].cells[i].combinations;
      if (!combinations.empty()) {
        published.emplace(combinations, (*release)->tables[t].cells[i]);
      }
    }
  }
  std::string lp = "Minimize\n obj:";
  const std::vector<std::uint32_t>* objective = nullptr;
  for (const auto& [combinations, value] : published) {
    if (!value) {
      objective = &combinations;
      break;
    }
  }
  if (objective == nullptr) {
    fmt::print("audit: nothing suppressed, no LP written\n");
    return 0;
  }
  auto sum = [](const std::vector<std::uint32_t>& combinations) {
    std::string out;
    for (auto c : combinations) {
      out += fmt::format(" + x{}", c);
    }
    return out;
  };
  lp += sum(*objective) + "\nSubject To\n";
  std::size_t row = 0;
  for (const auto& [combinations, value] : published) {
    lp += fmt::format(" c{}:{} {} {}\n",
                      row++,
                      sum(combinations),
                      value ? "=" : ">=",
                      value ? *value : 1);
  }
  lp += "End\n";
  if (auto written = fs::write_file_atomic(lp_file, as_bytes(lp)); !written) {
    fmt::print(stderr, "audit: {}\n", written.error().message);
    return 1;
  }
  return 0;
}

// A year as the issue states it: four quarterly releases of about CELLS
// cells each (two-way tables of every pair of the dimensions other than the
// period, in a fixed order, over RECORDS synthetic records of 2025), each
// audited alone (quarters do not overlap), then the year to date of the same
// tables, audited with the four quarters' tables as earlier releases (their
// figures as published, no slack): about 5 * CELLS cells in its program.
// Prints each release's audit and time.
int
run_audit_year(std::size_t records_wanted, std::size_t cells_wanted)
{
  const std::vector<index::FactsRow> rows = synthetic_year(records_wanted);
  const stats::Coding coding = by_quarter();
  const stats::Counted all = stats::select(rows, whole_year(), coding, true);
  const auto specs = pairwise_tables(all, false, coding, cells_wanted);
  disclosure::StatsRules rules;
  auto report =
    [](const std::string& name,
       const Result<disclosure::Released<disclosure::StatsRelease>>& release,
       double elapsed) {
      if (!release) {
        fmt::print("{}: refused after {:.3f} s: {}\n",
                   name,
                   elapsed,
                   release.error().message);
        return;
      }
      const auto& audit = (*release)->audit;
      fmt::print("{}: {} cells ({} suppressed), {} earlier tables, {} "
                 "combinations, {} rounds, {} LPs ({} simplex iterations), "
                 "exact {}: {:.3f} s\n",
                 name,
                 audit.cells,
                 audit.suppressed,
                 audit.earlier_tables,
                 audit.combinations,
                 audit.rounds,
                 audit.lps,
                 audit.iterations,
                 audit.exact,
                 elapsed);
    };
  std::vector<stats::TableJob> earlier;
  const auto start_year = std::chrono::steady_clock::now();
  for (int quarter = 1; quarter <= 4; ++quarter) {
    stats::Selection selection;
    selection.period =
      records::Period{fmt::format("2025-{:02}", quarter * 3 - 2),
                      fmt::format("2025-{:02}", quarter * 3)};
    const stats::Counted counted = stats::select(rows, selection, coding, true);
    const auto tabulation = stats::tabulate(counted, specs, coding);
    const auto start = std::chrono::steady_clock::now();
    auto release = disclosure::release_stats(tabulation, rules);
    report(fmt::format("2025-Q{}", quarter), release, seconds_since(start));
    if (!release) {
      return 0;
    }
    for (std::size_t t = 0; t < specs.size(); ++t) {
      const auto& published = (*release)->tables[t];
      stats::Earlier figures;
      figures.release_seq = static_cast<std::uint64_t>(quarter);
      figures.rows = published.rows;
      figures.columns = published.columns;
      for (const auto& cell : published.cells) {
        figures.recorded.push_back(
          {cell.has_value(), !cell.has_value(), cell.value_or(0)});
      }
      earlier.push_back({specs[t], counted.rows, coding, figures, {}});
    }
  }
  std::vector<stats::TableJob> jobs;
  for (const auto& spec : specs) {
    jobs.push_back({spec, all.rows, coding, std::nullopt, {}});
  }
  jobs.insert(jobs.end(), earlier.begin(), earlier.end());
  const auto tabulation = stats::tabulate_jobs(jobs);
  const auto start = std::chrono::steady_clock::now();
  auto release = disclosure::release_stats(tabulation, rules);
  report("2025 year to date", release, seconds_since(start));
  fmt::print("the year, four quarters and the year to date: {:.3f} s\n",
             seconds_since(start_year));
  return 0;
}

// Narratives of about the length of the examples' (60 to 120 words), in the
// five languages of examples/incidents, each naming its person (declined,
// respelled), a phone, an e-mail, a handle, a place, a date and a time.
int
run_redact(std::size_t count)
{
  struct Template
  {
    const char* language;
    const char* text;
  };
  static const Template templates[] = {
    {"en",
     "I met a client through an app on 12 January 2025. After we met he "
     "started messaging {name} from different numbers, {phone} and others. "
     "He had taken photos of me without my knowing and said he would send "
     "them to my sister and to my football team's group chat unless I paid "
     "him every week. When I blocked him he made new accounts like @{handle}. "
     "{name}'s friend saw him near {place} at 23:40. Write to {email}. I "
     "paid him twice before I called the line, and he is still around."},
    {"es",
     "Una noche de febrero estaba con dos compañeras cerca del mercado. "
     "Llegó una patrulla y nos pidieron los documentos. Cuando vieron la "
     "cédula de {name} empezaron a burlarse y a insultar a {dim}. Me "
     "revisaron el bolso, encontraron condones y dijeron que eso era la "
     "prueba. Me llevaron a la estación de {place} el 14 de marzo de 2025. "
     "Mi número es {phone} y mi correo {email}. Salí cuando llegó la "
     "abogada de la organización."},
    {"sw",
     "Usiku wa tarehe 14 Machi 2025 nilikuwa nasubiri wateja karibu na "
     "{place}. Polisi wawili walifika kwa gari lao wakamwambia {name} "
     "aingie ndani. Walisema atalala rumande kama hatawapa pesa. Walimpiga "
     "ki{first} makofi na teke. Walichukua pesa zote. Nipigie {phone} au "
     "niandikie {email}. Nataka jambo hili lijulikane ili wasiwafanyie "
     "wengine hivi, saa 23:40 usiku."},
    {"ru",
     "Я приехала по приглашению знакомой, мне обещали работу в массажном "
     "салоне. Хозяйка забрала паспорт {ru_gen} «на хранение» и сказала, что "
     "я должна ей за дорогу и жильё. Каждую неделю долг становился больше. "
     "Выходить одной мне не разрешали. 14 марта 2025 я смогла позвонить по "
     "номеру {phone} из {place}. Пишите {email} или @{handle}."},
    {"hi",
     "पिछली रात एक ग्राहक ने {name} के साथ ज़बरदस्ती की थी, इसलिए वह सुबह "
     "सरकारी अस्पताल में PEP लेने गई। रिसेप्शन पर बैठे आदमी ने कार्ड देखकर "
     "हँसना शुरू किया। डॉक्टर ने कहा कि यहाँ दवा नहीं है। 14 मार्च 2025 को "
     "शाम 6:30 बजे संस्था की दीदी उसे {place} के क्लिनिक ले गईं। फोन {phone}, "
     "ईमेल {email}।"},
  };
  static const char* const first_names[] = {
    "Imani", "Rosa", "Neema", "Alina", "Reshma", "Grace", "Lucia", "Olga"};
  static const char* const last_names[] = {
    "Chebet", "Delgado", "Atieno", "Serova", "Kumari", "Wanjiru", "Marin"};
  static const char* const places[] = {
    "Kilindini", "Tom Mboya Street", "Hidalgo", "Lot B", "River Road"};
  auto made = redact::Redactor::create(
    {{"KE", "TZ", "ES", "MX", "RU", "IN", "GB"}, {R"(\b\d{8}[A-Z]\b)"}});
  if (!made) {
    fmt::print(stderr, "redact: {}\n", made.error().message);
    return 1;
  }
  struct Job
  {
    redact::TextInput input;
    std::string text;
  };
  std::vector<Job> jobs(count);
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const auto& t = templates[i % std::size(templates)];
    const std::string first = first_names[draw(i, 1, 8)];
    const std::string last = last_names[draw(i, 2, 7)];
    const std::string place = places[draw(i, 3, 5)];
    const std::string phone = fmt::format(
      "07{:02} {:03} {:03}", 10 + i % 80, (i / 80) % 1000, (i * 7) % 1000);
    const std::string email =
      fmt::format("{}.{}{}@example.org", first, last, i % 1000);
    std::string text = t.text;
    const auto put = [&](const std::string& key, const std::string& value) {
      for (auto at = text.find(key); at != std::string::npos;
           at = text.find(key, at + value.size())) {
        text.replace(at, key.size(), value);
      }
    };
    put("{name}", first + " " + last);
    put("{first}", first);
    put("{dim}", first.substr(0, first.size() - 1) + "ita");
    put("{ru_gen}", first + "y " + last + "oj");
    put("{phone}", phone);
    put("{email}", email);
    put("{handle}", first + "_" + std::to_string(i % 100));
    put("{place}", place);
    jobs[i].text = std::move(text);
    bytes += jobs[i].text.size();
    auto& input = jobs[i].input;
    input.language = t.language;
    input.own.names = {first + " " + last};
    input.own.aliases = {first.substr(0, 3) + "i"};
    input.own.phones = {phone};
    input.own.emails = {email};
    input.location = place;
    input.others.push_back({{last_names[draw(i, 4, 7)]}, {}, {}, {}, {}, {}});
  }
  std::size_t spans = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto& job : jobs) {
    job.input.text = job.text;
    auto out = made->redact(job.input);
    if (!out) {
      fmt::print(stderr, "redact: {}\n", out.error().message);
      return 1;
    }
    spans += out->spans.size();
  }
  const double elapsed = seconds_since(start);
  fmt::print("redact: {} narratives ({} KiB) in {:.3f} s = {:.0f} "
             "narratives/s, {} removals\n",
             count,
             bytes / 1024,
             elapsed,
             static_cast<double>(count) / elapsed,
             spans);
  return 0;
}

int
run(int argc, char** argv)
{
  if (argc == 4 && std::string(argv[1]) == "proofs") {
    return run_proofs(argv[2], std::stoull(argv[3]));
  }
  if (argc == 5 && std::string(argv[1]) == "audit") {
    return run_audit(std::stoull(argv[2]), std::stoull(argv[3]), argv[4]);
  }
  if (argc == 4 && std::string(argv[1]) == "audit-year") {
    return run_audit_year(std::stoull(argv[2]), std::stoull(argv[3]));
  }
  if (argc == 3 && std::string(argv[1]) == "records") {
    return run_records(std::stoull(argv[2]));
  }
  if (argc == 3 && std::string(argv[1]) == "redact") {
    return run_redact(std::stoull(argv[2]));
  }
  if (argc < 5) {
    fmt::print(
      stderr,
      "usage: custody_bench fill|open VAULT IDENTITY PASSFILE [COUNT BATCH]\n"
      "       custody_bench audit RECORDS CELLS LP_FILE\n"
      "       custody_bench audit-year RECORDS CELLS\n"
      "       custody_bench proofs DIR COUNT\n"
      "       custody_bench records COUNT\n"
      "       custody_bench redact COUNT\n");
    return 2;
  }
  const std::string command = argv[1];
  auto member = unlock(argv[3], argv[4]);
  if (!member) {
    fmt::print(stderr, "unlock: {}\n", member.error().message);
    return 1;
  }
  vault::Notes notes;
  vault::OpenOptions options;
  options.access =
    command == "fill" ? vault::Access::write : vault::Access::read;
  auto start = std::chrono::steady_clock::now();
  auto opened = vault::Vault::open(argv[2], *member, options, notes);
  if (!opened) {
    fmt::print(stderr, "open: {}\n", opened.error().message);
    return 1;
  }
  fmt::print("open: {:.3f} s ({} entries)\n",
             seconds_since(start),
             opened->entry_count());
  if (command == "fill" && argc >= 7) {
    const std::size_t count = std::stoul(argv[5]);
    const std::size_t batch = std::stoul(argv[6]);
    start = std::chrono::steady_clock::now();
    for (std::size_t done = 0; done < count; done += batch) {
      std::vector<records::Change> changes;
      for (std::size_t i = done; i < std::min(count, done + batch); ++i) {
        changes.push_back({records::new_record_id(),
                           records::EntryType::record,
                           std::nullopt,
                           synthetic_parts(i),
                           {}});
      }
      auto written = records::write(*opened, std::move(changes));
      if (!written) {
        fmt::print(stderr, "write: {}\n", written.error().message);
        return 1;
      }
    }
    const double elapsed = seconds_since(start);
    fmt::print("fill: {} records in {:.3f} s = {:.0f} records/s\n",
               count,
               elapsed,
               count / elapsed);
  }
  if (command == "open") {
    start = std::chrono::steady_clock::now();
    auto facts = index::Shard::open(*opened, vault::Compartment::facts, notes);
    if (!facts) {
      fmt::print(stderr, "index: {}\n", facts.error().message);
      return 1;
    }
    facts->save(notes);
    fmt::print("facts shard: {:.3f} s ({} records, {} replayed)\n",
               seconds_since(start),
               facts->record_count(),
               facts->stats().replayed);
    start = std::chrono::steady_clock::now();
    auto rows = facts->list({});
    fmt::print("list all: {:.3f} s ({} rows)\n",
               seconds_since(start),
               rows ? rows->size() : 0);
    records::Selection selection;
    selection.period = records::Period{"2025-01", "9999-12"};
    selection.filters.emplace_back(records::Dimension::violence_type,
                                   "violence.sexual");
    start = std::chrono::steady_clock::now();
    rows = records::list_records(*facts, selection, nullptr);
    fmt::print("list filtered: {:.3f} s ({} rows)\n",
               seconds_since(start),
               rows ? rows->size() : 0);
  }
  return 0;
}

} // namespace

int
main(int argc, char** argv)
{
  if (!crypto_init()) {
    return 70;
  }
  raise_descriptor_limit();
  keep_freed_memory();
  return run(argc, argv);
}
