// Ledger entries, segments, HEAD, the chain and torn tails.
#include "temp_dir.hpp"

#include <custody/base/canonical_json.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/ledger.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using namespace custody;

namespace {

// A temporary directory with an empty ledger/ in it.
struct TempVault
{
  custody::test::TempDir dir;
  std::filesystem::path path = dir.path();
  TempVault()
  {
    std::filesystem::create_directory(path / "ledger");
  }
};

ledger::Entry
make_entry(std::uint64_t seq, const Digest& prev)
{
  ledger::Entry entry;
  entry.seq = seq;
  entry.time = "2026-11-23T18:00:00Z";
  entry.kind = ledger::Kind::put;
  entry.prev = prev;
  entry.payloads.push_back({sha256("object"), sha256("commit"), 0});
  return entry;
}

ledger::Tip
append_n(const std::filesystem::path& vault, ledger::Tip tip, int n)
{
  std::vector<ledger::Encoded> entries;
  Digest prev = tip.last_hash;
  for (int i = 0; i < n; ++i) {
    entries.push_back(ledger::encode_entry(
      make_entry(tip.count + static_cast<std::uint64_t>(i), prev)));
    prev = entries.back().hash;
  }
  auto next = ledger::append(vault, tip, entries);
  REQUIRE(next);
  return *next;
}

std::string
read_text(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

ledger::Tip
check_chain(const std::filesystem::path& vault,
            Result<void>* chain_result = nullptr)
{
  ledger::ChainChecker checker;
  auto tip = ledger::scan(vault, [&](const ledger::Line& line) -> Result<void> {
    CUSTODY_TRY(checker.next(line));
    return {};
  });
  if (chain_result != nullptr) {
    *chain_result = tip ? Result<void>{} : tl::unexpected(tip.error());
    return {};
  }
  REQUIRE(tip);
  return *tip;
}

} // namespace

TEST_SUITE_BEGIN("ledger");

TEST_CASE("an entry encodes canonically and decodes back")
{
  const auto entry = make_entry(3, sha256("x"));
  const std::string line = ledger::encode(entry);
  CHECK(line.starts_with(R"({"kind":"put","payloads":[{"commit":")"));
  CHECK(line.ends_with(R"(","seq":3,"t":"2026-11-23T18:00:00Z","v":1})"));
  auto decoded = ledger::decode(line);
  REQUIRE(decoded);
  CHECK(ledger::encode(*decoded) == line);
}

TEST_CASE("every changed byte of a line is rejected or reads back canonically")
{
  // The fast reader and the general one must agree: whatever decode accepts
  // encodes back to exactly the bytes it read.
  auto entry = make_entry(1234567, sha256("y"));
  entry.payloads.push_back({sha256("o"), sha256("c"), 10});
  for (const auto& base :
       {ledger::encode(entry), ledger::encode(make_entry(0, Digest{}))}) {
    const std::string alphabet = "0a9f{}[],:\"\\ 1-Tz";
    std::size_t accepted = 0;
    for (std::size_t i = 0; i < base.size(); ++i) {
      for (char c : alphabet) {
        std::string mutated = base;
        if (mutated[i] == c) {
          continue;
        }
        mutated[i] = c;
        auto decoded = ledger::decode(mutated);
        if (decoded) {
          ++accepted;
          CHECK(ledger::encode(*decoded) == mutated);
        }
      }
      std::string cut = base;
      cut.erase(i, 1);
      if (auto decoded = ledger::decode(cut)) {
        CHECK(ledger::encode(*decoded) == cut);
      }
    }
    CHECK(accepted > 0); // hex digits and times have other valid values
  }
  CHECK_FALSE(ledger::decode(
    R"({"kind":"put","payloads":[],"prev":"0000000000000000000000000000000000000000000000000000000000000000","seq":01,"t":"2026-11-23T18:00:00Z","v":1})"));
  auto big = ledger::decode(
    R"({"kind":"put","payloads":[],"prev":"0000000000000000000000000000000000000000000000000000000000000000","seq":1234567890123456789,"t":"2026-11-23T18:00:00Z","v":1})");
  REQUIRE(big);
  CHECK(big->seq == 1234567890123456789ULL);
}

TEST_CASE("the entry encoder writes what json::canonical writes")
{
  for (const auto kind : {ledger::Kind::put, ledger::Kind::seal}) {
    for (std::size_t count : {0, 1, 4}) {
      ledger::Entry entry = make_entry(18446744073709551615ULL, sha256("p"));
      entry.kind = kind;
      entry.payloads.clear();
      json::Json payloads = json::Json::array();
      for (std::size_t i = 0; i < count; ++i) {
        const ledger::PayloadRef ref{
          sha256(std::to_string(i)),
          sha256("c"),
          static_cast<std::uint32_t>(4294967295U - i)};
        entry.payloads.push_back(ref);
        payloads.push_back({{"obj", to_hex(ref.obj)},
                            {"commit", to_hex(ref.commit)},
                            {"epoch", ref.epoch}});
      }
      const json::Json expected = {
        {"v", 1},
        {"seq", entry.seq},
        {"t", entry.time},
        {"kind", std::string(ledger::kind_name(kind))},
        {"prev", to_hex(entry.prev)},
        {"payloads", payloads}};
      CHECK(ledger::encode(entry) == json::canonical(expected));
    }
  }
}

TEST_CASE("decode rejects extra fields, bad kinds and bad times")
{
  const std::string line = ledger::encode(make_entry(0, Digest{}));
  std::string extra = line;
  extra.insert(1, R"("a":1,)");
  CHECK_FALSE(ledger::decode(extra));
  std::string bad_kind = line;
  bad_kind.replace(bad_kind.find("put"), 3, "pux");
  CHECK_FALSE(ledger::decode(bad_kind));
  std::string bad_time = line;
  bad_time.replace(bad_time.find("18:00:00Z"), 9, "18:00:00+");
  CHECK_FALSE(ledger::decode(bad_time));
  CHECK_FALSE(ledger::decode(line + " "));
}

TEST_CASE("append writes chained lines and HEAD")
{
  TempVault vault;
  auto tip = append_n(vault.path, ledger::Tip{}, 3);
  tip = append_n(vault.path, tip, 2);
  CHECK(tip.count == 5);
  auto head = ledger::read_head(vault.path);
  REQUIRE(head);
  REQUIRE(head->has_value());
  CHECK((*head)->seq == 4);
  CHECK((*head)->hash == tip.last_hash);
  const auto checked = check_chain(vault.path);
  CHECK(checked.count == 5);
  CHECK(checked.last_hash == tip.last_hash);
  CHECK_FALSE(checked.torn);
}

TEST_CASE("scan_after visits only the entries after a resume point it "
          "re-checks")
{
  TempVault vault;
  const auto first = append_n(vault.path, ledger::Tip{}, 3);
  const auto tip = append_n(vault.path, first, 2);
  CHECK(tip.last_entry.offset > first.last_entry.offset);
  std::vector<std::uint64_t> offsets;
  auto visit = [&](const ledger::Line& line) -> Result<void> {
    offsets.push_back(line.location.offset);
    return {};
  };
  auto resumed =
    ledger::scan_after(vault.path, ledger::resume_point(first), visit);
  REQUIRE(resumed);
  REQUIRE(resumed->has_value());
  CHECK((*resumed)->count == 5);
  CHECK((*resumed)->last_hash == tip.last_hash);
  CHECK((*resumed)->last_entry.offset == tip.last_entry.offset);
  CHECK(offsets.size() == 2);

  // A resume point whose hash is not that entry's, or that lies beyond the
  // ledger, is not an error: the caller falls back to a full scan.
  offsets.clear();
  ledger::Resume wrong = ledger::resume_point(first);
  wrong.last_hash[0] ^= 1;
  auto stale = ledger::scan_after(vault.path, wrong, visit);
  REQUIRE(stale);
  CHECK_FALSE(stale->has_value());
  ledger::Resume beyond = ledger::resume_point(tip);
  beyond.last.offset += 1000;
  auto past = ledger::scan_after(vault.path, beyond, visit);
  REQUIRE(past);
  CHECK_FALSE(past->has_value());
  ledger::Resume mid = ledger::resume_point(first);
  mid.last.offset += 1; // not a line start
  auto inside = ledger::scan_after(vault.path, mid, visit);
  REQUIRE(inside);
  CHECK_FALSE(inside->has_value());
  CHECK(offsets.empty());
}

TEST_CASE("a flipped byte breaks the chain at the entry after it")
{
  TempVault vault;
  append_n(vault.path, ledger::Tip{}, 3);
  const auto segment = vault.path / "ledger" / "000000.jsonl";
  std::string text = read_text(segment);
  const auto second_line = text.find('\n') + 1;
  // change one hex digit of the first entry's "commit"
  const auto pos = text.find("\"commit\":\"") + 10;
  text[pos] = text[pos] == 'a' ? 'b' : 'a';
  std::ofstream(segment, std::ios::binary | std::ios::trunc) << text;
  Result<void> result;
  check_chain(vault.path, &result);
  REQUIRE_FALSE(result);
  CHECK(result.error().code == Errc::corrupt);
  CHECK(result.error().message.find("entry 1") != std::string::npos);
  CHECK(result.error().message.find(fmt::format("byte {}", second_line))
        != std::string::npos);
}

TEST_CASE(
  "a torn tail is reported, refused by append, and moved aside by repair")
{
  TempVault vault;
  auto tip = append_n(vault.path, ledger::Tip{}, 2);
  const auto segment = vault.path / "ledger" / "000000.jsonl";
  const auto complete = read_text(segment);
  std::ofstream(segment, std::ios::binary | std::ios::app)
    << R"({"kind":"put","pay)";
  auto scanned = check_chain(vault.path);
  REQUIRE(scanned.torn);
  CHECK(scanned.torn->offset == complete.size());
  CHECK(scanned.torn->length == 18);
  CHECK(scanned.count == 2);

  std::vector<ledger::Encoded> more{
    ledger::encode_entry(make_entry(2, tip.last_hash))};
  auto refused = ledger::append(vault.path, scanned, more);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().remedy == Remedy::run_verify_repair);

