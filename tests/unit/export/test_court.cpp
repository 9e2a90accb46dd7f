// Court bundles: the recipe, which documents a recipe lets a bundle open,
// and the bag writer's push form and its hook before the name. Whole bundles
// from a real vault are checked in tests/cli/export_court.sh.
#include <custody/crypto/crypto.hpp>
#include <custody/disclosure/court.hpp>
#include <custody/export/bag.hpp>
#include <custody/export/bulletin.hpp>
#include <custody/export/court.hpp>
#include <custody/export/police.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <temp_dir.hpp>

using namespace custody;
using namespace custody::bundle;
namespace stdfs = std::filesystem;

namespace {

store::Opened
opened(const json::Json& document)
{
  return {document, json::canonical(document)};
}

BagInfo
info()
{
  BagInfo result;
  result.source_organization = "Collectif Test";
  result.bagging_date = "2026-12-06";
  return result;
}

} // namespace

TEST_SUITE("court")
{
  TEST_CASE("a court recipe: its keys, its defaults, its refusals by line")
  {
    auto recipe = parse_court_recipe(
      "kind: court\norganisation: Collectif\ncase_reference: HC-1\n");
    REQUIRE(recipe);
    CHECK(recipe->organisation == "Collectif");
    CHECK(recipe->case_reference == "HC-1");
    CHECK(recipe->leave_out
          == std::vector<std::string>{"person.address", "person.phones"});
    CHECK(recipe_kind("kind: dataset\n").value() == "dataset");

    auto none =
      parse_court_recipe("kind: court\norganisation: X\nleave_out: []\n");
    REQUIRE(none);
    CHECK(none->leave_out.empty());
    auto documents = parse_court_recipe("kind: court\norganisation: X\n"
                                        "leave_out: [attachment_documents, "
                                        "incident.location]\n");
    REQUIRE(documents);
    const auto fields = court_fields(*documents);
    CHECK(fields.attachment_documents);
    CHECK(fields.pointers == std::vector<std::string>{"/incident/location"});

    // The police and bulletin parsers want their kind the same way.
    CHECK(parse_police_recipe("kind: police\norganisation: X\n"));
    auto police = parse_police_recipe("organisation: X\n");
    REQUIRE_FALSE(police);
    CHECK(police.error().message.find("kind: police") != std::string::npos);
    auto bulletin =
      parse_bulletin_recipe("organisation: X\nfrom: 2026-01\nto: 2026-03\n");
    REQUIRE_FALSE(bulletin);
    CHECK(bulletin.error().message.find("kind: bulletin") != std::string::npos);

    struct Bad
    {
      const char* text;
      const char* says;
    };
    for (const Bad& bad : {
           Bad{"kind: court\norganisation: X\ncase: 1\n", "line 3"},
           Bad{"kind: court\norganisation: X\nleave_out: [person.adress]\n",
               "person.adress"},
           Bad{"kind: court\nleave_out: [person.phones]\n", "organisation"},
           Bad{"kind: dataset\norganisation: X\n", "kind: court"},
           Bad{"kind: court\norganisation: [X]\n", "line 2"},
           Bad{"kind: court\norganisation: X\nleave_out: person.phones\n",
               "list"},
           Bad{"- a\n- b\n", "mapping"},
           Bad{"kind: court\norganisation: {X\n", "line"},
           // Found by fuzz_export_recipe: the command picks the parser by
           // kind, so a parser that took a recipe without one disagreed.
           Bad{"organisation: X\n", "no kind"},
         }) {
      const std::string text = bad.text;
      CAPTURE(text);
      auto parsed = parse_court_recipe(bad.text);
      REQUIRE_FALSE(parsed);
      CHECK(parsed.error().code == Errc::invalid_input);
      CHECK(parsed.error().message.find(bad.says) != std::string::npos);
    }
  }

  TEST_CASE("a document opens whole, or stays sealed when it holds a field "
            "left out")
  {
    disclosure::CourtFields fields;
    fields.pointers = {"/person/address", "/person/phones"};
    const json::Json with_phones = {
      {"type", "record"},
      {"salt", std::string(64, 'a')},
      {"data", {{"person", {{"names", {"A"}}, {"phones", {"+1"}}}}}}};
    CHECK_FALSE(disclosure::court_opening(opened(with_phones), fields));
    const json::Json without = {{"type", "record"},
                                {"salt", std::string(64, 'a')},
                                {"data", {{"person", {{"names", {"A"}}}}}}};
    auto open = disclosure::court_opening(opened(without), fields);
    REQUIRE(open);
    CHECK(**open == json::canonical(without));
    // an amendment that removes the phones (a merge patch's null) shows none
    const json::Json removal = {{"type", "amend"},
                                {"salt", std::string(64, 'a')},
                                {"data", {{"person", {{"phones", nullptr}}}}}};
    CHECK(disclosure::court_opening(opened(removal), fields));

    const json::Json attachment = {{"type", "attachment"},
                                   {"attachment", {{"name", "clip.mp4"}}}};
    CHECK(disclosure::court_attachment_opening(opened(attachment), fields));
    fields.attachment_documents = true;
    CHECK_FALSE(
      disclosure::court_attachment_opening(opened(attachment), fields));
  }

  TEST_CASE("the bag's push form streams and checks sizes; the hook before "
            "the name can stop the bag")
  {
    test::TempDir dir;
    const std::string content(3 * 1024 * 1024 + 17, 'v');
    {
      auto bag = BagWriter::create(dir.path() / "b", info(), Replace::no);
      REQUIRE(bag);
      auto path = bag->add_original(
        sha256(content),
        "clip.mp4",
        content.size(),
        Producer([&](const Write& write) -> Result<void> {
          for (std::size_t at = 0; at < content.size(); at += 100000) {
            CUSTODY_TRY(write(as_bytes(std::string_view(content).substr(
              at, std::min<std::size_t>(100000, content.size() - at)))));
          }
          return {};
        }));
      REQUIRE(path);
      bool called = false;
      auto finished = bag->finish([&](const BagSummary& summary) {
        called = true;
        CHECK(summary.path != dir.path() / "b");
        CHECK(stdfs::exists(summary.path / "tagmanifest-sha256.txt"));
        CHECK_FALSE(stdfs::exists(dir.path() / "b"));
        return Result<void>{};
      });
      REQUIRE(finished);
      CHECK(called);
      CHECK(stdfs::file_size(dir.path() / "b" / *path) == content.size());
    }
    {
      auto bag = BagWriter::create(dir.path() / "c.tar", info(), Replace::no);
      REQUIRE(bag);
      auto longer = bag->add_payload(
        "data/x", 3, Producer([](const Write& write) -> Result<void> {
          return write(as_bytes(std::string_view("four")));
        }));
      CHECK_FALSE(longer);
    }
    {
      // Hashed by the producer: the manifest takes the declared SHA-256, and
      // the producer's failure (its own check) abandons the bag.
      auto bag = BagWriter::create(dir.path() / "e.tar", info(), Replace::no);
      REQUIRE(bag);
      auto refused = bag->add_original(
        sha256("abc"),
        "a.txt",
        3,
        Producer([](const Write& write) -> Result<void> {
          CUSTODY_TRY(write(as_bytes(std::string_view("abd"))));
          return make_error(Errc::corrupt, "the plaintext hashes otherwise");
        }),
        Hashed::by_producer);
      REQUIRE_FALSE(refused);
      CHECK(refused.error().code == Errc::corrupt);
    }
    {
      auto bag = BagWriter::create(dir.path() / "f", info(), Replace::no);
      REQUIRE(bag);
      auto path =
        bag->add_original(sha256("abc"),
                          "a.txt",
                          3,
                          Producer([](const Write& write) -> Result<void> {
                            return write(as_bytes(std::string_view("abc")));
                          }),
                          Hashed::by_producer);
      REQUIRE(path);
      REQUIRE(bag->finish());
      std::ifstream manifest(dir.path() / "f" / "manifest-sha256.txt");
      std::stringstream text;
      text << manifest.rdbuf();
      CHECK(text.str().find(to_hex(sha256("abc")) + "  " + *path)
            != std::string::npos);
      stdfs::remove_all(dir.path() / "f");
    }
    {
      auto bag = BagWriter::create(dir.path() / "d.tar", info(), Replace::no);
      REQUIRE(bag);
      REQUIRE(bag->add_payload("data/x", as_bytes(std::string_view("x"))));
      auto stopped = bag->finish([](const BagSummary&) -> Result<void> {
        return make_error(Errc::io, "the ledger is full");
      });
      REQUIRE_FALSE(stopped);
      CHECK(stopped.error().message.find("the ledger is full")
            != std::string::npos);
    }
    for (const auto& entry : stdfs::directory_iterator(dir.path())) {
      const std::string name = entry.path().filename().string();
      CHECK((name == "b"));
    }
  }
}
