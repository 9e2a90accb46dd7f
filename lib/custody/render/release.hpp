// A statistics release rendered for people who do not read CSV: a workbook
// (libxlsxwriter) and a chart of one table (cairo). What is rendered is only
// ever a Released<StatsRelease>, so nothing reaches a file that disclosure/
// has not protected; suppressed cells show the one token, whatever the format,
// and nothing (colour, style, height) tells them apart from each other or
// hints at their value. render/ knows no vocabulary: cmd/ names rows, columns
// and headings through Labels and writes the about lines.
#pragma once

#include <custody/base/error.hpp>
#include <custody/disclosure/released.hpp>
#include <custody/disclosure/stats_release.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace custody::render {

// How cmd/ names things, so that render/ knows no vocabulary.
struct Labels
{
  // A row's label ("Sexual violence", "Total (distinct reports)").
  std::function<std::string(const disclosure::PublishedTable&, std::size_t row)>
    row;
  // A column's label ("Female", "2026-Q3", "Total"); a table without columns
  // has the one column, its total ("Reports").
  std::function<std::string(const disclosure::PublishedTable&,
                            std::size_t column)>
    column;
  // The rows' heading ("Type of violence"): the first column's header, the
  // chart's horizontal axis.
  std::function<std::string(const disclosure::PublishedTable&)> row_heading;
  // Optional. The columns' heading ("Population"): above the column headers
  // and the legend's title; a table without columns has none.
  std::function<std::string(const disclosure::PublishedTable&)> column_heading;
  // Optional. What a cell counts ("Reports"): the vertical axis's title.
  std::function<std::string(const disclosure::PublishedTable&)> value_heading;
};

// The lines that say what the figures are: ("Statement", "..."),
// ("Counting", "..."), ("Method", "..."), ("Left out", "..."),
// ("Computed from", "..."), in order.
struct About
{
  std::vector<std::pair<std::string, std::string>> lines;
};

// The one token of a suppressed cell, in every format (docs/stats.md 4.3).
inline constexpr std::string_view k_token = "x";
// What the token means, on the workbook's first sheet and the chart's legend.
inline constexpr std::string_view k_token_note =
  "x = suppressed to protect the people counted";
// The first sheet's name.
inline constexpr std::string_view k_about_sheet = "About these figures";

// Writes the release as an XLSX workbook: a first sheet "About these figures"
// (the about lines, the token's meaning, the tables and the release's other
// figures), then one sheet a table (named by the table's id, made a valid and
// unique sheet name of at most 31 characters) with the title, the column
// headers, a row a value, the token in suppressed cells with the same style as
// every other count, totals in bold, and a native column chart of the table
// without its totals. The same input gives the same bytes (the document's
// creation time is fixed at 1980-01-01). Written to a temporary file beside
// `file`, then renamed over it; Errc::io when the system refuses.
[[nodiscard]] Result<void>
write_xlsx(const disclosure::Released<disclosure::StatsRelease>& release,
           const Labels& labels,
           const About& about,
           const std::filesystem::path& file);

// Chart size in pixels.
inline constexpr int k_chart_width = 1200;
inline constexpr int k_chart_height = 700;

// Draws the table `table_id` as a grouped bar chart (rows as groups, columns
// as bars; a table without columns, one bar a row), without its total row and
// column: the title, labelled axes, a legend, and each suppressed cell as a
// hatched, outlined bar of one fixed height marked with the token, never as
// zero. PNG or SVG (text kept as text) by the file's extension, .png or .svg
// (Errc::usage otherwise), k_chart_width by k_chart_height pixels, written to
// a temporary file beside `file` and renamed over it. Errc::invalid_input for
// a table the release does not hold.
[[nodiscard]] Result<void>
write_chart(const disclosure::Released<disclosure::StatsRelease>& release,
            const std::string& table_id,
            const Labels& labels,
            const std::filesystem::path& file);

} // namespace custody::render
