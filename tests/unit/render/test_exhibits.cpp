// A court bundle's exhibit list, read back by an independent reader
// (poppler's pdftotext): the text a clerk checks is all there, on the pages it
// says; the same list gives the same bytes; malformed input is refused before
// anything is drawn.
#include "temp_dir.hpp"

#include <custody/render/exhibits.hpp>

#include <doctest/doctest.h>
#include <fmt/core.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace custody;

namespace {

// Deterministic lower hex, `digits` long, different for each seed.
std::string
hex_of(std::uint64_t seed, std::size_t digits)
{
  std::string out;
  std::uint64_t state = seed * 0x9e3779b97f4a7c15ULL + 1;
  while (out.size() < digits) {
    state ^= state >> 31;
    state *= 0xbf58476d1ce4e5b9ULL;
    state ^= state >> 27;
    out += fmt::format("{:016x}", state);
  }
  return out.substr(0, digits);
}

constexpr const char* k_swahili = "picha ya jeraha la mkono (mkono.jpg)";
constexpr const char* k_arabic = "تسجيل صوتي للشاهد";
constexpr const char* k_cyrillic = "фотография места";

// A case of `count` exhibits, three to a record, in four scripts' worth of
// descriptions, with sizes from bytes to gigabytes.
render::ExhibitList
sample_list(std::size_t count)
{
  render::ExhibitList list;
  list.organisation = "Haki Legal Aid Clinic, Mombasa";
  list.case_reference = "HCCR/E123/2026";
  list.bagging_date = "2026-12-06";
  list.checkpoint = "custody/3f9a1c0e5b7d42a8b6c1d0e9f8a7b6c5, 42 entries, "
                    "root 3q2+7w0hVqg9GxJ6n1W4l8nX0kq8uXpM2R3c5e7a9B0=";
  list.key = "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3";
  list.key_id = "e7620f1842b4e81f";
  const std::array<std::string, 6> descriptions{
    "video (arrest.mp4)",
    "record JSON",
    "redacted photo",
    k_swahili,
    std::string(k_arabic) + " (شاهد.ogg)",
    std::string(k_cyrillic) + " (место.jpg)"};
  for (std::size_t i = 0; i < count; ++i) {
    render::Exhibit exhibit;
    exhibit.number = std::to_string(i + 1);
    exhibit.record = hex_of(i / 3, 32);
    exhibit.description = descriptions[i % descriptions.size()];
    exhibit.sha256 = hex_of(1000 + i, 64);
    exhibit.bag_path = "data/original/" + exhibit.sha256 + ".mp4";
    exhibit.size = (std::uint64_t{1} << (i % 33)) + 12345 * i;
    list.exhibits.push_back(exhibit);
  }
  return list;
}

std::string
read_file(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The PDF's text as `pdftotext -layout` reads it.
std::string
pdf_text(const test::TempDir& dir, const Bytes& pdf)
{
  const auto file = dir.path() / "EXHIBITS.pdf";
  const auto text = dir.path() / "EXHIBITS.txt";
  {
    std::ofstream out(file, std::ios::binary);
    out.write(reinterpret_cast<const char*>(pdf.data()),
              static_cast<std::streamsize>(pdf.size()));
  }
  const std::string command =
    "PATH=/usr/bin:/bin pdftotext -layout -enc UTF-8 '" + file.string() + "' '"
    + text.string() + "'";
  // NOLINTNEXTLINE(cert-env33-c): poppler's reader on this test's own file
  REQUIRE_MESSAGE(std::system(command.c_str()) == 0,
                  "pdftotext is needed (bash scripts/setup installs "
                  "poppler-utils)");
  return read_file(text);
}

bool
contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

} // namespace

TEST_SUITE("exhibits")
{
  TEST_CASE("pdftotext reads back the case, every SHA-256 and the key, on "
            "two pages for sixty exhibits")
  {
    test::TempDir dir;
    auto list = sample_list(60);
    list.exhibits[0].size = 1;
    list.exhibits[1].size = 1048576;
    list.exhibits[3].size = 1048575;
    list.exhibits[2].size = 5000000000;
    const auto pdf = render::exhibits_pdf(list);
    REQUIRE_MESSAGE(pdf, (pdf ? "" : pdf.error().message));
    REQUIRE(pdf->size() > 4);
    CHECK(std::string(pdf->begin(), pdf->begin() + 5) == "%PDF-");
    const std::string text = pdf_text(dir, *pdf);
    CHECK(contains(text, "Exhibit list"));
    CHECK(contains(text, list.organisation));
    CHECK(contains(text, list.case_reference));
    CHECK(contains(text, "2026-12-06"));
    CHECK(contains(text, k_swahili));
    CHECK(contains(text, k_arabic));
    CHECK(contains(text, k_cyrillic));
    for (const auto& exhibit : list.exhibits) {
      CAPTURE(exhibit.number);
      CHECK(contains(text, exhibit.sha256.substr(0, 32)));
      CHECK(contains(text, exhibit.sha256.substr(32)));
      CHECK(contains(text, exhibit.record.substr(0, 8) + "…"));
    }
    CHECK(contains(text, "1 byte "));
    CHECK(contains(text, "1,048,576 bytes"));
    CHECK(contains(text, "1.0 MiB"));
    CHECK(contains(text, "1,048,575 bytes"));
    CHECK_FALSE(contains(text, "1024.0 KiB"));
    CHECK(contains(text, "5,000,000,000 bytes"));
    CHECK(contains(text, "4.7 GiB"));
    CHECK(contains(text, "page 1 of 2"));
    CHECK(contains(text, "page 2 of 2"));
    CHECK_FALSE(contains(text, "of 3"));
    // The table's header on each page.
    std::size_t headers = 0;
    for (auto at = text.find("SHA-256"); at != std::string::npos;
         at = text.find("SHA-256", at + 1)) {
      ++headers;
    }
    CHECK(headers == 2);
    CHECK(contains(text, list.key));
    CHECK(contains(text, list.key_id));
    CHECK(contains(text, "42 entries"));
    CHECK(contains(text,
                   "Compare this key with the one lodged outside the vault "
                   "before trusting anything in this bundle."));
  }

  TEST_CASE("the same list gives the same bytes; its date is the bagging date")
  {
    const auto list = sample_list(8);
    const auto first = render::exhibits_pdf(list);
    const auto second = render::exhibits_pdf(list);
    REQUIRE(first);
    REQUIRE(second);
    CHECK(*first == *second);
    const std::string raw(first->begin(), first->end());
    CHECK(contains(raw, "/CreationDate (20261206000000Z)"));
    CHECK(contains(raw, "/ModDate (20261206000000Z)"));
    CHECK(contains(raw, "/Creator (custody)"));

    auto later = list;
    later.bagging_date = "2026-12-07";
    const auto third = render::exhibits_pdf(later);
    REQUIRE(third);
    CHECK(*third != *first);
  }

  TEST_CASE("an empty list and a long description still make pages")
  {
    test::TempDir dir;
    auto list = sample_list(0);
    list.case_reference.clear();
    const auto empty = render::exhibits_pdf(list);
    REQUIRE_MESSAGE(empty, (empty ? "" : empty.error().message));
    const std::string text = pdf_text(dir, *empty);
    CHECK(contains(text, "page 1 of 1"));
    CHECK(contains(text, "0 exhibits"));
    CHECK_FALSE(contains(text, "Case reference"));

    // A description of thousands of words is cut after a dozen lines, not run
    // off the page (pdftotext still reads all of it: cairo keeps the cut text
    // as the ellipsis's). A line break or separator in a file name is shown as
    // U+FFFD.
    list = sample_list(2);
    std::string words;
    for (int i = 0; i < 3000; ++i) {
      words += "mashahidi ";
    }
    list.exhibits[0].description = words;
    list.exhibits[1].description = "line\nbreak\u2028and\u0085separators.jpg";
    const auto long_one = render::exhibits_pdf(list);
    REQUIRE_MESSAGE(long_one, (long_one ? "" : long_one.error().message));
    const std::string long_text = pdf_text(dir, *long_one);
    CHECK(contains(long_text, "page 1 of 1"));
    CHECK(contains(long_text, "mashahidi mashahidi"));
    CHECK(contains(long_text, "line\uFFFDbreak\uFFFDand\uFFFDseparators.jpg"));
  }

  TEST_CASE("text that is not UTF-8 is refused, naming the field")
  {
    auto list = sample_list(3);
    list.exhibits[1].description = "photo \xff\xfe";
    auto pdf = render::exhibits_pdf(list);
    REQUIRE_FALSE(pdf);
    CHECK(pdf.error().code == Errc::invalid_input);
    CHECK(contains(pdf.error().message, "exhibit 2's description"));

    list = sample_list(3);
    list.organisation = "Haki \xc3\x28";
    pdf = render::exhibits_pdf(list);
    REQUIRE_FALSE(pdf);
    CHECK(pdf.error().code == Errc::invalid_input);
    CHECK(contains(pdf.error().message, "organisation"));

    list = sample_list(3);
    list.key = "RW\xed\xa0\x80"; // a surrogate
    pdf = render::exhibits_pdf(list);
    REQUIRE_FALSE(pdf);
    CHECK(contains(pdf.error().message, "key"));
  }

  TEST_CASE("a SHA-256, record id or date of the wrong shape is refused")
  {
    const auto good = sample_list(3);
    for (const std::string& sha256 :
         {good.exhibits[0].sha256.substr(0, 63),
          good.exhibits[0].sha256 + "0",
          "ABCDEF" + good.exhibits[0].sha256.substr(6),
          "g" + good.exhibits[0].sha256.substr(1),
          std::string()}) {
      CAPTURE(sha256);
      auto list = good;
      list.exhibits[2].sha256 = sha256;
      const auto pdf = render::exhibits_pdf(list);
      REQUIRE_FALSE(pdf);
      CHECK(pdf.error().code == Errc::invalid_input);
      CHECK(contains(pdf.error().message, "exhibit 3's sha256"));
    }

    auto list = good;
    list.exhibits[0].record = "not-a-record-id";
    auto pdf = render::exhibits_pdf(list);
    REQUIRE_FALSE(pdf);
    CHECK(pdf.error().code == Errc::invalid_input);
    CHECK(contains(pdf.error().message, "exhibit 1's record"));

    list = good;
    list.bagging_date = "6 December 2026";
    pdf = render::exhibits_pdf(list);
    REQUIRE_FALSE(pdf);
    CHECK(pdf.error().code == Errc::invalid_input);
    CHECK(contains(pdf.error().message, "bagging_date"));
  }
}
