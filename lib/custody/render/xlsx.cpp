// The workbook of a release (release.hpp), with libxlsxwriter.
#include <custody/render/release.hpp>
#include <custody/render/render_internal.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/core.h>

#include <fcntl.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <set>

namespace custody::render {

namespace {

using detail::cell_at;
using detail::is_total;

// 1980-01-01T00:00:00Z, the first date a zip file can hold: the workbook's
// creation time, so that the same release gives the same bytes.
constexpr std::time_t k_fixed_created = 315532800;

constexpr std::size_t k_sheet_name_max = 31; // Excel's limit, in characters

std::size_t
utf8_length(std::string_view text)
{
  return static_cast<std::size_t>(std::count_if(
    text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// The first `count` characters of UTF-8 `text`.
std::string
utf8_prefix(const std::string& text, std::size_t count)
{
  std::size_t seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((text[i] & 0xC0) != 0x80) {
      if (seen == count) {
        return text.substr(0, i);
      }
      ++seen;
    }
  }
  return text;
}

std::string
lower_ascii(std::string text)
{
  for (auto& c : text) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

// A table id made a sheet name Excel accepts: none of []:*?/\, no apostrophe
// at either end, at most 31 characters, unique without regard to case (Excel's
// rule), and neither the about sheet's name nor "History" (reserved).
std::string
sheet_name(const std::string& id, std::set<std::string>& taken)
{
  std::string base;
  for (char c : id) {
    base += std::string_view("[]:*?/\\").find(c) == std::string_view::npos
                && static_cast<unsigned char>(c) >= 0x20
              ? c
              : '_';
  }
  while (!base.empty() && base.front() == '\'') {
    base.erase(base.begin());
  }
  while (!base.empty() && base.back() == '\'') {
    base.pop_back();
  }
  if (base.empty()) {
    base = "table";
  }
  std::string name = utf8_prefix(base, k_sheet_name_max);
  for (int n = 2;
       taken.contains(lower_ascii(name)) || lower_ascii(name) == "history";
       ++n) {
    const std::string suffix = fmt::format("~{}", n);
    name = utf8_prefix(base, k_sheet_name_max - suffix.size()) + suffix;
  }
  taken.insert(lower_ascii(name));
  return name;
}

// The first error libxlsxwriter reports, kept so that the workbook is still
// freed and the temporary file removed.
struct Status
{
  lxw_error error = LXW_NO_ERROR;
  std::string where;

  void
  check(lxw_error result, std::string_view step)
  {
    if (result != LXW_NO_ERROR && error == LXW_NO_ERROR) {
      error = result;
      where = step;
    }
  }
};

struct Formats
{
  lxw_format* title = nullptr;
  lxw_format* heading = nullptr;     // column headers
  lxw_format* label = nullptr;       // row labels
  lxw_format* total_label = nullptr; // the total row's label
  lxw_format* count = nullptr;       // every count and every token alike
  lxw_format* total = nullptr;       // every total, suppressed or not
  lxw_format* note = nullptr;
  lxw_format* about_key = nullptr;
  lxw_format* about_text = nullptr;
  lxw_format* about_value = nullptr; // a figure or the token, to the left
};

Formats
make_formats(lxw_workbook* book)
{
  Formats f;
  f.title = workbook_add_format(book);
  format_set_bold(f.title);
  format_set_font_size(f.title, 13);
  f.heading = workbook_add_format(book);
  format_set_bold(f.heading);
  format_set_bottom(f.heading, LXW_BORDER_THIN);
  format_set_text_wrap(f.heading);
  format_set_align(f.heading, LXW_ALIGN_VERTICAL_BOTTOM);
  f.label = workbook_add_format(book);
  f.total_label = workbook_add_format(book);
  format_set_bold(f.total_label);
  format_set_top(f.total_label, LXW_BORDER_THIN);
  // A count and a token share one format: right-aligned, so that "x" stands
  // where a number would, with nothing marking it out.
  f.count = workbook_add_format(book);
  format_set_num_format(f.count, "#,##0");
  format_set_align(f.count, LXW_ALIGN_RIGHT);
  f.total = workbook_add_format(book);
  format_set_num_format(f.total, "#,##0");
  format_set_align(f.total, LXW_ALIGN_RIGHT);
  format_set_bold(f.total);
  f.note = workbook_add_format(book);
  format_set_italic(f.note);
  f.about_key = workbook_add_format(book);
  format_set_bold(f.about_key);
  format_set_align(f.about_key, LXW_ALIGN_VERTICAL_TOP);
  f.about_text = workbook_add_format(book);
  format_set_text_wrap(f.about_text);
  format_set_align(f.about_text, LXW_ALIGN_VERTICAL_TOP);
  f.about_value = workbook_add_format(book);
  format_set_align(f.about_value, LXW_ALIGN_LEFT);
  format_set_align(f.about_value, LXW_ALIGN_VERTICAL_TOP);
  return f;
}

// Row heights are not fitted when a file opens: about this many characters fit
// a line of the about sheet's columns.
constexpr double k_about_key_width = 30;
constexpr double k_about_text_width = 100;

void
write_about(lxw_workbook* book,
            const disclosure::StatsRelease& release,
            const About& about,
            const std::vector<std::string>& sheets,
            const Formats& f,
            Status& status)
{
  lxw_worksheet* sheet =
    workbook_add_worksheet(book, std::string(k_about_sheet).c_str());
  if (sheet == nullptr) {
    status.check(LXW_ERROR_MEMORY_MALLOC_FAILED, "the about sheet");
    return;
  }
  auto check = [&](lxw_error result) { status.check(result, "about sheet"); };
  check(worksheet_set_column(sheet, 0, 0, k_about_key_width, nullptr));
  check(worksheet_set_column(sheet, 1, 1, k_about_text_width, nullptr));
  // A line of two cells, its height enough for the longer of them wrapped.
  lxw_row_t row = 0;
  auto line = [&](const std::string& key,
                  lxw_format* key_format,
                  const std::string& text,
                  lxw_format* text_format) {
    check(worksheet_write_string(sheet, row, 0, key.c_str(), key_format));
    if (!text.empty()) {
      check(worksheet_write_string(sheet, row, 1, text.c_str(), text_format));
    }
    const double lines = std::max(
      {1.0,
       std::ceil(static_cast<double>(utf8_length(key)) / k_about_key_width),
       std::ceil(static_cast<double>(utf8_length(text)) / k_about_text_width)});
    if (lines > 1) {
      check(worksheet_set_row(sheet, row, 15 * lines, nullptr));
    }
    ++row;
  };
  check(worksheet_write_string(
    sheet, row, 0, std::string(k_about_sheet).c_str(), f.title));
  row += 2;
  for (const auto& [key, text] : about.lines) {
    line(key, f.about_key, text, f.about_text);
  }
  ++row;
  check(worksheet_write_string(
    sheet, row, 0, std::string(k_token_note).c_str(), f.note));
  row += 2;
  line("Sheet", f.about_key, "Table", f.about_key);
  for (std::size_t t = 0; t < release.tables.size(); ++t) {
    line(sheets[t], f.about_text, release.tables[t].spec.title, f.about_text);
  }
  if (!release.measures.empty()) {
    ++row;
    line("Other figures", f.about_key, "", nullptr);
    for (const auto& measure : release.measures) {
      if (measure.value) {
        check(
          worksheet_write_number(sheet, row, 1, *measure.value, f.about_value));
        line(measure.title, f.about_text, "", nullptr);
      } else {
        line(measure.title, f.about_text, std::string(k_token), f.about_value);
      }
    }
  }
}

// Column widths in characters, from the longest text a column shows.
double
width_for(std::size_t characters, double least, double most)
{
  return std::clamp(static_cast<double>(characters) + 2, least, most);
}

void
write_table(lxw_workbook* book,
            const disclosure::PublishedTable& table,
            const std::string& name,
            const Labels& labels,
            const Formats& f,
            Status& status)
{
  lxw_worksheet* sheet = workbook_add_worksheet(book, name.c_str());
  if (sheet == nullptr) {
    status.check(LXW_ERROR_MEMORY_MALLOC_FAILED, name);
    return;
  }
  const std::size_t rows = table.rows.size();
  const std::size_t columns = table.columns.size();
  constexpr lxw_row_t k_title_row = 0;
  constexpr lxw_row_t k_column_heading_row = 1;
  constexpr lxw_row_t k_header_row = 2;
  constexpr lxw_row_t k_first_row = 3;

  status.check(worksheet_write_string(
                 sheet, k_title_row, 0, table.spec.title.c_str(), f.title),
               name);
  const std::string column_heading =
    table.spec.columns ? detail::optional_label(labels.column_heading, table)
                       : std::string();
  if (!column_heading.empty()) {
    status.check(
      worksheet_write_string(
        sheet, k_column_heading_row, 1, column_heading.c_str(), f.note),
      name);
  }
  const std::string row_heading = labels.row_heading(table);
  status.check(worksheet_write_string(
                 sheet, k_header_row, 0, row_heading.c_str(), f.heading),
               name);
  std::size_t label_width = utf8_length(row_heading);
  for (std::size_t c = 0; c < columns; ++c) {
    const std::string text = labels.column(table, c);
    status.check(worksheet_write_string(sheet,
                                        k_header_row,
                                        static_cast<lxw_col_t>(1 + c),
                                        text.c_str(),
                                        f.heading),
                 name);
    status.check(worksheet_set_column(sheet,
                                      static_cast<lxw_col_t>(1 + c),
                                      static_cast<lxw_col_t>(1 + c),
                                      width_for(utf8_length(text), 10, 24),
                                      nullptr),
                 name);
  }
  for (std::size_t r = 0; r < rows; ++r) {
    const auto row = static_cast<lxw_row_t>(k_first_row + r);
    const bool total_row = is_total(table.rows[r]);
    const std::string text = labels.row(table, r);
    label_width = std::max(label_width, utf8_length(text));
    status.check(
      worksheet_write_string(
        sheet, row, 0, text.c_str(), total_row ? f.total_label : f.label),
      name);
    for (std::size_t c = 0; c < columns; ++c) {
      const auto column = static_cast<lxw_col_t>(1 + c);
      lxw_format* format =
        total_row || is_total(table.columns[c]) ? f.total : f.count;
      const auto& cell = cell_at(table, r, c);
      if (cell) {
        status.check(worksheet_write_number(
                       sheet, row, column, static_cast<double>(*cell), format),
                     name);
      } else {
        status.check(
          worksheet_write_string(
            sheet, row, column, std::string(k_token).c_str(), format),
          name);
      }
    }
  }
  status.check(
    worksheet_set_column(sheet, 0, 0, width_for(label_width, 14, 60), nullptr),
    name);
  worksheet_freeze_panes(sheet, k_first_row, 1);
  const auto note_row = static_cast<lxw_row_t>(k_first_row + rows + 1);
  status.check(worksheet_write_string(
                 sheet, note_row, 0, std::string(k_token_note).c_str(), f.note),
               name);

  // The chart: the table without its totals. A suppressed cell holds the
  // token, which a chart plots as no bar; its data label says "x".
  const auto plotted_rows = detail::plotted(table.rows, false);
  const auto plotted_columns = detail::plotted(table.columns, true);
  if (plotted_rows.empty() || plotted_columns.empty()) {
    return;
  }
  lxw_chart* chart = workbook_add_chart(book, LXW_CHART_COLUMN);
  if (chart == nullptr) {
    status.check(LXW_ERROR_MEMORY_MALLOC_FAILED, name);
    return;
  }
  chart_title_set_name(chart, table.spec.title.c_str());
  chart_axis_set_name(chart->x_axis, row_heading.c_str());
  const std::string value_heading =
    detail::optional_label(labels.value_heading, table);
  if (!value_heading.empty()) {
    chart_axis_set_name(chart->y_axis, value_heading.c_str());
  }
  chart_axis_set_min(chart->y_axis, 0);
  chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
  chart_show_blanks_as(chart, LXW_CHART_BLANKS_AS_GAP);
  // Rows are written in order and the total row is last, so the plotted rows
  // are one range.
  const auto first = static_cast<lxw_row_t>(k_first_row + plotted_rows.front());
  const auto last = static_cast<lxw_row_t>(k_first_row + plotted_rows.back());
  std::string token(k_token);
  for (const auto c : plotted_columns) {
    const auto column = static_cast<lxw_col_t>(1 + c);
    lxw_chart_series* series = chart_add_series(chart, nullptr, nullptr);
    if (series == nullptr) {
      status.check(LXW_ERROR_MEMORY_MALLOC_FAILED, name);
      return;
    }
    chart_series_set_categories(series, name.c_str(), first, 0, last, 0);
    chart_series_set_values(series, name.c_str(), first, column, last, column);
    chart_series_set_name_range(series, name.c_str(), k_header_row, column);
    chart_series_set_labels(series);
    std::vector<lxw_chart_data_label> points(plotted_rows.size());
    std::vector<lxw_chart_data_label*> pointers;
    for (std::size_t i = 0; i < plotted_rows.size(); ++i) {
      if (!cell_at(table, plotted_rows[i], c)) {
        points[i].value = token.data();
      }
      pointers.push_back(&points[i]);
    }
    pointers.push_back(nullptr);
    status.check(chart_series_set_labels_custom(series, pointers.data()), name);
  }
  lxw_chart_options placement{};
  placement.x_offset = 0;
  placement.y_offset = 0;
  placement.x_scale = 1.5;
  placement.y_scale = 1.5;
  status.check(
    worksheet_insert_chart_opt(
      sheet, static_cast<lxw_row_t>(note_row + 2), 0, chart, &placement),
    name);
}

// Makes the temporary file durable and renames it over `file`.
Result<void>
put_in_place(const fs::Path& temp, const fs::Path& file)
{
  fs::Fd fd(::open(temp.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return tl::unexpected(fs::errno_error("open", temp, errno));
  }
  if (::fsync(fd.get()) != 0) {
    return tl::unexpected(fs::errno_error("fsync", temp, errno));
  }
  CUSTODY_TRY(fs::rename_into_place(temp, file));
  const fs::Path directory =
    file.has_parent_path() ? file.parent_path() : fs::Path(".");
  return fs::fsync_directory(directory);
}

} // namespace

Result<void>
write_xlsx(const disclosure::Released<disclosure::StatsRelease>& release,
           const Labels& labels,
           const About& about,
           const std::filesystem::path& file)
{
  for (const auto& table : release->tables) {
    CUSTODY_TRY(detail::check_input(labels, table));
  }
  std::set<std::string> taken{lower_ascii(std::string(k_about_sheet))};
  std::vector<std::string> sheets;
  for (const auto& table : release->tables) {
    sheets.push_back(sheet_name(table.spec.id, taken));
  }

  const fs::Path directory =
    file.has_parent_path() ? file.parent_path() : fs::Path(".");
  CUSTODY_ASSIGN(temp, fs::write_temp_file(directory, {}, fs::Sync::no));
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  options.tmpdir = nullptr;
  options.use_zip64 = LXW_FALSE;
  lxw_workbook* book = workbook_new_opt(temp.c_str(), &options);
  if (book == nullptr) {
    ::unlink(temp.c_str());
    return make_error(
      Errc::io, fmt::format("cannot start the workbook {}", file.string()), "");
  }
  lxw_doc_properties properties{};
  properties.created = k_fixed_created;
  Status status;
  status.check(workbook_set_properties(book, &properties), "properties");
  const Formats formats = make_formats(book);
  write_about(book, *release, about, sheets, formats, status);
  for (std::size_t t = 0; t < release->tables.size(); ++t) {
    write_table(book, release->tables[t], sheets[t], labels, formats, status);
  }
  if (status.error != LXW_NO_ERROR) {
    lxw_workbook_free(book);
    ::unlink(temp.c_str());
    return make_error(Errc::internal,
                      fmt::format("the workbook {}: {}: {}",
                                  file.string(),
                                  status.where,
                                  lxw_strerror(status.error)),
                      "");
  }
  const lxw_error closed = workbook_close(book);
  if (closed != LXW_NO_ERROR) {
    ::unlink(temp.c_str());
    return make_error(Errc::io,
                      fmt::format("cannot write the workbook {}: {}",
                                  file.string(),
                                  lxw_strerror(closed)),
                      "check the directory is writable and has space");
  }
  auto placed = put_in_place(temp, file);
  if (!placed) {
    ::unlink(temp.c_str());
    return placed;
  }
  return {};
}

} // namespace custody::render
