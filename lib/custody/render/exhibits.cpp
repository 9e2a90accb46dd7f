// EXHIBITS.pdf (exhibits.hpp): pango lays out every piece of text, in whatever
// script it comes, with the fonts fontconfig finds; cairo writes the PDF into
// memory. Untrusted text goes to pango as text, never as markup. The list is
// measured first, row by row, so that the page count ("page i of n") is known
// before the first page is drawn.
#include <custody/base/utf8.hpp>
#include <custody/render/exhibits.hpp>

#include <climits>
#include <fmt/core.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <string_view>
#include <utility>

namespace custody::render {

namespace {

// A4 portrait, in PDF points.
constexpr double k_mm = 72.0 / 25.4;
constexpr double k_page_width = 210 * k_mm;
constexpr double k_page_height = 297 * k_mm;
constexpr double k_margin = 18 * k_mm;
constexpr double k_width = k_page_width - 2 * k_margin;
constexpr double k_bottom = k_page_height - k_margin;

// Inside a table cell.
constexpr double k_pad_x = 4;
constexpr double k_pad_y = 2.25;

// The columns; the description takes what the others leave. The SHA-256 is
// two lines of 32 hex digits in 7 pt monospace.
constexpr double k_col_number = 28;
constexpr double k_col_record = 50;
constexpr double k_col_size = 96;
constexpr double k_col_sha = 146;
constexpr double k_col_description =
  k_width - k_col_number - k_col_record - k_col_size - k_col_sha;

// Long text is wrapped, and cut (with an ellipsis) after so many lines, so
// that no row outgrows a page.
constexpr int k_description_lines = 12;
constexpr int k_heading_lines = 3;
constexpr int k_footer_lines = 6;

constexpr std::string_view k_instruction =
  "Compare this key with the one lodged outside the vault before trusting "
  "anything in this bundle.";

struct Grey
{
  double level;
};

constexpr Grey k_text{0.12};
constexpr Grey k_muted{0.38};
constexpr Grey k_rule{0.72};
constexpr Grey k_header_fill{0.87};
constexpr Grey k_stripe_fill{0.955};
constexpr Grey k_box_fill{0.97};

void
set_grey(cairo_t* cairo, Grey grey)
{
  cairo_set_source_rgb(cairo, grey.level, grey.level, grey.level);
}

struct GObjectUnref
{
  void
  operator()(gpointer object) const noexcept
  {
    g_object_unref(object);
  }
};
using Layout = std::unique_ptr<PangoLayout, GObjectUnref>;
using Context = std::unique_ptr<PangoContext, GObjectUnref>;

struct FontFree
{
  void
  operator()(PangoFontDescription* font) const noexcept
  {
    pango_font_description_free(font);
  }
};
using Font = std::unique_ptr<PangoFontDescription, FontFree>;

Font
font(const char* description)
{
  return Font(pango_font_description_from_string(description));
}

// Untrusted text as printed: control characters (a file name may hold a line
// break), C1 controls and the line and paragraph separators as U+FFFD, so that
// nothing is printed invisibly or moves a line; everything else as it is
// (checked UTF-8 by then).
std::string
printable(std::string_view text)
{
  constexpr std::string_view replacement = "\uFFFD";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const auto next =
      i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0;
    if (byte < 0x20 || byte == 0x7f) {
      out += replacement;
    } else if (byte == 0xc2 && next >= 0x80 && next <= 0x9f) {
      out += replacement; // U+0080 ... U+009F
      i += 1;
    } else if (text.substr(i, 3) == "\u2028" || text.substr(i, 3) == "\u2029") {
      out += replacement;
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

enum class Align { left, right, centre };

// The faces the list is set in.
enum class Face {
  body,
  bold,
  small,
  tiny,
  mono,
  small_mono,
  title,
  subtitle,
  meta,
};

// The fonts and pango's context, at 72 dpi so that a point is a PDF unit.
class Typesetter
{
public:
  explicit Typesetter(cairo_t* cairo)
    : m_context(pango_cairo_create_context(cairo))
  {
    pango_cairo_context_set_resolution(m_context.get(), 72);
    // Glyphs where the font puts them: the PDF is not a pixel grid.
    pango_context_set_round_glyph_positions(m_context.get(), FALSE);
    const std::array<std::pair<Face, const char*>, 9> faces{
      {{Face::body, "DejaVu Sans 7.5"},
       {Face::bold, "DejaVu Sans Bold 7.5"},
       {Face::small, "DejaVu Sans 6.5"},
       {Face::tiny, "DejaVu Sans 6"},
       {Face::mono, "DejaVu Sans Mono 7"},
       {Face::small_mono, "DejaVu Sans Mono 6"},
       {Face::title, "DejaVu Sans Bold 16"},
       {Face::subtitle, "DejaVu Sans 10.5"},
       {Face::meta, "DejaVu Sans 8.5"}}};
    for (const auto& [face, description] : faces) {
      m_fonts.at(static_cast<std::size_t>(face)) = font(description);
    }
  }

  // `text` as it is: untrusted text goes through printable() first. `width`
  // 0: one line, unwrapped. `max_lines` 0: no limit.
  Layout
  layout(std::string_view text,
         Face face,
         double width,
         Align align = Align::left,
         int max_lines = 0,
         double spacing = 0) const
  {
    Layout layout(pango_layout_new(m_context.get()));
    pango_layout_set_font_description(
      layout.get(), m_fonts.at(static_cast<std::size_t>(face)).get());
    pango_layout_set_text(
      layout.get(), text.data(), static_cast<int>(text.size()));
    if (width > 0) {
      pango_layout_set_width(layout.get(), pango_units_from_double(width));
      pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
    }
    if (max_lines > 0) {
      pango_layout_set_height(layout.get(), -max_lines);
      pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_END);
    }
    if (spacing > 0) {
      pango_layout_set_line_spacing(layout.get(), static_cast<float>(spacing));
    }
    pango_layout_set_alignment(layout.get(),
                               align == Align::right    ? PANGO_ALIGN_RIGHT
                               : align == Align::centre ? PANGO_ALIGN_CENTER
                                                        : PANGO_ALIGN_LEFT);
    return layout;
  }

private:
  Context m_context;
  std::array<Font, 9> m_fonts;
};

double
height_of(const Layout& layout)
{
  int width = 0;
  int height = 0;
  pango_layout_get_size(layout.get(), &width, &height);
  return pango_units_to_double(height);
}

void
show(cairo_t* cairo, const Layout& layout, double x, double y, Grey grey)
{
  set_grey(cairo, grey);
  cairo_move_to(cairo, x, y);
  pango_cairo_show_layout(cairo, layout.get());
}

void
hline(cairo_t* cairo, double x1, double x2, double y, double width, Grey grey)
{
  set_grey(cairo, grey);
  cairo_set_line_width(cairo, width);
  cairo_move_to(cairo, x1, y);
  cairo_line_to(cairo, x2, y);
  cairo_stroke(cairo);
}

void
fill(cairo_t* cairo, double x, double y, double w, double h, Grey grey)
{
  set_grey(cairo, grey);
  cairo_rectangle(cairo, x, y, w, h);
  cairo_fill(cairo);
}

// "48,213,004 bytes".
std::string
grouped_bytes(std::uint64_t size)
{
  const std::string digits = std::to_string(size);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out += ',';
    }
    out += digits[i];
  }
  return out + (size == 1 ? " byte" : " bytes");
}

// "46.0 MiB"; empty under 1 KiB, where the bytes say it all.
std::string
human_size(std::uint64_t size)
{
  constexpr std::array<const char*, 6> units{
    "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (size < 1024) {
    return {};
  }
  auto value = static_cast<double>(size) / 1024;
  std::size_t unit = 0;
  // 1023.96 KiB is "1.0 MiB", not "1024.0 KiB".
  while (value >= 1023.95 && unit + 1 < units.size()) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, units[unit]);
}

