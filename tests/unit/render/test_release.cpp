// The renderings of a statistics release: a workbook read back by an
// independent reader (Python's zipfile and ElementTree), byte-identical runs,
// and charts checked by their PNG header and SVG text.
#include "temp_dir.hpp"

#include <custody/disclosure/stats_release.hpp>
#include <custody/render/release.hpp>
#include <custody/stats/table.hpp>

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

using namespace custody;

namespace {

// A small programme's quarter: 60 reports by 60 persons, few enough non-binary
// and "other" ones that cells are suppressed.
std::vector<index::FactsRow>
sample_rows()
{
  const std::array<const char*, 4> populations{
    "female", "male", "transgender", "non_binary"};
  const std::array<const char*, 3> violence{"violence.physical.beating",
                                            "violence.sexual.rape",
                                            "violence.economic.extortion"};
  const std::array<const char*, 3> referrals{
    "referral.health", "referral.legal", "referral.shelter"};
  std::vector<index::FactsRow> rows;
  for (int i = 0; i < 60; ++i) {
    index::FactsRow row;
    row.created_seq = static_cast<std::uint64_t>(i + 1);
    row.month = fmt::format("2026-{:02}", 1 + i % 3);
    row.date_precision = "day";
    row.district = "harbour";
    // 24 female, 18 male, 12 transgender, 6 non-binary.
    row.population = i < 24   ? populations[0]
                     : i < 42 ? populations[1]
                     : i < 54 ? populations[2]
                              : populations[3];
    std::vector<std::string> types{
      violence[static_cast<std::size_t>(i * 7 % 3)]};
    if (i % 11 == 0) {
      types.emplace_back("violence.emotional.threats");
    }
    row.violence_types = types;
    row.perpetrators = {"perpetrator.state.police"};
    row.person_ref = fmt::format("P-{}", i);
    row.referrals = {
      referrals[static_cast<std::size_t>(i % 5 == 0 ? 2 : i % 2)]};
    row.consent = {std::string(stats::k_statistics_consent)};
    rows.push_back(std::move(row));
  }
  return rows;
}

// A busier programme's year, for a person to look at (CUSTODY_RENDER_SAMPLES):
// 320 reports with the skew real ones have, from a fixed pseudo-random
// sequence.
std::vector<index::FactsRow>
realistic_rows()
{
  const std::array<const char*, 14> violence{
    "violence.physical.beating",
    "violence.physical.other",
    "violence.sexual.rape",
    "violence.sexual.harassment",
    "violence.economic.extortion",
    "violence.economic.eviction",
    "violence.emotional.threats",
    "violence.emotional.online_harassment",
    "violence.emotional.verbal_abuse",
    "violence.liberty.arbitrary_detention",
    "violence.liberty.abduction",
    "violence.denial_of_care.pep_refused",
    "violence.denial_of_care.health_care_refused",
    "violence.denial_of_justice.complaint_refused"};
  const std::array<int, 14> violence_weight{
    20, 10, 10, 8, 12, 10, 15, 12, 13, 8, 4, 3, 3, 4};
  const std::array<const char*, 5> populations{
    "female", "male", "transgender", "non_binary", "not_stated"};
  const std::array<int, 5> population_weight{45, 25, 22, 5, 3};
  const std::array<const char*, 6> perpetrators{"perpetrator.state.police",
                                                "perpetrator.family.member",
                                                "perpetrator.intimate.partner",
                                                "perpetrator.power.landlord",
                                                "perpetrator.organised.militia",
                                                "perpetrator.unknown"};
  const std::array<int, 6> perpetrator_weight{40, 15, 18, 10, 5, 12};
  const std::array<const char*, 5> referrals{"referral.legal_aid",
                                             "referral.medical_care",
                                             "referral.counselling",
                                             "referral.shelter",
                                             "referral.hiv_sti_services"};
  const std::array<int, 5> referral_weight{30, 25, 25, 8, 12};
  std::uint64_t state = 12345;
  auto next = [&](int below) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((state >> 33) % static_cast<std::uint64_t>(below));
  };
  auto pick = [&](const auto& names, const auto& weights) {
    int total = 0;
    for (int w : weights) {
      total += w;
    }
    int roll = next(total);
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (roll < weights[i]) {
        return std::string(names[i]);
      }
      roll -= weights[i];
    }
    return std::string(names.back());
  };
  std::vector<index::FactsRow> rows;
  for (int i = 0; i < 320; ++i) {
    index::FactsRow row;
    row.created_seq = static_cast<std::uint64_t>(i + 1);
    row.month = fmt::format("2025-{:02}", 1 + next(12));
    row.date_precision = "day";
    row.district = "harbour";
    row.population = pick(populations, population_weight);
    std::vector<std::string> types{pick(violence, violence_weight)};
    if (next(4) == 0) {
      types.push_back(pick(violence, violence_weight));
    }
    std::sort(types.begin(), types.end());
    types.erase(std::unique(types.begin(), types.end()), types.end());
    row.violence_types = types;
    row.perpetrators = {pick(perpetrators, perpetrator_weight)};
    row.person_ref = fmt::format("P-{}", next(290));
    row.referrals = {pick(referrals, referral_weight)};
    row.consent = {std::string(stats::k_statistics_consent)};
    rows.push_back(std::move(row));
  }
  return rows;
}

