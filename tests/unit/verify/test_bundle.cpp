// Checking a court bundle (verify/bundle.hpp): a small but real bundle made
// with the BagIt writer (a 3-entry ledger, a signed checkpoint, an original,
// opened payloads, inclusion proofs) passes as a directory, a .zip and a .tar;
// one changed byte in any of its files, a wrong lodged key or a timestamp of
// other bytes fails it, naming the file.
#include <custody/base/canonical_json.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/crypto/minisign.hpp>
#include <custody/export/bag.hpp>
#include <custody/ledger/checkpoint.hpp>
#include <custody/ledger/ledger.hpp>
#include <custody/ledger/merkle.hpp>
#include <custody/ledger/store.hpp>
#include <custody/verify/bundle.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <temp_dir.hpp>
#include <vector>

using namespace custody;
namespace stdfs = std::filesystem;

namespace {

const std::string k_vault_id = "0123456789abcdef0123456789abcdef";
const std::string k_record = "fedcba9876543210fedcba9876543210";

std::string
slurp(const stdfs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void
spit(const stdfs::path& path, std::string_view text)
{
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string
salt_of(std::string_view seed)
{
  return sha256_hex(as_bytes(seed));
}

std::string
b64(const Digest& digest)
{
  return to_base64(digest, Padding::yes);
}

// What a test bundle was made of.
struct Made
{
  minisign::SecretKey key = minisign::SecretKey::generate();
  std::string original_path;
  std::string payload_path;
};

// A bag at `out` (a directory, .zip or .tar by its name) holding one record
// of two entries (a record with three payloads opened and one sealed, an
// attachment whose media is an original) in a ledger of three entries, the
// third a seal, under a signed checkpoint of size 3.
void
make_bundle(const stdfs::path& out,
            Made& made,
            const std::optional<Bytes>& token = std::nullopt,
            std::size_t photo_size = 0)
{
  using nlohmann::json;
  std::string photo = "not really a photo, but bytes all the same";
  if (photo_size > photo.size()) {
    photo.resize(photo_size, 'x');
    photo.back() = 'y';
  }
  const Digest photo_sha = sha256(photo);
  const std::string media_salt = salt_of("media");

  // The payload documents of entry 0, canonical JSON.
  std::vector<std::string> documents;
  const char* compartments[] = {"identity", "narrative", "facts", "aggressor"};
  for (int i = 0; i < 4; ++i) {
    const json doc = {{"data", {{"part", compartments[i]}}},
                      {"prev", nullptr},
                      {"record", k_record},
                      {"salt", salt_of("salt" + std::to_string(i))},
                      {"type", "record"}};
    documents.push_back(custody::json::canonical(doc));
  }
  const json attachment_doc = {
    {"attachment",
     {{"kind", "photo"}, {"name", "Photo.JPG"}, {"sha256", to_hex(photo_sha)}}},
    {"record", k_record},
    {"salt", salt_of("attachment")},
    {"type", "attachment"}};
  const std::string attachment_text = custody::json::canonical(attachment_doc);
  const auto commit_of = [](const std::string& text) {
    const auto doc = custody::json::parse_canonical(text);
    REQUIRE(doc);
    return store::commitment((*doc)["salt"].get<std::string>(), sha256(text));
  };

  // The ledger: a record, its attachment, a seal.
  std::vector<std::string> lines;
  Digest prev{};
  const auto append = [&](ledger::Entry entry) {
    entry.seq = lines.size();
    entry.time = "2026-12-06T08:00:0" + std::to_string(lines.size()) + "Z";
    entry.prev = prev;
    lines.push_back(ledger::encode(entry));
    prev = ledger::entry_hash(lines.back());
  };
  ledger::Entry record;
  for (const auto& doc : documents) {
    record.payloads.push_back({sha256("obj" + doc), commit_of(doc), 0});
  }
  append(record);
  ledger::Entry attachment;
  attachment.payloads.push_back(
    {sha256("obj attachment"), commit_of(attachment_text), 0});
  attachment.payloads.push_back(
    {sha256("obj media"), store::commitment(media_salt, photo_sha), 0});
  append(attachment);
  ledger::Entry seal;
  seal.kind = ledger::Kind::seal;
  seal.payloads.push_back({sha256("obj seal"), sha256("seal commit"), 0});
  append(seal);

  merkle::Tree tree;
  for (const auto& line : lines) {
    tree.append(merkle::leaf_hash(as_bytes(line)));
  }
  const checkpoint::Checkpoint cp{
    checkpoint::origin_of(k_vault_id), 3, tree.root()};
  const std::string cp_text = checkpoint::encode(cp);
  auto signature = checkpoint::sign(made.key, cp);
  REQUIRE(signature);

  // proof.json, as `custody prove ID --checkpoint 3` prints it.
  const char* types[] = {"record", "attachment"};
  json proof_entries = json::array();
  for (std::uint64_t seq = 0; seq < 2; ++seq) {
    auto path = tree.inclusion_proof(seq, 3);
    REQUIRE(path);
    json hashes = json::array();
    for (const auto& hash : *path) {
      hashes.push_back(b64(hash));
    }
    proof_entries.push_back(
      {{"seq", seq},
       {"leaf_index", seq},
       {"type", types[seq]},
       {"line", lines[seq]},
       {"leaf_hash", b64(merkle::leaf_hash(as_bytes(lines[seq])))},
       {"inclusion_proof", hashes}});
  }
  json checkpoint_json = {{"size", 3},
                          {"root", b64(cp.root)},
                          {"text", cp_text},
                          {"signature", *signature},
                          {"timestamped", token.has_value()}};
  if (token) {
    checkpoint_json["timestamp_token"] = to_base64(*token, Padding::yes);
  }
  const json proof = {{"type", "proof"},
                      {"vault", k_vault_id},
                      {"origin", cp.origin},
                      {"record", k_record},
                      {"public_key", made.key.public_key().to_base64()},
                      {"checkpoint", checkpoint_json},
                      {"entries", proof_entries},
                      {"not_covered", json::array()},
                      {"notes", json::array({"inclusion is provable"})}};

  bundle::BagInfo info;
  info.source_organization = "Collectif Test";
  info.bagging_date = "2026-12-06";
  info.extra.emplace_back("External-Identifier", "case 2026/17");
  auto writer = bundle::BagWriter::create(out, info, bundle::Replace::no);
  REQUIRE(writer);
  auto original = writer->add_original(photo_sha,
                                       "Photo.JPG",
                                       photo.size(),
                                       bundle::bytes_reader(as_bytes(photo)));
  REQUIRE(original);
  made.original_path = *original;

  const std::string dir = "data/records/" + k_record + "/";
  json entries_payloads0 = json::array();
  for (std::size_t i = 0; i < 4; ++i) {
    const std::string commit = to_hex(record.payloads[i].commit);
    if (i == 3) {
      entries_payloads0.push_back({{"index", i},
                                   {"compartment", compartments[i]},
                                   {"commit", commit},
                                   {"sealed", "not disclosed"}});
      continue;
    }
    const std::string path = dir + "payloads/0-" + std::to_string(i) + ".json";
    REQUIRE(writer->add_payload(path, as_bytes(documents[i])));
    entries_payloads0.push_back({{"index", i},
                                 {"compartment", compartments[i]},
                                 {"commit", commit},
                                 {"opened", path}});
  }
  made.payload_path = dir + "payloads/0-1.json";
  const std::string attachment_path = dir + "payloads/1-0.json";
  REQUIRE(writer->add_payload(attachment_path, as_bytes(attachment_text)));
  const json entries = {
    {"type", "custody-bundle-entries"},
    {"record", k_record},
    {"entries",
     json::array(
       {{{"seq", 0},
         {"type", "record"},
         {"line", lines[0]},
         {"payloads", entries_payloads0}},
        {{"seq", 1},
         {"type", "attachment"},
         {"line", lines[1]},
         {"payloads",
          json::array({{{"index", 0},
                        {"compartment", "identity"},
                        {"commit", to_hex(attachment.payloads[0].commit)},
                        {"opened", attachment_path}},
                       {{"index", 1},
                        {"compartment", "identity"},
                        {"commit", to_hex(attachment.payloads[1].commit)},
                        {"media",
                         {{"sha256", to_hex(photo_sha)},
                          {"media_salt", media_salt},
                          {"path", *original}}}}})}}})}};
  const json record_json = {{"id", k_record}, {"narrative", "text"}};
  REQUIRE(
    writer->add_payload(dir + "record.json", as_bytes(record_json.dump())));
  REQUIRE(writer->add_payload(dir + "proof.json", as_bytes(proof.dump(2))));
  REQUIRE(writer->add_payload(dir + "entries.json", as_bytes(entries.dump())));
  REQUIRE(writer->add_payload("data/checkpoint/3", as_bytes(cp_text)));
  REQUIRE(
    writer->add_payload("data/checkpoint/3.minisig", as_bytes(*signature)));
  if (token) {
    REQUIRE(writer->add_payload("data/checkpoint/3.tsr", *token));
  }
  REQUIRE(writer->add_tag_file("custody.pub",
                               as_bytes(made.key.public_key().to_file_text())));
  REQUIRE(writer->add_tag_file("VERIFY.txt", as_bytes("how to check\n")));
  REQUIRE(writer->add_tag_file("EXHIBITS.pdf", as_bytes("%PDF-1.4\n%%EOF\n")));
  REQUIRE(writer->add_tag_file("metadata/premis.xml", as_bytes("<premis/>\n")));
  auto summary = writer->finish();
  REQUIRE_MESSAGE(summary, summary.error().message);
}

std::string
failures(const verify::BundleReport& report)
{
  std::string out;
  for (const auto& check : report.checks) {
    if (!check.ok) {
      out += check.what + ": " + check.detail + "\n";
    }
  }
  return out;
}

verify::BundleReport
check(const stdfs::path& bag, const verify::BundleOptions& options = {})
{
  auto report = verify::verify_bundle(bag, options);
  REQUIRE_MESSAGE(report, report.error().message);
  return *report;
}

// Rewrites the manifests so that they list the bag's files as they now are:
// what someone who changed a file and covered it up would do.
void
rehash(const stdfs::path& bag)
{
  std::map<std::string, std::string> payload;
  std::map<std::string, std::string> tags;
  for (const auto& entry : stdfs::recursive_directory_iterator(bag)) {
    if (!entry.is_regular_file()) {
      continue;
    }
    const auto path = entry.path().lexically_relative(bag).generic_string();
    const auto hash = sha256_hex(as_bytes(slurp(entry.path())));
    if (path.rfind("data/", 0) == 0) {
      payload[path] = hash;
    } else if (path != "tagmanifest-sha256.txt"
               && path != "manifest-sha256.txt") {
      tags[path] = hash;
    }
  }
  std::string manifest;
  for (const auto& [path, hash] : payload) {
    manifest.append(hash).append("  ").append(path).append("\n");
  }
  spit(bag / "manifest-sha256.txt", manifest);
  tags["manifest-sha256.txt"] = sha256_hex(as_bytes(manifest));
  std::string tagmanifest;
  for (const auto& [path, hash] : tags) {
    tagmanifest.append(hash).append("  ").append(path).append("\n");
  }
  spit(bag / "tagmanifest-sha256.txt", tagmanifest);
}

// A copy of `bag` with the byte at `offset` (the middle when negative) of
// `file` changed.
stdfs::path
tampered(const stdfs::path& bag,
         const stdfs::path& where,
         const std::string& file,
         long offset = -1)
{
  stdfs::copy(bag, where, stdfs::copy_options::recursive);
  std::string bytes = slurp(where / file);
  REQUIRE(!bytes.empty());
  const auto at =
    offset < 0 ? bytes.size() / 2 : static_cast<std::size_t>(offset);
  bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
  spit(where / file, bytes);
  return where;
}

bool
names(const verify::BundleReport& report, std::string_view text)
{
  return std::any_of(
    report.checks.begin(), report.checks.end(), [&](const auto& check) {
      return !check.ok && check.detail.find(text) != std::string::npos;
    });
}

} // namespace

TEST_SUITE("bundle")
{
  TEST_CASE("a good bundle passes as a directory, a .zip and a .tar")
  {
    test::TempDir dir;
    Made made;
    for (const char* name : {"bundle", "bundle.zip", "bundle.TAR"}) {
      CAPTURE(name);
      const auto out = dir.path() / name;
      make_bundle(out, made);
      const auto report = check(out);
      CHECK_MESSAGE(report.ok(), failures(report));
      CHECK(report.key == made.key.public_key().to_base64());
      CHECK(report.key_id == made.key.key_id());
      CHECK(report.checkpoint_size == 3);
      CHECK(report.records == 1);
      CHECK(report.entries == 2);
      CHECK(report.originals == 1);
      CHECK_FALSE(report.timestamped);
      bool says_compare = false;
      for (const auto& line : report.checks) {
        says_compare =
          says_compare
          || line.detail.find("compare key " + report.key) != std::string::npos;
      }
      CHECK(says_compare);

      verify::BundleOptions lodged;
      lodged.key = made.key.public_key().to_base64() + "\n";
      const auto with_key = check(out, lodged);
      CHECK_MESSAGE(with_key.ok(), failures(with_key));
    }
  }

  TEST_CASE("a wrong lodged key fails")
  {
    test::TempDir dir;
    Made made;
    make_bundle(dir.path() / "bundle", made);
    verify::BundleOptions options;
    options.key = minisign::SecretKey::generate().public_key().to_base64();
    const auto report = check(dir.path() / "bundle", options);
    CHECK_FALSE(report.ok());
    CHECK(names(report, "not the lodged key"));
    options.key = "not a key";
    CHECK_FALSE(check(dir.path() / "bundle", options).ok());
  }

  TEST_CASE("one changed byte in any file fails, naming it")
  {
    test::TempDir dir;
    Made made;
    const auto bag = dir.path() / "bundle";
    make_bundle(bag, made);
    const std::string records = "data/records/" + k_record + "/";
    const std::vector<std::string> files = {made.original_path,
                                            made.payload_path,
                                            records + "entries.json",
                                            records + "proof.json",
                                            records + "record.json",
                                            "data/checkpoint/3",
                                            "data/checkpoint/3.minisig",
                                            "bag-info.txt",
                                            "bagit.txt",
                                            "custody.pub",
                                            "original-names.txt",
                                            "manifest-sha256.txt",
                                            "tagmanifest-sha256.txt",
                                            "metadata/premis.xml"};
    int n = 0;
    for (const auto& file : files) {
      CAPTURE(file);
      const auto copy =
        tampered(bag, dir.path() / ("t" + std::to_string(n++)), file);
      const auto report = check(copy);
      CHECK_FALSE(report.ok());
      if (file != "tagmanifest-sha256.txt") {
        CHECK_MESSAGE(names(report, file), failures(report));
      }
    }
  }

  TEST_CASE("a changed file with the manifests rewritten still fails")
  {
    test::TempDir dir;
    Made made;
    const auto bag = dir.path() / "bundle";
    make_bundle(bag, made);
    const std::string records = "data/records/" + k_record + "/";
    struct Case
    {
      std::string file;
      long offset;
      std::string says;
    };
    const std::vector<Case> cases = {
      {made.original_path, 0, "data/original/"},
      {made.payload_path, -1, made.payload_path},
      {"data/checkpoint/3", 45, "data/checkpoint/3"},
      {"data/checkpoint/3.minisig", -1, "data/checkpoint/3.minisig"},
      {"custody.pub", 60, "custody.pub"},
    };
    int n = 0;
    for (const auto& c : cases) {
      CAPTURE(c.file);
      const auto copy = tampered(
        bag, dir.path() / ("r" + std::to_string(n++)), c.file, c.offset);
      rehash(copy);
      const auto report = check(copy);
      CHECK_FALSE(report.ok());
      CHECK_MESSAGE(names(report, c.says), failures(report));
    }

    // entries.json whose first commit is changed: not the line's.
    {
      const auto copy = dir.path() / "r-entries";
      stdfs::copy(bag, copy, stdfs::copy_options::recursive);
      std::string text = slurp(copy / (records + "entries.json"));
      const auto at = text.find("\"commit\":\"") + 10;
      text[at] = text[at] == '0' ? '1' : '0';
      spit(copy / (records + "entries.json"), text);
      rehash(copy);
      const auto report = check(copy);
      CHECK_FALSE(report.ok());
      CHECK_MESSAGE(names(report, "commit is not the line's"),
                    failures(report));
    }
    // proof.json whose first inclusion hash is changed.
    {
      const auto copy = dir.path() / "r-proof";
      stdfs::copy(bag, copy, stdfs::copy_options::recursive);
      std::string text = slurp(copy / (records + "proof.json"));
      const auto at = text.find("\"inclusion_proof\": [") + 30;
      text[at] = text[at] == 'A' ? 'B' : 'A';
      spit(copy / (records + "proof.json"), text);
      rehash(copy);
      const auto report = check(copy);
      CHECK_FALSE(report.ok());
      CHECK_MESSAGE(names(report, "proof.json"), failures(report));
    }
    // A file added under data/ and listed: not in a record's folder or the
    // checkpoint's.
    {
      const auto copy = dir.path() / "r-extra";
      stdfs::copy(bag, copy, stdfs::copy_options::recursive);
      spit(copy / "data/checkpoint/4", "x");
      const auto report = check(copy);
      CHECK_FALSE(report.ok());
      CHECK(names(report, "data/checkpoint/4"));
    }
  }

  TEST_CASE("an original larger than what is kept in memory is streamed")
  {
    test::TempDir dir;
    Made made;
    for (const char* name : {"big", "big.tar", "big.zip"}) {
      CAPTURE(name);
      make_bundle(dir.path() / name, made, std::nullopt, (17U << 20) + 3);
      const auto report = check(dir.path() / name);
      CHECK_MESSAGE(report.ok(), failures(report));
      CHECK(report.originals == 1);
    }
  }

  TEST_CASE("paths, Payload-Oxum and the profile are checked")
  {
    test::TempDir dir;
    Made made;
    const auto bag = dir.path() / "bundle";
    make_bundle(bag, made);
    const auto edit = [&](const std::string& name,
                          const std::string& file,
                          const std::string& from,
                          const std::string& to) {
      auto copy = dir.path() / name;
      stdfs::copy(bag, copy, stdfs::copy_options::recursive);
      std::string text = slurp(copy / file);
      const auto at = text.find(from);
      REQUIRE(at != std::string::npos);
      text.replace(at, from.size(), to);
      spit(copy / file, text);
      return copy;
    };
    {
      // A manifest line leaving the bag, and one absolute.
      const auto copy =
        edit("dotdot", "manifest-sha256.txt", "  data/", "  data/../data/");
      const auto report = check(copy);
      CHECK_FALSE(report.ok());
      CHECK_MESSAGE(names(report, "data/../data/"), failures(report));
      const auto absolute = edit("absolute",
                                 "tagmanifest-sha256.txt",
                                 "  bag-info.txt",
                                 "  /etc/passwd");
      CHECK(names(check(absolute), "/etc/passwd"));
    }
    {
      const std::string info = slurp(bag / "bag-info.txt");
      const auto start = info.find("Payload-Oxum: ") + 14;
      const auto oxum = info.substr(start, info.find('\n', start) - start);
      const auto copy = edit("oxum",
                             "bag-info.txt",
                             "Payload-Oxum: " + oxum,
                             "Payload-Oxum: 1" + oxum);
      rehash(copy);
      const auto report = check(copy);
      CHECK_FALSE(report.ok());
      CHECK_MESSAGE(names(report, "Payload-Oxum is 1" + oxum),
                    failures(report));
    }
    {
      const auto copy = edit("profile",
                             "bag-info.txt",
                             "custody-court-v1.json",
                             "custody-court-v2.json");
      rehash(copy);
      const auto report = check(copy);
      CHECK_FALSE(report.ok());
      CHECK_MESSAGE(names(report, "BagIt-Profile-Identifier"),
                    failures(report));
    }
    {
      // A proof that leaves an entry of the record out of the checkpoint.
      const std::string proof = "data/records/" + k_record + "/proof.json";
      const auto copy = edit(
        "not-covered", proof, "\"not_covered\": []", "\"not_covered\": [7]");
      rehash(copy);
      CHECK(names(check(copy), "entries [7] of the record are not covered"));
    }
    {
      // A file under data/ that no manifest lists.
      const auto copy = dir.path() / "extra";
      stdfs::copy(bag, copy, stdfs::copy_options::recursive);
      spit(copy / "data/notes.txt", "x");
      CHECK(names(check(copy), "data/notes.txt: in the payload but not in"));
    }
  }

  TEST_CASE("a timestamp of other bytes fails")
  {
    test::TempDir dir;
    Made made;
    const auto token =
      slurp(stdfs::path(CUSTODY_TEST_VECTORS) / "rfc3161" / "data.txt.tsr");
    REQUIRE(!token.empty());
    const Bytes bytes(token.begin(), token.end());
    make_bundle(dir.path() / "bundle.zip", made, bytes);
    const auto report = check(dir.path() / "bundle.zip");
    CHECK_FALSE(report.ok());
    CHECK_FALSE(report.timestamped);
    CHECK_MESSAGE(names(report, "data/checkpoint/3.tsr"), failures(report));
  }

  TEST_CASE("what is not a bag is an error, not a report")
  {
    test::TempDir dir;
    auto missing = verify::verify_bundle(dir.path() / "nothing", {});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == Errc::not_found);
    CHECK(missing.error().message.find("nothing") != std::string::npos);

    stdfs::create_directory(dir.path() / "empty");
    auto empty = verify::verify_bundle(dir.path() / "empty", {});
    REQUIRE_FALSE(empty);
    CHECK(empty.error().code == Errc::invalid_input);
    CHECK(empty.error().message.find("empty") != std::string::npos);

    spit(dir.path() / "junk.zip", "this is no zip file");
    auto junk = verify::verify_bundle(dir.path() / "junk.zip", {});
    REQUIRE_FALSE(junk);
    CHECK(junk.error().code == Errc::invalid_input);

    spit(dir.path() / "notes.txt", "text");
    auto text = verify::verify_bundle(dir.path() / "notes.txt", {});
    REQUIRE_FALSE(text);
    CHECK(text.error().code == Errc::invalid_input);
  }

  TEST_CASE("entries.json is parsed strictly")
  {
    const std::string commit(64, 'a');
    const std::string good =
      R"({"type":"custody-bundle-entries","record":"r","entries":[{"seq":1,"type":"record","line":"l","payloads":[{"index":0,"compartment":"facts","commit":")"
      + commit + R"(","sealed":"why"}]}]})";
    auto parsed = verify::parse_bundle_entries(good);
    REQUIRE_MESSAGE(parsed, parsed.error().message);
    REQUIRE(parsed->entries.size() == 1);
    CHECK(parsed->entries[0].payloads[0].kind
          == verify::BundlePayload::Kind::sealed);

    for (
      const std::string& bad : std::vector<std::string>{
        "{",
        "[]",
        R"({"type":"custody-bundle-entries","record":"r","entries":[],"x":1})",
        R"({"type":"other","record":"r","entries":[]})",
        R"({"type":"custody-bundle-entries","record":"r","entries":[{"seq":-1,"type":"record","line":"l","payloads":[]}]})",
        R"({"type":"custody-bundle-entries","record":"r","entries":[{"seq":1,"type":"seal","line":"l","payloads":[]}]})",
        R"({"type":"custody-bundle-entries","record":"r","entries":[{"seq":1,"type":"record","line":"l","payloads":[{"index":0,"compartment":"facts","commit":"AB","sealed":"x"}]}]})"}) {
      CAPTURE(bad);
      auto result = verify::parse_bundle_entries(bad);
      REQUIRE_FALSE(result);
      CHECK(result.error().code == Errc::invalid_input);
    }
  }
}
