// Test-only driver of custody::bundle, so a CLI test can check the bags it
// writes with standard tools (sha256sum -c, an independent validator, bsdtar,
// unzip, xmllint) before `custody export` exists.
//
//   custody_bagtool OUT [--replace] [--premis] NAME FILE [NAME FILE ...]
//
// Writes a bag at OUT (a directory, .zip or .tar) holding each FILE as an
// original named NAME (any bytes but NUL), streamed from disk, plus
// data/records/r1.json; with --premis, metadata/premis.xml with one object
// and one ingestion event per original. Prints the bag's summary. Exit status:
// 0 written, 2 usage, else the documented status of the library's error.
#include <custody/crypto/crypto.hpp>
#include <custody/export/bag.hpp>
#include <custody/export/premis.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

using namespace custody;

namespace {

// A Reader that streams a file from disk.
Result<bundle::Reader>
file_reader(const fs::Path& path, std::uint64_t& size)
{
  CUSTODY_ASSIGN(input, fs::open_input(path, fs::Origin::user));
  size = input.size;
  auto fd = std::make_shared<fs::Fd>(input.fd);
  return bundle::Reader(
    [fd, input, path](std::span<std::uint8_t> out) -> Result<std::size_t> {
      return fs::read_input(input, out, path);
    });
}

Result<Digest>
hash_file(const fs::Path& path)
{
  std::uint64_t size = 0;
  CUSTODY_ASSIGN(read, file_reader(path, size));
  Sha256 hash;
  std::vector<std::uint8_t> buffer(1 << 16);
  while (true) {
    CUSTODY_ASSIGN(n, read(buffer));
    if (n == 0) {
      return hash.finish();
    }
    hash.update(ByteView(buffer.data(), n));
  }
}

int
report(const Error& error)
{
  fmt::print(stderr, "custody_bagtool: {}\n", error.message);
  return exit_status(error.code);
}

} // namespace

int
main(int argc, char** argv)
{
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    fmt::print(stderr,
               "usage: custody_bagtool OUT [--replace] [--premis] NAME FILE "
               "...\n");
    return 2;
  }
  const fs::Path out(args[0]);
  bundle::Replace replace = bundle::Replace::no;
  bool premis = false;
  std::size_t at = 1;
  for (; at < args.size() && args[at].starts_with("--"); ++at) {
    if (args[at] == "--replace") {
      replace = bundle::Replace::yes;
    } else if (args[at] == "--premis") {
      premis = true;
    } else {
      fmt::print(stderr, "custody_bagtool: unknown option {}\n", args[at]);
      return 2;
    }
  }
  if ((args.size() - at) % 2 != 0) {
    fmt::print(stderr, "custody_bagtool: NAME FILE pairs expected\n");
    return 2;
  }
  if (auto init = crypto_init(); !init) {
    return report(init.error());
  }
  bundle::BagInfo info;
  info.source_organization = "Ugly Mugs Test Collective";
  info.bagging_date = "2026-12-05";
  info.extra.emplace_back("External-Identifier", "case-2026-0042");
  auto writer = bundle::BagWriter::create(out, info, replace);
  if (!writer) {
    return report(writer.error());
  }
  bundle::PremisLog log;
  log.software_version = "test";
  log.members.push_back(
    {"RWS0000000000000000000000000000000000000000000", "legal"});
  for (; at < args.size(); at += 2) {
    const std::string name(args[at]);
    const fs::Path file(args[at + 1]);
    auto digest = hash_file(file);
    if (!digest) {
      return report(digest.error());
    }
    std::uint64_t size = 0;
    auto read = file_reader(file, size);
    if (!read) {
      return report(read.error());
    }
    auto path = writer->add_original(*digest, name, size, *read);
    if (!path) {
      return report(path.error());
    }
    const std::string hex = to_hex(*digest);
    // One object for each content, as the bag has one payload file for it.
    if (std::none_of(
          log.objects.begin(), log.objects.end(), [&](const auto& object) {
            return object.sha256 == hex;
          })) {
      log.objects.push_back(
        {hex, size, "application/octet-stream", *path, name});
    }
    bundle::PremisEvent event;
    event.entry_hash = sha256_hex(as_bytes(name + "\n" + hex));
    event.type = "ingestion";
    event.date_time = "2026-12-05T10:00:00Z";
    // Names in free text are escaped as original-names.txt escapes them.
    event.detail =
      "attached to record r1 as <" + bundle::escape_name(name) + "> & kept";
    event.outcome_notes.push_back("inclusion proof: proofs/" + event.entry_hash
                                  + ".json");
    event.agents.push_back({log.members[0].fingerprint, "implementer"});
    event.agents.push_back(
      {bundle::premis_software_identifier(log), "executing program"});
    event.objects.push_back({hex, "outcome"});
    log.events.push_back(std::move(event));
  }
  const std::string record = "{\"id\":\"r1\",\"narrative\":\"<>&\"}\n";
  if (auto added =
        writer->add_payload("data/records/r1.json", as_bytes(record));
      !added) {
    return report(added.error());
  }
  if (premis) {
    auto xml = bundle::write_premis(log);
    if (!xml) {
      return report(xml.error());
    }
    if (auto added =
          writer->add_tag_file("metadata/premis.xml", as_bytes(*xml));
        !added) {
      return report(added.error());
    }
  }
  auto summary = writer->finish();
  if (!summary) {
    return report(summary.error());
  }
  fmt::print("{} {}.{} {} {}\n",
             summary->path.string(),
             summary->payload_octets,
             summary->payload_files,
             summary->tagmanifest_sha256,
             summary->archive_sha256.value_or("-"));
  return 0;
}
