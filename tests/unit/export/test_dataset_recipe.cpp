// Dataset recipes and files (export/dataset.hpp): the recipe's keys, its
// refusals by line, the CSV and descriptor written from checked rows, and the
// narrative column: released text in its cell, never in the classes, found
// again in the proposal for the approver's marks.
#include <custody/crypto/crypto.hpp>
#include <custody/export/approval.hpp>
#include <custody/export/dataset.hpp>

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <string>
#include <vector>

using namespace custody;
using namespace custody::bundle;

namespace {

const char* const k_recipe = R"(kind: dataset
organisation: Example Project
from: 2025-01
to: 2025-06
fields:
  - {field: period, precision: quarter}
  - population
  - {field: violence_type, level: 1, encoding: columns}
sensitive: [violence_type]
on_failure: suppress
)";

} // namespace

TEST_SUITE("dataset")
{
  TEST_CASE("a dataset recipe: its fields, defaults and refusals by line")
  {
    auto recipe = parse_dataset_recipe(k_recipe);
    REQUIRE(recipe);
    CHECK(recipe->organisation == "Example Project");
    CHECK(recipe->title == "Documented reports, 2025-01 to 2025-06");
    REQUIRE(recipe->spec.fields.size() == 3);
    CHECK(recipe->spec.fields[0].precision == stats::Grain::quarter);
    CHECK_FALSE(recipe->spec.fields[1].sensitive);
    CHECK(recipe->spec.fields[2].sensitive);
    CHECK(recipe->spec.fields[2].level == 1);
    CHECK(recipe->spec.fields[2].encoding == stats::Encoding::columns);
    CHECK(recipe->rules.k == 5);
    CHECK(recipe->rules.l == 2);
    CHECK(recipe->rules.max_risk == doctest::Approx(0.03));
    CHECK(recipe->rules.suppress);
    // The YAML is read, never rewritten: parsing twice gives the same.
    auto again = parse_dataset_recipe(k_recipe);
    REQUIRE(again);
    CHECK(again->spec.fields[0].precision == stats::Grain::quarter);

    struct Bad
    {
      std::string from;
      std::string to;
      const char* says;
    };
    for (const Bad& bad : {
           Bad{"  - population\n",
               "  - person_ref\n",
               "line 7: person_ref identifies"},
           Bad{"  - population\n", "  - event_ref\n", "identifies"},
           Bad{"  - population\n", "  - notes\n", "free text"},
           Bad{"  - population\n",
               "  - {field: description}\n",
               "only the narrative"},
           Bad{"  - population\n",
               "  - narrative\n  - narrative\n",
               "narrative is listed twice"},
           Bad{"  - population\n",
               "  - {field: narrative, missing: drop}\n",
               "not_recorded or leave_out"},
           Bad{"  - population\n",
               "  - {field: narrative, level: 1}\n",
               "has field and missing"},
           Bad{"sensitive: [violence_type]\n",
               "sensitive: [violence_type, narrative]\n",
               "never part of the classes"},
           Bad{"  - population\n", "  - populaton\n", "line 7"},
           Bad{"  - population\n",
               "  - {field: population, precision: year}\n",
               "only the period"},
           Bad{"  - population\n",
               "  - {field: population, encoding: list}\n",
               "no encoding"},
           Bad{"  - population\n", "  - population\n  - population\n", "twice"},
           Bad{"sensitive: [violence_type]\n", "", "list it under sensitive"},
           Bad{"sensitive: [violence_type]\n",
               "sensitive: [violence_type, setting]\n",
               "not one of the recipe's fields"},
           Bad{"on_failure: suppress\n", "k: 4\n", "at least 5"},
           Bad{"on_failure: suppress\n", "l: 1\n", "at least 2"},
           Bad{"on_failure: suppress\n", "max_risk: 0.05\n", "max_risk"},
           Bad{"on_failure: suppress\n", "max_risk: 1e-2\n", "max_risk"},
           Bad{"on_failure: suppress\n", "on_failure: later\n", "line 10"},
           Bad{"to: 2025-06\n", "to: 2024-06\n", "ends before"},
           Bad{"to: 2025-06\n", "", "names its organisation, from, to"},
           Bad{"kind: dataset\n", "", "no kind"},
           Bad{"on_failure: suppress\n", "records: [x]\n", "unknown key"},
         }) {
      std::string text = k_recipe;
      const auto at = text.find(bad.from);
      REQUIRE(at != std::string::npos);
      text.replace(at, bad.from.size(), bad.to);
      CAPTURE(text);
      auto parsed = parse_dataset_recipe(text);
      REQUIRE_FALSE(parsed);
      CHECK(parsed.error().code == Errc::invalid_input);
      CHECK(parsed.error().message.find(bad.says) != std::string::npos);
    }
  }

  TEST_CASE("the files: one column a code, the missing token, the hash, "
            "the same bytes twice")
  {
    auto recipe = parse_dataset_recipe(k_recipe);
    REQUIRE(recipe);
    std::vector<index::FactsRow> rows;
    for (int i = 0; i < 12; ++i) {
      index::FactsRow row;
      row.created_seq = static_cast<std::uint64_t>(i + 1);
      row.month = fmt::format("2025-0{}", 1 + i % 3);
      row.date_precision = "day";
      row.population = i < 6 ? "cis_woman" : "";
      if (i % 4 != 3) {
        row.violence_types = {i % 2 == 0 ? "violence.physical.beating"
                                         : "violence.sexual.rape"};
      }
      row.person_ref = fmt::format("P-{}", i);
      row.consent = {"publish"};
      rows.push_back(row);
    }
    recipe->rules.max_risk = 1.0;
    auto dataset = disclosure::release_dataset(
      rows, recipe->spec, nullptr, recipe->rules, {}, [](std::uint64_t) {
        return std::uint64_t{0};
      });
    REQUIRE(dataset);
    const auto files = dataset_files(*dataset, *recipe, nullptr);
    const auto header = files.csv.substr(0, files.csv.find("\r\n"));
    CHECK(header.rfind("period,population,violence_type:violence.physical,"
                       "violence_type:violence.sexual,",
                       0)
          == 0);
    CHECK(files.csv.find("2025-Q1,cis_woman,1,0,") != std::string::npos);
    CHECK(files.csv.find("2025-Q1,not_recorded,0,1,") != std::string::npos);
    // A report without a violence type: every column of it is missing.
    CHECK(files.csv.find("not_recorded,not_recorded,not_recorded")
          != std::string::npos);
    auto package = json::Json::parse(files.datapackage);
    const auto& resource = package["resources"][0];
    CHECK(resource["hash"] == "sha256:" + sha256_hex(as_bytes(files.csv)));
    CHECK(resource["bytes"] == files.csv.size());
    CHECK(resource["schema"]["missingValues"]
          == json::Json::array({"not_recorded"}));
    CHECK(package["description"].get<std::string>().find(
            "alleged perpetrators: not prevalence")
          != std::string::npos);
    CHECK(package["description"].get<std::string>().find(
            "dates to the incident's quarter")
          != std::string::npos);
    const auto twice = dataset_files(*dataset, *recipe, nullptr);
    CHECK(twice.csv == files.csv);
    CHECK(twice.datapackage == files.datapackage);
    CHECK(proposal_content(files).rfind("=== data.csv ===\n", 0) == 0);
  }

  TEST_CASE("the narrative field: where it sits, and what a row without one "
            "becomes")
  {
    std::string text = k_recipe;
    text.replace(text.find("  - population\n"),
                 std::string("  - population\n").size(),
                 "  - population\n  - narrative\n");
    auto recipe = parse_dataset_recipe(text);
    REQUIRE(recipe);
    REQUIRE(recipe->narrative);
    CHECK(*recipe->narrative == disclosure::NarrativeMissing::token);
    CHECK(recipe->narrative_column == 2);
    // Not a dimension: the classes, the release entry and later audits never
    // see it.
    CHECK(recipe->spec.fields.size() == 3);
    text.replace(text.find("  - narrative\n"),
                 std::string("  - narrative\n").size(),
                 "  - {field: narrative, missing: leave_out}\n");
    recipe = parse_dataset_recipe(text);
    REQUIRE(recipe);
    CHECK(*recipe->narrative == disclosure::NarrativeMissing::leave_out);
    CHECK_FALSE(parse_dataset_recipe(k_recipe)->narrative);
    // Only the narrative: the recipe still names a field to class by.
    auto alone = parse_dataset_recipe(
      "kind: dataset\norganisation: X\nfrom: 2025-01\nto: 2025-06\n"
      "fields: [narrative]\n");
    REQUIRE_FALSE(alone);
    CHECK(alone.error().message.find("besides the narrative")
          != std::string::npos);
  }

  TEST_CASE("narratives: the released text in its cell, the token or the row "
            "left out, counts, and the cells found again in the proposal")
  {
    std::string text = k_recipe;
    text.replace(text.find("  - population\n"),
                 std::string("  - population\n").size(),
                 "  - population\n  - narrative\n");
    auto recipe = parse_dataset_recipe(text);
    REQUIRE(recipe);
    recipe->rules.max_risk = 1.0;
    std::vector<index::FactsRow> rows;
    for (int i = 0; i < 12; ++i) {
      index::FactsRow row;
      row.created_seq = static_cast<std::uint64_t>(i + 1);
      row.month = "2025-01";
      row.date_precision = "day";
      row.population = "cis_woman";
      row.violence_types = {i % 2 == 0 ? "violence.physical.beating"
                                       : "violence.sexual.rape"};
      row.person_ref = fmt::format("P-{}", i);
      row.consent = {"publish"};
      rows.push_back(row);
    }
    disclosure::DatasetNarratives narratives;
    // Released text holding what CSV quotes, and a line break.
    narratives.released[1] = "He said \"wait\", then [NAME] came.\nLater, "
                             "[PLACE].";
    narratives.released[2] = "Taken in a car to [PLACE].";
    narratives.stale.insert(3);
    const auto changed = [](std::uint64_t) { return std::uint64_t{0}; };

    SUBCASE("a row without one keeps the missing-value token")
    {
      auto dataset = disclosure::release_dataset(
        rows, recipe->spec, nullptr, recipe->rules, {}, changed, &narratives);
      REQUIRE(dataset);
      CHECK((*dataset)->rows.size() == 12);
      CHECK((*dataset)->check.narratives == 2);
      CHECK((*dataset)->check.narrative_stale == 1);
      CHECK((*dataset)->check.narrative_none == 9);
      CHECK((*dataset)->check.narrative_left_out == 0);
      // The classes are those of the same recipe without the narrative.
      auto without = disclosure::release_dataset(
        rows, recipe->spec, nullptr, recipe->rules, {}, changed);
      REQUIRE(without);
      CHECK((*dataset)->check.classes == (*without)->check.classes);
      CHECK((*dataset)->rows == (*without)->rows);
      // Nor in what the vault records in facts for later audits.
      const auto document =
        disclosure::dataset_release_document(*dataset, 10, "x");
      CHECK(document.dump().find("[NAME]") == std::string::npos);
      CHECK(document["narratives"]["missing"] == "not_recorded");
      CHECK(document["rows"]
            == disclosure::dataset_release_document(*without, 10, "x")["rows"]);

      const auto files = dataset_files(*dataset, *recipe, nullptr);
      const auto header = files.csv.substr(0, files.csv.find("\r\n"));
      CHECK(header.rfind("period,population,narrative,violence_type:", 0) == 0);
      CHECK(files.csv.find("2025-Q1,cis_woman,\"He said \"\"wait\"\", then "
                           "[NAME] came.\nLater, [PLACE].\",1,0")
            != std::string::npos);
      CHECK(files.csv.find("2025-Q1,cis_woman,not_recorded,")
            != std::string::npos);
      auto package = json::Json::parse(files.datapackage);
      const auto& fields = package["resources"][0]["schema"]["fields"];
      CHECK(fields[2]["name"] == "narrative");
      CHECK(fields[2]["type"] == "string");
      CHECK(package["custody"]["narrative"]["missing"] == "not_recorded");
      CHECK(proposal_compartment(*dataset) == vault::Compartment::aggressor);
      CHECK(proposal_compartment(*without) == vault::Compartment::facts);
      // Deterministic, narratives and all.
      CHECK(dataset_files(*dataset, *recipe, nullptr).csv == files.csv);

      // The approver's marks are searched in exactly the narrative cells.
      const std::string content = proposal_content(files);
      const auto cells = dataset_narrative_cells(content);
      REQUIRE(cells.size() == 12);
      std::vector<std::string> texts;
      for (const auto& [begin, end] : cells) {
        texts.push_back(content.substr(begin, end - begin));
      }
      CHECK(std::count(texts.begin(), texts.end(), "not_recorded") == 10);
      CHECK(std::count(texts.begin(),
                       texts.end(),
                       "He said \"\"wait\"\", then [NAME] came.\nLater, "
                       "[PLACE].")
            == 1);
      CHECK(std::count(texts.begin(), texts.end(), "Taken in a car to [PLACE].")
            == 1);
      CHECK(dataset_narrative_cells(
              proposal_content(dataset_files(*without, *recipe, nullptr)))
              .empty());
    }

    SUBCASE("leave_out: only rows with one, checked as the dataset")
    {
      recipe->narrative = disclosure::NarrativeMissing::leave_out;
      narratives.missing = disclosure::NarrativeMissing::leave_out;
      for (std::uint64_t seq = 4; seq <= 9; ++seq) {
        narratives.released[seq] = fmt::format("Account {}.", seq);
      }
      auto dataset = disclosure::release_dataset(
        rows, recipe->spec, nullptr, recipe->rules, {}, changed, &narratives);
      REQUIRE(dataset);
      CHECK((*dataset)->rows.size() == 8);
      CHECK((*dataset)->check.narrative_left_out == 4);
      CHECK((*dataset)->check.narrative_stale == 1);
      CHECK((*dataset)->check.narrative_none == 3);
      for (const auto& narrative : (*dataset)->narratives) {
        CHECK(narrative != "not_recorded");
      }
      CHECK(disclosure::dataset_release_document(
              *dataset, 10, "x")["narratives"]["left_out"]
            == 4);
      // Too few rows with one for a class of k persons: refused, in counts.
      narratives.released.erase(9);
      narratives.released.erase(8);
      narratives.released.erase(7);
      narratives.released.erase(6);
      auto small = disclosure::release_dataset(
        rows, recipe->spec, nullptr, recipe->rules, {}, changed, &narratives);
      REQUIRE_FALSE(small);
      CHECK(small.error().code == Errc::unsafe);
      narratives.released.clear();
      auto none = disclosure::release_dataset(
        rows, recipe->spec, nullptr, recipe->rules, {}, changed, &narratives);
      REQUIRE_FALSE(none);
      CHECK(none.error().code == Errc::invalid_input);
    }
  }
}
