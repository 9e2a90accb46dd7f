// Benchmark helper: fills a vault with synthetic records through the library,
// and times opening.
//   custody_bench fill VAULT IDENTITY PASSPHRASE_FILE COUNT BATCH
//   custody_bench open VAULT IDENTITY PASSPHRASE_FILE
//   custody_bench proofs DIR COUNT
//   custody_bench audit RECORDS CELLS LP_FILE
// `proofs` writes a synthetic ledger of COUNT chained `put` entries (four
// payloads each, the size of real ones) to DIR/ledger, then times what
// checkpoints and proofs cost at that size (docs/performance.md "Proofs").
#include <custody/crypto/crypto.hpp>
#include <custody/disclosure/stats_release.hpp>
#include <custody/keys/passphrase.hpp>
#include <custody/ledger/checkpoint.hpp>
#include <custody/records/index.hpp>
#include <custody/records/records.hpp>
#include <custody/schema/schema.hpp>
#include <custody/stats/table.hpp>
#include <custody/sys/fs.hpp>
#include <custody/sys/hardening.hpp>

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
  std::vector<index::FactsRow> rows;
  rows.reserve(records_wanted);
  for (std::size_t i = 0; i < records_wanted; ++i) {
    rows.push_back(synthetic_facts(i));
  }
  stats::Coding coding;
  coding.level = 0;
  coding.grain = stats::Grain::quarter;
  stats::Selection selection;
  selection.period = records::Period{"2025-01", "2025-12"};
  const stats::Counted counted = stats::select(rows, selection, coding, true);
  using D = stats::Dimension;
  const std::vector<D> dimensions{D::period,
                                  D::district,
                                  D::population,
                                  D::violence_type,
                                  D::perpetrator,
                                  D::setting,
                                  D::outcome,
                                  D::referral,
                                  D::response_action};
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
  const auto tabulation = stats::tabulate(counted, specs, coding);
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
             "suppressed, {} combinations, {} rounds, {} LPs, exact {}: "
             "{:.3f} s\n",
             counted.rows.size(),
             specs.size(),
             cells,
             audit.cells,
             audit.suppressed,
             audit.combinations,
             audit.rounds,
             audit.lps,
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

int
run(int argc, char** argv)
{
  if (argc == 4 && std::string(argv[1]) == "proofs") {
    return run_proofs(argv[2], std::stoull(argv[3]));
  }
  if (argc == 5 && std::string(argv[1]) == "audit") {
    return run_audit(std::stoull(argv[2]), std::stoull(argv[3]), argv[4]);
  }
  if (argc < 5) {
    fmt::print(
      stderr,
      "usage: custody_bench fill|open VAULT IDENTITY PASSFILE [COUNT BATCH]\n"
      "       custody_bench audit RECORDS CELLS LP_FILE\n"
      "       custody_bench proofs DIR COUNT\n");
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
                           synthetic_parts(i)});
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
    index::Filter filter;
    filter.violence_type = "violence.sexual.";
    filter.from_month = "2025-01";
    start = std::chrono::steady_clock::now();
    rows = facts->list(filter);
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
  return run(argc, argv);
}
