// The BagIt writer: names, paths, manifests, refusals, and what an abandoned
// bag leaves. tests/cli/bag.sh checks whole bags with standard tools.
#include <custody/crypto/crypto.hpp>
#include <custody/export/bag.hpp>

#include <archive.h>
#include <archive_entry.h>
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <temp_dir.hpp>

using namespace custody;
using namespace custody::bundle;
namespace stdfs = std::filesystem;

namespace {

BagInfo
info()
{
  BagInfo result;
  result.source_organization = "Collectif Test";
  result.bagging_date = "2026-12-05";
  return result;
}

std::string
slurp(const stdfs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Digest
hash_of(std::string_view text)
{
  return sha256(text);
}

// Everything in `directory`, as names.
std::vector<std::string>
listing(const stdfs::path& directory)
{
  std::vector<std::string> names;
  for (const auto& entry : stdfs::directory_iterator(directory)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The entries of an archive: path -> content.
std::map<std::string, std::string>
read_archive(const stdfs::path& path)
{
  std::map<std::string, std::string> entries;
  archive* reader = archive_read_new();
  archive_read_support_format_all(reader);
  REQUIRE(archive_read_open_filename(reader, path.c_str(), 1 << 16)
          == ARCHIVE_OK);
  archive_entry* entry = nullptr;
  while (archive_read_next_header(reader, &entry) == ARCHIVE_OK) {
    std::string content;
    char buffer[4096];
    la_ssize_t n = 0;
    while ((n = archive_read_data(reader, buffer, sizeof buffer)) > 0) {
      content.append(buffer, static_cast<std::size_t>(n));
    }
    entries[archive_entry_pathname(entry)] = content;
  }
  archive_read_free(reader);
  return entries;
}

} // namespace

TEST_SUITE("bag")
{
  TEST_CASE("names are escaped as RFC 8493 escapes paths, and controls too")
  {
    CHECK(escape_name("a%b\r\nc") == "a%25b%0D%0Ac");
    CHECK(escape_name("%0A") == "%250A"); // never ambiguous with an escape
    CHECK(escape_name("clip\x1b[2J\a\x7f.mp4") == "clip%1B[2J%07%7F.mp4");
    CHECK(escape_name("tab\there") == "tab%09here");
    // Not UTF-8: each stray byte escaped, valid sequences kept.
    CHECK(escape_name("\xff\xc0\xaf ok \xe2\x82") == "%FF%C0%AF ok %E2%82");
    CHECK(escape_name("\xd0\xb6 \xe2\x82\xac") == "\xd0\xb6 \xe2\x82\xac");
    // NFC and NFD stay distinct, byte for byte.
    CHECK(escape_name("N\xc3\xba") == "N\xc3\xba");
    CHECK(escape_name("Nu\xcc\x81") == "Nu\xcc\x81");
    CHECK(escape_name("../../etc/passwd") == "../../etc/passwd");
  }

  TEST_CASE("the extension a payload keeps is ASCII, lower case, 1 to 8 long")
  {
    CHECK(payload_extension("Clip.MP4") == "mp4");
    CHECK(payload_extension("a.tar.gz") == "gz");
    CHECK(payload_extension("statement.docx") == "docx");
    CHECK(payload_extension("x.abcdefgh") == "abcdefgh");
    CHECK(payload_extension("x.abcdefghi").empty());
    CHECK(payload_extension("..").empty());
    CHECK(payload_extension("x.").empty());
    CHECK(payload_extension("notes").empty());
    CHECK(payload_extension("a.mp4 ").empty());
    CHECK(payload_extension("a.m\xc3\xb6v").empty());
    CHECK(payload_extension("a.mp4\n").empty());
    CHECK(payload_extension("../../etc/passwd").empty());
  }

  TEST_CASE("the container is chosen by the output's name")
  {
    CHECK(container_for("case.zip") == Container::zip);
    CHECK(container_for("out/case.TAR") == Container::tar);
    CHECK(container_for("case") == Container::directory);
    CHECK(container_for("case.tar.gz") == Container::directory);
  }

  TEST_CASE("a directory bag: manifests, bag-info, names, nothing left over")
  {
    test::TempDir dir;
    const stdfs::path out = dir.path() / "bag";
    auto writer = BagWriter::create(out, info(), Replace::no);
    REQUIRE(writer);
    const std::string video = "not really a video";
    auto path = writer->add_original(hash_of(video),
                                     "Clip%1\r\n.MP4",
                                     video.size(),
                                     bytes_reader(as_bytes(video)));
    REQUIRE(path);
    const std::string hex = sha256_hex(as_bytes(video));
    CHECK(*path == "data/original/" + hex + ".mp4");
    // The same content under another name: one file, two names.
    auto again =
      writer->add_original(hash_of(video),
                           "other.mov",
                           video.size(),
                           [](auto) -> Result<std::size_t> {
                             FAIL("the reader of known content is not called");
                             return 0;
                           });
    REQUIRE(again);
    CHECK(*again == *path);
    const std::string record = "{\"id\":\"r1\"}";
    auto record_hash =
      writer->add_payload("data/records/r1.json", as_bytes(record));
    REQUIRE(record_hash);
    CHECK(*record_hash == sha256_hex(as_bytes(record)));
    REQUIRE(writer->add_tag_file("metadata/premis.xml", as_bytes("<x/>")));
    auto summary = writer->finish();
    REQUIRE(summary);
    CHECK(summary->payload_files == 2);
    CHECK(summary->payload_octets == video.size() + record.size());
    CHECK_FALSE(summary->archive_sha256);

    CHECK(listing(dir.path()) == std::vector<std::string>{"bag"});
    CHECK(slurp(out / "bagit.txt")
          == "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
    CHECK(slurp(out / "manifest-sha256.txt")
          == hex + "  " + *path + "\n" + *record_hash
               + "  data/records/r1.json\n");
    CHECK(slurp(out / "original-names.txt")
          == hex + "  Clip%251%0D%0A.MP4\n" + hex + "  other.mov\n");
    CHECK(slurp(out / "bag-info.txt")
          == fmt::format("Source-Organization: Collectif Test\n"
                         "Bagging-Date: 2026-12-05\nPayload-Oxum: {}.2\n"
                         "BagIt-Profile-Identifier: {}\n",
                         video.size() + record.size(),
                         k_court_profile_identifier));
    CHECK(slurp(out / *path) == video);
    const std::string tagmanifest = slurp(out / "tagmanifest-sha256.txt");
    CHECK(summary->tagmanifest_sha256 == sha256_hex(as_bytes(tagmanifest)));
    std::string expected;
    for (const char* tag : {"bag-info.txt",
                            "bagit.txt",
                            "manifest-sha256.txt",
                            "metadata/premis.xml",
                            "original-names.txt"}) {
      expected += sha256_hex(as_bytes(slurp(out / tag))) + "  " + tag + "\n";
    }
    CHECK(tagmanifest == expected);
  }

  TEST_CASE("a .tar and a .zip hold one top directory named as the archive")
  {
    for (const char* name : {"case-7.tar", "case-7.zip"}) {
      CAPTURE(name);
      test::TempDir dir;
      auto writer = BagWriter::create(dir.path() / name, info(), Replace::no);
      REQUIRE(writer);
      REQUIRE(writer->add_original(
        hash_of("abc"), "a.txt", 3, bytes_reader(as_bytes("abc"))));
      auto summary = writer->finish();
      REQUIRE(summary);
      REQUIRE(summary->archive_sha256);
      CHECK(*summary->archive_sha256
            == sha256_hex(as_bytes(slurp(dir.path() / name))));
      CHECK(listing(dir.path()) == std::vector<std::string>{name});
      const auto entries = read_archive(dir.path() / name);
      const std::string original =
        "case-7/data/original/" + sha256_hex(as_bytes("abc")) + ".txt";
      REQUIRE(entries.contains(original));
      CHECK(entries.at(original) == "abc");
      for (const auto& [path, content] : entries) {
        CHECK(path.starts_with("case-7/"));
      }
      CHECK(entries.size() == 6);
      CHECK(entries.contains("case-7/tagmanifest-sha256.txt"));
    }
  }

  TEST_CASE("a large source is read in pieces, never whole")
  {
    test::TempDir dir;
    auto writer =
      BagWriter::create(dir.path() / "bag.tar", info(), Replace::no);
    REQUIRE(writer);
    const std::uint64_t size = 5 * (std::uint64_t{1} << 20) + 17;
    std::uint64_t given = 0;
    std::size_t largest = 0;
    Sha256 expected;
    Bytes piece(std::size_t{1} << 20);
    for (std::uint64_t at = 0; at < size; at += piece.size()) {
      const std::size_t n = static_cast<std::size_t>(
        std::min<std::uint64_t>(piece.size(), size - at));
      std::fill(
        piece.begin(), piece.end(), static_cast<std::uint8_t>(at >> 20));
      expected.update(ByteView(piece.data(), n));
    }
    auto read = [&](std::span<std::uint8_t> out) -> Result<std::size_t> {
      largest = std::max(largest, out.size());
      const std::size_t n = static_cast<std::size_t>(
        std::min<std::uint64_t>(out.size(), size - given));
      std::fill_n(out.begin(), n, static_cast<std::uint8_t>(given >> 20));
      given += n;
      return n;
    };
    REQUIRE(writer->add_original(expected.finish(), "big.mov", size, read));
    CHECK(largest <= (std::size_t{1} << 20));
    REQUIRE(writer->finish());
  }

  TEST_CASE("an archive of several MiB, written by its own thread, is whole")
  {
    // Past the writing thread's buffers (and their bound), with a tail that
    // is not a multiple of the page: the direct writes and the buffered end.
    for (const char* name : {"big.tar", "big.zip", "big.tar.age"}) {
      CAPTURE(name);
      test::TempDir dir;
      const auto court = age::X25519Identity::generate();
      const bool sealed = std::string_view(name).ends_with(".age");
      auto writer = BagWriter::create(dir.path() / name,
                                      info(),
                                      Replace::no,
                                      sealed ? std::optional(court.recipient())
                                             : std::nullopt);
      REQUIRE(writer);
      std::string content(9 * (std::size_t{1} << 20) + 4099, '\0');
      for (std::size_t i = 0; i < content.size(); ++i) {
        content[i] = static_cast<char>((i * 131) ^ (i >> 12));
      }
      REQUIRE(writer->add_original(hash_of(content),
                                   "clip.mov",
                                   content.size(),
                                   bytes_reader(as_bytes(content))));
      auto summary = writer->finish();
      REQUIRE(summary);
      const std::string file = slurp(dir.path() / name);
      CHECK(*summary->archive_sha256 == sha256_hex(as_bytes(file)));
      if (sealed) {
        continue; // opened by age in tests/cli/export_court.sh
      }
      const auto entries = read_archive(dir.path() / name);
      const std::string original =
        "big/data/original/" + sha256_hex(as_bytes(content)) + ".mov";
      REQUIRE(entries.contains(original));
      CHECK(entries.at(original) == content);
    }
  }

  TEST_CASE("a source that fails mid-stream stops the writing thread and "
            "leaves nothing")
  {
    test::TempDir dir;
    {
      auto writer =
        BagWriter::create(dir.path() / "bag.tar", info(), Replace::no);
      REQUIRE(writer);
      const std::uint64_t size = 12 * (std::uint64_t{1} << 20);
      std::uint64_t given = 0;
      auto read = [&](std::span<std::uint8_t> out) -> Result<std::size_t> {
        if (given >= 7 * (std::uint64_t{1} << 20)) {
          return make_error(Errc::auth, "the key no longer opens it");
        }
        std::fill(out.begin(), out.end(), std::uint8_t{7});
        given += out.size();
        return out.size();
      };
      auto added = writer->add_original(hash_of("x"), "clip.mov", size, read);
      REQUIRE_FALSE(added);
      CHECK(added.error().code == Errc::auth);
      CHECK(listing(dir.path()).size() == 1); // the .tmp- name, until dropped
    }
    CHECK(listing(dir.path()).empty());
  }

  TEST_CASE("a source that differs from what was declared abandons the bag")
  {
    struct Case
    {
      const char* what;
      std::string content;
      std::uint64_t size;
      Digest digest;
    };
    const std::string abc = "abc";
    for (const Case& c : {Case{"another hash", "abd", 3, hash_of(abc)},
                          Case{"shorter", "ab", 3, hash_of(abc)},
                          Case{"longer", "abcd", 3, hash_of(abc)}}) {
      CAPTURE(c.what);
      test::TempDir dir;
      const stdfs::path out = dir.path() / "bag";
      {
        auto writer = BagWriter::create(out, info(), Replace::no);
        REQUIRE(writer);
        auto added = writer->add_original(
          c.digest, "a.txt", c.size, bytes_reader(as_bytes(c.content)));
        REQUIRE_FALSE(added);
        CHECK(added.error().code == Errc::corrupt);
        auto finished = writer->finish();
        REQUIRE_FALSE(finished);
        CHECK(finished.error().code == Errc::internal);
      }
      CHECK(listing(dir.path()).empty());
    }
  }

  TEST_CASE("a reader's error reaches the caller, naming the file")
  {
    test::TempDir dir;
    auto writer =
      BagWriter::create(dir.path() / "bag.zip", info(), Replace::no);
    REQUIRE(writer);
    auto added =
      writer->add_payload("data/x.bin", 10, [](auto) -> Result<std::size_t> {
        return make_error(Errc::auth, "cannot open the object");
      });
    REQUIRE_FALSE(added);
    CHECK(added.error().code == Errc::auth);
    CHECK(added.error().message == "data/x.bin: cannot open the object");
  }

  TEST_CASE("payload and tag paths are plain ASCII, unique ignoring case")
  {
    test::TempDir dir;
    auto writer = BagWriter::create(dir.path() / "bag", info(), Replace::no);
    REQUIRE(writer);
    const auto bytes = as_bytes("x");
    for (const char* bad : {"data/../x",
                            "data/./x",
                            "data//x",
                            "data/",
                            "x.json",
                            "/data/x",
                            "data/a b",
                            "data/\xc3\xa9",
                            "data/a\nb",
                            "data/original/x",
                            "data/ORIGINAL/x"}) {
      CAPTURE(bad);
      auto added = writer->add_payload(bad, bytes);
      REQUIRE_FALSE(added);
      CHECK(added.error().code == Errc::invalid_input);
    }
    REQUIRE(writer->add_payload("data/a.json", bytes));
    REQUIRE(writer->add_payload("data/d/b.json", bytes));
    for (const char* taken : {"data/A.json", "data/a.json/c", "data/D"}) {
      CAPTURE(taken);
      auto added = writer->add_payload(taken, bytes);
      REQUIRE_FALSE(added);
      CHECK(added.error().code == Errc::invalid_input);
    }
    for (const char* bad : {"bagit.txt",
                            "BagIt.txt",
                            "bag-info.txt",
                            "manifest-md5.txt",
                            "tagmanifest-sha256.txt",
                            "fetch.txt",
                            "Original-Names.txt",
                            "data/x",
                            "data",
                            "../x"}) {
      CAPTURE(bad);
      auto added = writer->add_tag_file(bad, bytes);
      REQUIRE_FALSE(added);
      CHECK(added.error().code == Errc::invalid_input);
    }
    // Refused paths wrote nothing: the bag still completes.
    REQUIRE(writer->add_tag_file("VERIFY.txt", bytes));
    REQUIRE(writer->finish());
  }

  TEST_CASE(
    "bag-info values are one printable line, reserved labels the writer's")
  {
    test::TempDir dir;
    auto refused = [&](BagInfo given) {
      auto writer = BagWriter::create(dir.path() / "bag", given, Replace::no);
      return !writer && writer.error().code == Errc::invalid_input;
    };
    BagInfo good = info();
    BagInfo bad = good;
    bad.source_organization = "Line\nBreak";
    CHECK(refused(bad));
    bad = good;
    bad.source_organization = "";
    CHECK(refused(bad));
    bad = good;
    bad.bagging_date = "5 Dec 2026";
    CHECK(refused(bad));
    bad = good;
    bad.bagging_date = "2026-12-05T10:00Z";
    CHECK(refused(bad));
    bad = good;
    bad.extra = {{"payload-oxum", "1.1"}};
    CHECK(refused(bad));
    bad = good;
    bad.extra = {{"A:B", "x"}};
    CHECK(refused(bad));
    bad = good;
    bad.extra = {{" Label", "x"}};
    CHECK(refused(bad));
    bad = good;
    bad.extra = {{"External-Identifier", "x\ry"}};
    CHECK(refused(bad));
    CHECK(listing(dir.path()).empty());
    good.source_organization = "Colectivo Ñandú 東京";
    good.extra = {{"External-Identifier", "case 42"}};
    auto writer = BagWriter::create(dir.path() / "bag", good, Replace::no);
    REQUIRE(writer);
    REQUIRE(writer->finish());
    CHECK(slurp(dir.path() / "bag" / "bag-info.txt")
            .ends_with("External-Identifier: case 42\n"));
  }

  TEST_CASE("an output that exists is refused, or replaced whole")
  {
    test::TempDir dir;
    const stdfs::path out = dir.path() / "bag";
    stdfs::create_directory(out);
    std::ofstream(out / "old") << "old";
    auto refused = BagWriter::create(out, info(), Replace::no);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::invalid_input);
    CHECK(listing(out) == std::vector<std::string>{"old"});

    auto writer = BagWriter::create(out, info(), Replace::yes);
    REQUIRE(writer);
    REQUIRE(writer->finish());
    CHECK_FALSE(stdfs::exists(out / "old"));
    CHECK(stdfs::exists(out / "bagit.txt"));
    CHECK(listing(dir.path()) == std::vector<std::string>{"bag"});
  }

  TEST_CASE(
    "an output that appears while the bag is written is not overwritten")
  {
    test::TempDir dir;
    const stdfs::path out = dir.path() / "bag.tar";
    auto writer = BagWriter::create(out, info(), Replace::no);
    REQUIRE(writer);
    std::ofstream(out) << "someone else's";
    auto finished = writer->finish();
    REQUIRE_FALSE(finished);
    CHECK(finished.error().code == Errc::invalid_input);
    CHECK(slurp(out) == "someone else's");
  }

  TEST_CASE("a bag never finished leaves nothing")
  {
    for (const char* name : {"bag", "bag.zip", "bag.tar"}) {
      CAPTURE(name);
      test::TempDir dir;
      {
        auto writer = BagWriter::create(dir.path() / name, info(), Replace::no);
        REQUIRE(writer);
        REQUIRE(writer->add_payload("data/a.txt", as_bytes("a")));
        CHECK(listing(dir.path()).size() == 1); // the .tmp- name
      }
      CHECK(listing(dir.path()).empty());
    }
  }
}