// The bag path, with a file name that starts with the exhibit's SHA-256 (as
// the bag names its payload) shortened to 8 hex digits: the column beside it
// has them all.
std::string
short_path(const Exhibit& exhibit)
{
  const auto slash = exhibit.bag_path.rfind('/');
  const std::size_t name = slash == std::string::npos ? 0 : slash + 1;
  if (exhibit.bag_path.compare(name, exhibit.sha256.size(), exhibit.sha256)
      == 0) {
    return exhibit.bag_path.substr(0, name + 8) + "\u2026"
           + exhibit.bag_path.substr(name + exhibit.sha256.size());
  }
  return exhibit.bag_path;
}

// One exhibit's cells, laid out; `height` with the padding.
struct Row
{
  Layout number;
  Layout record;
  Layout description;
  Layout path;
  Layout size;
  Layout human;
  Layout sha;
  double height = 0;
};

Row
row_of(const Typesetter& type, const Exhibit& exhibit)
{
  const double inner = 2 * k_pad_x;
  Row row;
  row.number =
    type.layout(printable(exhibit.number), Face::body, k_col_number - inner);
  row.record = type.layout(
    exhibit.record.substr(0, 8) + "\u2026", Face::mono, k_col_record - inner);
  row.description = type.layout(printable(exhibit.description),
                                Face::body,
                                k_col_description - inner,
                                Align::left,
                                k_description_lines);
  row.path = type.layout(printable(short_path(exhibit)),
                         Face::small_mono,
                         k_col_description - inner,
                         Align::left,
                         k_heading_lines);
  row.size = type.layout(
    grouped_bytes(exhibit.size), Face::body, k_col_size - inner, Align::right);
  row.human = type.layout(
    human_size(exhibit.size), Face::tiny, k_col_size - inner, Align::right);
  // Hex digits have no descenders: the two halves sit closer than text lines.
  row.sha =
    type.layout(exhibit.sha256.substr(0, 32) + "\n" + exhibit.sha256.substr(32),
                Face::mono,
                k_col_sha - inner,
                Align::left,
                0,
                0.95);
  const double cells =
    std::max({height_of(row.number),
              height_of(row.record),
              height_of(row.description) + height_of(row.path),
              height_of(row.size) + height_of(row.human),
              height_of(row.sha)});
  row.height = cells + 2 * k_pad_y;
  return row;
}