const std::string k_long_a = "reports_by_type_of_violence_and_population_first";
const std::string k_long_b =
  "reports_by_type_of_violence_and_population_second";

std::vector<stats::TableSpec>
sample_specs()
{
  return {
    {"violence_by_population",
     "Reports by type of violence and population",
     stats::Dimension::violence_type,
     stats::Dimension::population},
    {"referrals", "Reports by referral made", stats::Dimension::referral, {}},
    {k_long_a, "The same, again", stats::Dimension::violence_type, {}},
    {k_long_b, "The same, once more", stats::Dimension::violence_type, {}}};
}

disclosure::Released<disclosure::StatsRelease>
sample_release()
{
  static const auto rows = sample_rows();
  stats::Coding coding;
  coding.level = 1;
  const auto counted = stats::select(rows, {}, coding, false);
  const auto tabulation = stats::tabulate(counted, sample_specs(), coding);
  auto release =
    disclosure::release_stats(tabulation, disclosure::StatsRules{});
  if (!release) {
    FAIL(fmt::format(
      "{}: {}", errc_name(release.error().code), release.error().message));
  }
  return std::move(*release);
}

// As cmd/stats.cpp names things.
render::Labels
sample_labels()
{
  render::Labels labels;
  labels.row = [](const disclosure::PublishedTable& table, std::size_t row) {
    return table.rows[row] == stats::k_total
             ? std::string("Total (distinct reports)")
             : table.rows[row];
  };
  labels.column = [](const disclosure::PublishedTable& table,
                     std::size_t column) {
    if (table.columns[column] == stats::k_total) {
      return std::string(table.spec.columns ? "Total" : "Reports");
    }
    return table.columns[column];
  };
  labels.row_heading = [](const disclosure::PublishedTable& table) {
    return std::string(stats::dimension_title(table.spec.rows));
  };
  labels.column_heading = [](const disclosure::PublishedTable& table) {
    return std::string(stats::dimension_title(*table.spec.columns));
  };
  labels.value_heading = [](const disclosure::PublishedTable&) {
    return std::string("Reports");
  };
  return labels;
}

render::About
sample_about()
{
  return {{{"Statement",
            "Documented reports received by the organisation, not prevalence."},
           {"Counting", "A report is one person's account of one incident."},
           {"Method", "Cells of 1 to 4 distinct persons are suppressed."},
           {"Left out", "0 reports without consent to anonymised statistics."},
           {"Computed from", "ledger of 90 entries"}}};
}

