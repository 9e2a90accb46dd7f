// Benchmark helper: fills a vault with synthetic records through the library,
// and times opening.
//   custody_bench fill VAULT IDENTITY PASSPHRASE_FILE COUNT BATCH
//   custody_bench open VAULT IDENTITY PASSPHRASE_FILE
#include <custody/crypto.hpp>
#include <custody/fs.hpp>
#include <custody/index.hpp>
#include <custody/passphrase.hpp>
#include <custody/records.hpp>

#include <fmt/core.h>

#include <chrono>
#include <cstdlib>
#include <string>

using namespace custody;

namespace {

records::Parts
synthetic_parts(std::size_t i)
{
  static const char* districts[] = {
    "harbour", "dockside", "station", "kilima", "eastgate"};
  static const char* types[] = {"violence.economic.extortion",
                                "violence.physical.beating",
                                "violence.sexual.rape",
                                "violence.liberty.unlawful_arrest"};
  static const char* populations[] = {"female", "male", "transgender"};
  const std::string month = fmt::format("{}-{:02}", 2024 + i % 2, 1 + i % 12);
  records::Parts parts;
  parts[0] = {{"person", {{"names", {fmt::format("Name {}", i)}}}},
              {"incident", {{"date", month + "-15"}}}};
  parts[1] = {{"narrative",
               {{"text", fmt::format("Account number {} of what happened.", i)},
                {"language", "en"}}}};
  parts[2] = {{"form_version", 1},
              {"incident",
               {{"district", districts[i % 5]},
                {"violence_types", {types[i % 4]}},
                {"perpetrators", {"perpetrator.state.police"}},
                {"month", month}}},
              {"person",
               {{"person_ref", fmt::format("P-{}", i % 5000)},
                {"population", populations[i % 3]}}},
              {"consent", {{"scopes", {"anonymised_statistics"}}}}};
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

int
run(int argc, char** argv)
{
  if (argc < 5) {
    fmt::print(
      stderr,
      "usage: custody_bench fill|open VAULT IDENTITY PASSFILE [COUNT BATCH]\n");
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
  return run(argc, argv);
}