struct Header
{
  std::array<Layout, 5> cells;
  double height = 0;
};

constexpr std::array<double, 5> k_columns{
  k_col_number, k_col_record, k_col_description, k_col_size, k_col_sha};

Header
header_of(const Typesetter& type)
{
  const double inner = 2 * k_pad_x;
  Header header;
  header.cells = {
    type.layout("No.", Face::bold, k_col_number - inner),
    type.layout("Record", Face::bold, k_col_record - inner),
    type.layout("Description and place in the bag",
                Face::bold,
                k_col_description - inner),
    type.layout("Size", Face::bold, k_col_size - inner, Align::right),
    type.layout("SHA-256", Face::bold, k_col_sha - inner)};
  for (const auto& cell : header.cells) {
    header.height = std::max(header.height, height_of(cell));
  }
  header.height += 2 * k_pad_y;
  return header;
}

// The first page's heading: the title, the organisation, the case and the
// date.
struct Heading
{
  std::vector<Layout> lines;
  double height = 0;
};

Heading
heading_of(const Typesetter& type, const ExhibitList& list)
{
  Heading heading;
  heading.lines.push_back(type.layout("Exhibit list", Face::title, k_width));
  heading.lines.push_back(type.layout(printable(list.organisation),
                                      Face::subtitle,
                                      k_width,
                                      Align::left,
                                      k_heading_lines));
  std::string meta;
  if (!list.case_reference.empty()) {
    meta = "Case reference " + printable(list.case_reference) + "   ·   ";
  }
  meta += fmt::format("Bagged on {}   ·   {} exhibit{}",
                      list.bagging_date,
                      list.exhibits.size(),
                      list.exhibits.size() == 1 ? "" : "s");
  heading.lines.push_back(
    type.layout(meta, Face::meta, k_width, Align::left, 2 * k_heading_lines));
  for (const auto& line : heading.lines) {
    heading.height += height_of(line) + 4;
  }
  heading.height += 8;
  return heading;
}