std::string
read_file(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool
have_python()
{
  return std::system("command -v python3 >/dev/null 2>&1") == 0;
}

// Lists a workbook as Python's zipfile and ElementTree read it: "part NAME"
// for each member, "sheet NAME" for each sheet in the workbook's order, then
// "REF<TAB>STYLE<TAB>VALUE" for each cell of it (shared strings resolved).
constexpr const char* k_reader = R"PY(
import sys, zipfile, xml.etree.ElementTree as ET
M = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
z = zipfile.ZipFile(sys.argv[1])
if z.testzip() is not None:
    sys.exit('bad member')
for name in z.namelist():
    print('part', name)
strings = []
if 'xl/sharedStrings.xml' in z.namelist():
    for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('{%s}si' % M):
        strings.append(''.join(t.text or '' for t in si.iter('{%s}t' % M)))
rels = ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))
target = {r.get('Id'): r.get('Target') for r in rels}
for sheet in ET.fromstring(z.read('xl/workbook.xml')).find('{%s}sheets' % M):
    print('sheet', sheet.get('name'))
    root = ET.fromstring(z.read('xl/' + target[sheet.get('{%s}id' % R)]))
    for c in root.iter('{%s}c' % M):
        v = c.find('{%s}v' % M)
        if v is None:
            continue
        value = strings[int(v.text)] if c.get('t') == 's' else v.text
        print(c.get('r'), c.get('s') or '0', value, sep='\t')
)PY";

struct Cell
{
  std::string style;
  std::string value;
};

struct Workbook
{
  std::set<std::string> parts;
  std::vector<std::string> sheets;
  std::map<std::string, std::map<std::string, Cell>>
    cells; // sheet -> ref -> cell
};

Workbook
read_workbook(const test::TempDir& dir, const std::filesystem::path& file)
{
  const auto script = dir.path() / "reader.py";
  std::ofstream(script) << k_reader;
  const std::string command =
    fmt::format("python3 '{}' '{}'", script.string(), file.string());
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  std::array<char, 4096> buffer{};
  while (const auto n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    out.append(buffer.data(), n);
  }
  REQUIRE(::pclose(pipe) == 0);
  Workbook book;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("part ")) {
      book.parts.insert(line.substr(5));
    } else if (line.starts_with("sheet ")) {
      book.sheets.push_back(line.substr(6));
    } else {
      REQUIRE(!book.sheets.empty());
      const auto tab = line.find('\t');
      const auto tab2 = line.find('\t', tab + 1);
      REQUIRE(tab2 != std::string::npos);
      book.cells[book.sheets.back()][line.substr(0, tab)] =
        Cell{line.substr(tab + 1, tab2 - tab - 1), line.substr(tab2 + 1)};
    }
  }
  return book;
}

std::string
ref(std::size_t row, std::size_t column) // 0-based
{
  return fmt::format("{}{}", static_cast<char>('A' + column), row + 1);
}

std::uint32_t
big_endian(const std::string& bytes, std::size_t at)
{
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  }
  return value;
}

} // namespace