  auto moved = ledger::move_torn_tail(vault.path, *scanned.torn, {});
  REQUIRE(moved);
  CHECK(moved->moved_to == "000000.torn");
  CHECK(read_text(vault.path / "ledger" / "000000.torn")
        == R"({"kind":"put","pay)");
  CHECK(read_text(segment) == complete);
  CHECK_FALSE(check_chain(vault.path).torn);
}

TEST_CASE("a scan up to a snapshot stops there: entries and a torn line "
          "appended after it are not read")
{
  TempVault vault;
  auto tip = append_n(vault.path, ledger::Tip{}, 3);
  const auto segment = vault.path / "ledger" / "000000.jsonl";
  std::ofstream(segment, std::ios::binary | std::ios::app)
    << R"({"kind":"put","pay)";
  std::uint64_t visited = 0;
  auto snapshot = ledger::scan(
    vault.path,
    [&](const ledger::Line&) -> Result<void> {
      ++visited;
      return {};
    },
    2);
  REQUIRE(snapshot);
  CHECK(visited == 2);
  CHECK(snapshot->count == 2);
  CHECK_FALSE(snapshot->torn);
  // Where the third entry starts: the snapshot's end of the segment.
  CHECK(snapshot->last_segment_size < read_text(segment).size());

  visited = 0;
  auto after = ledger::scan_after(
    vault.path,
    ledger::resume_point(*snapshot),
    [&](const ledger::Line&) -> Result<void> {
      ++visited;
      return {};
    },
    3);
  REQUIRE(after);
  REQUIRE(*after);
  CHECK(visited == 1);
  CHECK((*after)->count == 3);
  CHECK((*after)->last_hash == tip.last_hash);
  CHECK_FALSE((*after)->torn);
  // Without a bound, the torn line is found.
  CHECK(check_chain(vault.path).torn);
}

TEST_CASE("HEAD must be exactly \"<seq> <hash>\\n\"")
{
  TempVault vault;
  append_n(vault.path, ledger::Tip{}, 1);
  const auto head_path = vault.path / "ledger" / "HEAD";
  const std::string good = read_text(head_path);
  std::ofstream(head_path, std::ios::binary | std::ios::trunc)
    << "00" << good.substr(1);
  CHECK_FALSE(ledger::read_head(vault.path));
  std::ofstream(head_path, std::ios::binary | std::ios::trunc)
    << good.substr(0, good.size() - 1);
  CHECK_FALSE(ledger::read_head(vault.path));
}

TEST_CASE("a gap in segment numbering is corrupt")
{
  TempVault vault;
  append_n(vault.path, ledger::Tip{}, 1);
  std::filesystem::rename(vault.path / "ledger" / "000000.jsonl",
                          vault.path / "ledger" / "000001.jsonl");
  auto tip = ledger::scan(
    vault.path, [](const ledger::Line&) -> Result<void> { return {}; });
  REQUIRE_FALSE(tip);
  CHECK(tip.error().message.find("000001.jsonl") != std::string::npos);
}

TEST_SUITE_END();