// The block at the foot of the last page: the checkpoint, the key and what to
// do with it, each value beside its label.
struct FooterLine
{
  Layout label; // none: the value spans the box
  Layout value;
  double height = 0;
};

struct Footer
{
  std::vector<FooterLine> lines;
  double height = 0;
};

constexpr double k_box_pad = 6;
constexpr double k_box_label = 92;
constexpr double k_box_leading = 3;

Footer
footer_of(const Typesetter& type, const ExhibitList& list)
{
  const double inner = k_width - 2 * k_box_pad;
  const double value = inner - k_box_label;
  Footer footer;
  footer.lines.push_back({type.layout("Checkpoint", Face::bold, k_box_label),
                          type.layout(printable(list.checkpoint),
                                      Face::mono,
                                      value,
                                      Align::left,
                                      k_footer_lines)});
  footer.lines.push_back(
    {type.layout("Vault key", Face::bold, k_box_label),
     type.layout(printable(list.key) + "\nkey id " + printable(list.key_id),
                 Face::mono,
                 value,
                 Align::left,
                 k_footer_lines)});
  footer.lines.push_back(
    {nullptr, type.layout(k_instruction, Face::bold, inner)});
  for (auto& line : footer.lines) {
    line.height =
      std::max(line.label ? height_of(line.label) : 0.0, height_of(line.value));
    footer.height += line.height;
  }
  footer.height +=
    2 * k_box_pad
    + k_box_leading * static_cast<double>(footer.lines.size() - 1);
  return footer;
}

// Where each row goes: its page and its top.
struct Placement
{
  std::size_t page = 0;
  double top = 0;
};

struct Plan
{
  double table_top_first = 0; // below the heading on page 1
  std::vector<Placement> rows;
  std::size_t footer_page = 0;
  double footer_top = 0;
  std::size_t pages = 1;
};

// The page number line's height and the gap above it.
constexpr double k_folio = 14;
constexpr double k_gap = 8;

Plan
plan(const std::vector<Row>& rows,
     const Header& header,
     const Heading& heading,
     const Footer& footer)
{
  const double bottom = k_bottom - k_folio;
  Plan plan;
  plan.table_top_first = k_margin + heading.height;
  std::size_t page = 0;
  double y = plan.table_top_first + header.height;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (y + rows[i].height > bottom && i > 0) {
      ++page;
      y = k_margin + header.height;
    }
    plan.rows.push_back({page, y});
    y += rows[i].height;
  }
  // The footer sits at the foot of the last page, on a page of its own when
  // the rows leave no room.
  if (y + k_gap + footer.height > bottom) {
    ++page;
  }
  plan.footer_page = page;
  plan.footer_top = bottom - footer.height;
  plan.pages = page + 1;
  return plan;
}

void
draw_header(cairo_t* cairo, const Header& header, double top)
{
  fill(cairo, k_margin, top, k_width, header.height, k_header_fill);
  double x = k_margin;
  for (std::size_t c = 0; c < header.cells.size(); ++c) {
    show(cairo, header.cells[c], x + k_pad_x, top + k_pad_y, k_text);
    x += k_columns[c];
  }
  hline(cairo, k_margin, k_margin + k_width, top + header.height, 0.8, Grey{0});
}

void
draw_row(cairo_t* cairo, const Row& row, double top, bool striped)
{
  if (striped) {
    fill(cairo, k_margin, top, k_width, row.height, k_stripe_fill);
  }
  const double y = top + k_pad_y;
  double x = k_margin + k_pad_x;
  show(cairo, row.number, x, y, k_text);
  x += k_col_number;
  show(cairo, row.record, x, y + 0.8, k_text);
  x += k_col_record;
  show(cairo, row.description, x, y, k_text);
  show(cairo, row.path, x, y + height_of(row.description), k_muted);
  x += k_col_description;
  show(cairo, row.size, x, y, k_text);
  show(cairo, row.human, x, y + height_of(row.size), k_muted);
  x += k_col_size;
  show(cairo, row.sha, x, y + 0.8, k_text);
  hline(cairo, k_margin, k_margin + k_width, top + row.height, 0.4, k_rule);
}