TEST_SUITE("render")
{
  TEST_CASE("the sample release has published and suppressed cells")
  {
    const auto release = sample_release();
    std::size_t published = 0;
    std::size_t suppressed = 0;
    for (const auto& table : release->tables) {
      for (const auto& cell : table.cells) {
        (cell ? published : suppressed) += 1;
      }
    }
    CHECK(published > 0);
    CHECK(suppressed > 0);
  }

  TEST_CASE("a workbook an independent reader opens, the token where a cell is "
            "suppressed")
  {
    if (!have_python()) {
      MESSAGE("python3 is missing: the workbook is not read back");
      return;
    }
    test::TempDir dir;
    const auto release = sample_release();
    const auto file = dir.path() / "release.xlsx";
    const auto written =
      render::write_xlsx(release, sample_labels(), sample_about(), file);
    REQUIRE_MESSAGE(written, (written ? "" : written.error().message));
    const auto book = read_workbook(dir, file);

    // The about sheet first, then a sheet a table, each name valid and unique.
    REQUIRE(book.sheets.size() == 1 + release->tables.size());
    CHECK(book.sheets[0] == "About these figures");
    CHECK(book.sheets[1] == "violence_by_population");
    CHECK(book.sheets[2] == "referrals");
    std::set<std::string> names;
    for (const auto& name : book.sheets) {
      CHECK(name.size() <= 31);
      CHECK(names.insert(name).second);
    }
    CHECK(book.sheets[3] == k_long_a.substr(0, 31));
    CHECK(book.sheets[4] != book.sheets[3]);
    CHECK(book.sheets[4].starts_with(k_long_b.substr(0, 20)));

    // The about lines and the token's meaning.
    const auto& about = book.cells.at(book.sheets[0]);
    std::set<std::string> texts;
    for (const auto& [where, cell] : about) {
      texts.insert(cell.value);
    }
    for (const auto& [key, text] : sample_about().lines) {
      CHECK(texts.contains(key));
      CHECK(texts.contains(text));
    }
    CHECK(texts.contains("x = suppressed to protect the people counted"));
    CHECK(texts.contains("Reports by referral made"));

    // Every cell of every table where the text output has it: a count, or
    // the token; one style for every count and token that is not a total,
    // another (bold) for every total.
    const auto labels = sample_labels();
    for (std::size_t t = 0; t < release->tables.size(); ++t) {
      const auto& table = release->tables[t];
      const auto& sheet = book.cells.at(book.sheets[t + 1]);
      CHECK(sheet.at("A1").value == table.spec.title);
      CHECK(sheet.at("A3").value == labels.row_heading(table));
      std::set<std::string> count_styles;
      std::set<std::string> total_styles;
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        CHECK(sheet.at(ref(2, 1 + c)).value == labels.column(table, c));
      }
      for (std::size_t r = 0; r < table.rows.size(); ++r) {
        CHECK(sheet.at(ref(3 + r, 0)).value == labels.row(table, r));
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
          const auto& cell = table.cells[r * table.columns.size() + c];
          const auto& shown = sheet.at(ref(3 + r, 1 + c));
          CHECK(shown.value
                == (cell ? std::to_string(*cell) : std::string("x")));
          const bool total =
            r + 1 == table.rows.size() || c + 1 == table.columns.size();
          (total ? total_styles : count_styles).insert(shown.style);
        }
      }
      CHECK(total_styles.size() == 1);
      CHECK(count_styles.size() <= 1);
      CHECK(count_styles != total_styles);
    }
    // The first table has suppressed cells among its counts, all in the one
    // style of counts.
    const auto& first = release->tables[0];
    CHECK(std::any_of(first.cells.begin(),
                      first.cells.end(),
                      [](const auto& cell) { return !cell.has_value(); }));
    // A native chart a table.
    for (std::size_t t = 1; t <= release->tables.size(); ++t) {
      CHECK(book.parts.contains(fmt::format("xl/charts/chart{}.xml", t)));
    }
    CHECK(book.parts.contains("docProps/core.xml"));
  }

  TEST_CASE("the same release gives the same workbook, byte for byte")
  {
    test::TempDir dir;
    const auto release = sample_release();
    const auto a = dir.path() / "a.xlsx";
    const auto b = dir.path() / "b.xlsx";
    REQUIRE(render::write_xlsx(release, sample_labels(), sample_about(), a));
    REQUIRE(render::write_xlsx(release, sample_labels(), sample_about(), b));
    const auto bytes = read_file(a);
    CHECK(bytes.starts_with("PK\x03\x04"));
    CHECK(bytes == read_file(b));
    // Written again over itself, through a temporary file that does not stay.
    REQUIRE(render::write_xlsx(release, sample_labels(), sample_about(), a));
    CHECK(read_file(a) == bytes);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator(dir.path())) {
      ++files;
    }
    CHECK(files == 2);
  }

  TEST_CASE("a workbook whose directory is missing is refused, nothing written")
  {
    test::TempDir dir;
    const auto written = render::write_xlsx(sample_release(),
                                            sample_labels(),
                                            sample_about(),
                                            dir.path() / "missing" / "r.xlsx");
    REQUIRE(!written);
    CHECK(written.error().code != Errc::internal);
  }

  TEST_CASE("a PNG chart of 1200 by 700 pixels")
  {
    test::TempDir dir;
    const auto release = sample_release();
    for (const std::string id : {"violence_by_population", "referrals"}) {
      const auto file = dir.path() / (id + ".png");
      const auto written =
        render::write_chart(release, id, sample_labels(), file);
      REQUIRE_MESSAGE(written, (written ? "" : written.error().message));
      const auto png = read_file(file);
      REQUIRE(png.size() > 24);
      CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
      CHECK(png.substr(12, 4) == "IHDR");
      CHECK(big_endian(png, 16) == 1200);
      CHECK(big_endian(png, 20) == 700);
    }
    if (const char* samples = std::getenv("CUSTODY_RENDER_SAMPLES")) {
      // For a person to look at: the charts and the workbook of a busier
      // programme's year, named as cmd/stats.cpp names things.
      const std::filesystem::path out(samples);
      static const auto rows = realistic_rows();
      stats::Coding coding;
      coding.level = 1;
      const auto counted = stats::select(rows, {}, coding, false);
      const std::vector<stats::TableSpec> specs{
        {"violence_by_population",
         "Reports by type of violence and population",
         stats::Dimension::violence_type,
         stats::Dimension::population},
        {"perpetrator_by_period",
         "Reports by perpetrator and period",
         stats::Dimension::perpetrator,
         stats::Dimension::period},
        {"referrals",
         "Reports by referral made",
         stats::Dimension::referral,
         {}}};
      const auto tabulation = stats::tabulate(counted, specs, coding);
      const auto busy = disclosure::release_stats(tabulation, {});
      REQUIRE_MESSAGE(busy, (busy ? "" : busy.error().message));
      for (const auto& spec : specs) {
        CHECK(render::write_chart(
          *busy, spec.id, sample_labels(), out / (spec.id + ".png")));
        CHECK(render::write_chart(
          *busy, spec.id, sample_labels(), out / (spec.id + ".svg")));
      }
      CHECK(render::write_xlsx(
        *busy, sample_labels(), sample_about(), out / "release.xlsx"));
      // Codes as recorded: many long row labels.
      coding.level = 0;
      const std::vector<stats::TableSpec> detailed{
        {"violence_type",
         "Reports by type of violence, as recorded",
         stats::Dimension::violence_type,
         {}}};
      const auto fine = disclosure::release_stats(
        stats::tabulate(counted, detailed, coding), {});
      REQUIRE_MESSAGE(fine, (fine ? "" : fine.error().message));
      CHECK(render::write_chart(
        *fine, "violence_type", sample_labels(), out / "violence_type.png"));
    }
  }

  TEST_CASE("an SVG chart keeps its text: the title, the labels and the token")
  {
    test::TempDir dir;
    const auto release = sample_release();
    const auto file = dir.path() / "chart.SVG";
    REQUIRE(render::write_chart(
      release, "violence_by_population", sample_labels(), file));
    const auto svg = read_file(file);
    CHECK(svg.starts_with("<?xml"));
    CHECK(svg.find("<title>Reports by type of violence and population</title>")
          != std::string::npos);
    CHECK(svg.find(">Reports by type of violence and population</text>")
          != std::string::npos);
    CHECK(svg.find(">x</text>") != std::string::npos);
    CHECK(svg.find("class=\"suppressed\"") != std::string::npos);
    CHECK(svg.find(">Type of violence</text>") != std::string::npos);
    CHECK(svg.find(">female</text>") != std::string::npos);
    // The totals are left out.
    CHECK(svg.find("Total") == std::string::npos);
    CHECK(svg.ends_with("</svg>\n"));
  }

  TEST_CASE("an SVG escapes what it is given")
  {
    test::TempDir dir;
    auto labels = sample_labels();
    labels.row_heading = [](const disclosure::PublishedTable&) {
      return std::string("Type <of> \"violence\" & more");
    };
    const auto file = dir.path() / "chart.svg";
    REQUIRE(render::write_chart(sample_release(), "referrals", labels, file));
    const auto svg = read_file(file);
    CHECK(svg.find("Type &lt;of&gt; &quot;violence&quot; &amp; more")
          != std::string::npos);
    CHECK(svg.find("<of>") == std::string::npos);
  }

  TEST_CASE("a chart of a table the release does not hold, or of another "
            "format, is refused")
  {
    test::TempDir dir;
    const auto release = sample_release();
    const auto unknown = render::write_chart(
      release, "by_planet", sample_labels(), dir.path() / "c.png");
    REQUIRE(!unknown);
    CHECK(unknown.error().code == Errc::invalid_input);
    CHECK(unknown.error().message.find("by_planet") != std::string::npos);
    CHECK(!std::filesystem::exists(dir.path() / "c.png"));
    const auto pdf = render::write_chart(
      release, "referrals", sample_labels(), dir.path() / "c.pdf");
    REQUIRE(!pdf);
    CHECK(pdf.error().code == Errc::usage);
    CHECK(!std::filesystem::exists(dir.path() / "c.pdf"));
  }
}