void
draw_footer(cairo_t* cairo, const Footer& footer, double top)
{
  fill(cairo, k_margin, top, k_width, footer.height, k_box_fill);
  set_grey(cairo, Grey{0});
  cairo_set_line_width(cairo, 0.8);
  cairo_rectangle(cairo, k_margin, top, k_width, footer.height);
  cairo_stroke(cairo);
  double y = top + k_box_pad;
  const double x = k_margin + k_box_pad;
  for (const auto& line : footer.lines) {
    if (line.label) {
      show(cairo, line.label, x, y, k_text);
      show(cairo, line.value, x + k_box_label, y + 0.5, k_text);
    } else {
      show(cairo, line.value, x, y, k_text);
    }
    y += line.height + k_box_leading;
  }
}

void
draw_folio(cairo_t* cairo,
           const Typesetter& type,
           const ExhibitList& list,
           std::size_t page,
           std::size_t pages)
{
  const double top = k_bottom - k_folio + 6;
  hline(cairo, k_margin, k_margin + k_width, top - 3, 0.4, k_rule);
  const std::string left =
    "Exhibit list"
    + (list.case_reference.empty() ? std::string{}
                                   : ", " + printable(list.case_reference));
  show(cairo,
       type.layout(left, Face::small, k_width * 0.7, Align::left, 1),
       k_margin,
       top,
       k_muted);
  show(cairo,
       type.layout(fmt::format("page {} of {}", page + 1, pages),
                   Face::small,
                   k_width,
                   Align::right),
       k_margin,
       top,
       k_muted);
}

bool
lower_hex(std::string_view text, std::size_t length)
{
  return text.size() == length
         && std::all_of(text.begin(), text.end(), [](char c) {
              return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
            });
}

bool
date(std::string_view text)
{
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return false;
  }
  for (const std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
  }
  const int month = (text[5] - '0') * 10 + (text[6] - '0');
  const int day = (text[8] - '0') * 10 + (text[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// pango takes an int length; no field comes near it.
constexpr std::size_t k_max_text = 1 << 20;

Result<void>
check_text(std::string_view field, std::string_view text)
{
  if (const auto bad = utf8::first_invalid(text)) {
    return fail(Errc::invalid_input,
                "exhibit list: {} is not UTF-8 (byte {})",
                field,
                *bad);
  }
  if (text.size() > k_max_text) {
    return fail(Errc::invalid_input,
                "exhibit list: {} is longer than {} bytes",
                field,
                k_max_text);
  }
  return {};
}

Result<void>
check(const ExhibitList& list)
{
  for (const auto& [field, text] :
       std::array<std::pair<std::string_view, const std::string*>, 6>{
         {{"organisation", &list.organisation},
          {"case_reference", &list.case_reference},
          {"bagging_date", &list.bagging_date},
          {"checkpoint", &list.checkpoint},
          {"key", &list.key},
          {"key_id", &list.key_id}}}) {
    if (auto checked = check_text(field, *text); !checked) {
      return checked;
    }
  }
  if (!date(list.bagging_date)) {
    return fail(Errc::invalid_input,
                "exhibit list: bagging_date \"{}\" is not YYYY-MM-DD",
                list.bagging_date);
  }
  for (std::size_t i = 0; i < list.exhibits.size(); ++i) {
    const auto& exhibit = list.exhibits[i];
    for (const auto& [field, text] :
         std::array<std::pair<std::string_view, const std::string*>, 3>{
           {{"number", &exhibit.number},
            {"description", &exhibit.description},
            {"bag_path", &exhibit.bag_path}}}) {
      if (auto checked =
            check_text(fmt::format("exhibit {}'s {}", i + 1, field), *text);
          !checked) {
        return checked;
      }
    }
    if (!lower_hex(exhibit.record, 32)) {
      return fail(Errc::invalid_input,
                  "exhibit list: exhibit {}'s record is not 32 lower-case "
                  "hex digits",
                  i + 1);
    }
    if (!lower_hex(exhibit.sha256, 64)) {
      return fail(Errc::invalid_input,
                  "exhibit list: exhibit {}'s sha256 is not 64 lower-case "
                  "hex digits",
                  i + 1);
    }
  }
  return {};
}

cairo_status_t
append(void* closure, const unsigned char* data, unsigned int length)
{
  try {
    auto* out = static_cast<Bytes*>(closure);
    out->insert(out->end(), data, data + length);
    return CAIRO_STATUS_SUCCESS;
  } catch (...) {
    // Nothing may be thrown through cairo.
    return CAIRO_STATUS_WRITE_ERROR;
  }
}

} // namespace

Result<Bytes>
exhibits_pdf(const ExhibitList& list)
{
  if (auto checked = check(list); !checked) {
    return tl::unexpected(std::move(checked.error()));
  }
  Bytes pdf;
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
    cairo_pdf_surface_create_for_stream(
      append, &pdf, k_page_width, k_page_height),
    cairo_surface_destroy);
  // The dates are the bagging date's, so that the same list gives the same
  // bytes (cairo would write the time of day).
  const std::string when = list.bagging_date + "T00:00:00Z";
  cairo_pdf_surface_set_metadata(
    surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, when.c_str());
  cairo_pdf_surface_set_metadata(
    surface.get(), CAIRO_PDF_METADATA_MOD_DATE, when.c_str());
  const std::string title =
    list.case_reference.empty()
      ? std::string("Exhibit list")
      : printable("Exhibit list, " + list.case_reference);
  cairo_pdf_surface_set_metadata(
    surface.get(), CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(
    surface.get(), CAIRO_PDF_METADATA_CREATOR, "custody");
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> owned(
    cairo_create(surface.get()), cairo_destroy);
  cairo_t* cairo = owned.get();
  {
    const Typesetter type(cairo);
    std::vector<Row> rows;
    rows.reserve(list.exhibits.size());
    for (const auto& exhibit : list.exhibits) {
      rows.push_back(row_of(type, exhibit));
    }
    const Header header = header_of(type);
    const Heading heading = heading_of(type, list);
    const Footer footer = footer_of(type, list);
    const Plan layout = plan(rows, header, heading, footer);

    for (std::size_t page = 0; page < layout.pages; ++page) {
      if (page > 0) {
        cairo_show_page(cairo);
      }
      if (page == 0) {
        double y = k_margin;
        for (const auto& line : heading.lines) {
          show(cairo, line, k_margin, y, k_text);
          y += height_of(line) + 4;
        }
        draw_header(cairo, header, layout.table_top_first);
      } else if (std::any_of(layout.rows.begin(),
                             layout.rows.end(),
                             [&](const Placement& placement) {
                               return placement.page == page;
                             })) {
        draw_header(cairo, header, k_margin);
      }
      for (std::size_t i = 0; i < rows.size(); ++i) {
        if (layout.rows[i].page == page) {
          draw_row(cairo, rows[i], layout.rows[i].top, i % 2 == 1);
        }
      }
      if (page == layout.footer_page) {
        draw_footer(cairo, footer, layout.footer_top);
      }
      draw_folio(cairo, type, list, page, layout.pages);
    }
  }
  if (const auto status = cairo_status(cairo); status != CAIRO_STATUS_SUCCESS) {
    return fail(Errc::internal,
                "drawing the exhibit list: {}",
                cairo_status_to_string(status));
  }
  owned.reset();
  cairo_surface_finish(surface.get());
  if (const auto status = cairo_surface_status(surface.get());
      status != CAIRO_STATUS_SUCCESS) {
    return fail(Errc::internal,
                "writing the exhibit list: {}",
                cairo_status_to_string(status));
  }
  surface.reset();
  return pdf;
}

} // namespace custody::render
