// The chart of one table (release.hpp), drawn with cairo: a PNG from cairo's
// image surface, an SVG written here, with the text as text (searchable,
// editable, read by screen readers), laid out with cairo's font metrics.
#include <custody/base/utf8.hpp>
#include <custody/render/release.hpp>
#include <custody/render/render_internal.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/core.h>

#include <cairo.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numbers>

namespace custody::render {

namespace {

using detail::cell_at;

struct Colour
{
  int r = 0;
  int g = 0;
  int b = 0;
};

constexpr Colour k_black{0, 0, 0};
constexpr Colour k_text{34, 34, 34};
constexpr Colour k_muted{90, 90, 90};
constexpr Colour k_grid{222, 222, 222};
constexpr Colour k_hatch{120, 120, 120};
// Okabe and Ito's palette, told apart with any colour vision; yellow last, as
// it is faint on white.
constexpr std::array<Colour, 8> k_palette{{{0, 114, 178},
                                           {230, 159, 0},
                                           {0, 158, 115},
                                           {204, 121, 167},
                                           {86, 180, 233},
                                           {213, 94, 0},
                                           {110, 110, 110},
                                           {240, 228, 66}}};

constexpr const char* k_font = "DejaVu Sans";
constexpr const char* k_svg_font = "DejaVu Sans, Verdana, Arial, sans-serif";

struct Font
{
  double size = 13;
  bool bold = false;
};

enum class Anchor { start, middle, end };

// Text widths by cairo's metrics, for both outputs.
class Metrics
{
public:
  Metrics()
    : m_surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1),
                cairo_surface_destroy),
      m_cairo(cairo_create(m_surface.get()), cairo_destroy)
  {
  }
  double
  width(const std::string& text, Font font) const
  {
    select(m_cairo.get(), font);
    cairo_text_extents_t extents{};
    cairo_text_extents(m_cairo.get(), text.c_str(), &extents);
    return extents.x_advance;
  }
  static void
  select(cairo_t* cairo, Font font)
  {
    cairo_select_font_face(cairo,
                           k_font,
                           CAIRO_FONT_SLANT_NORMAL,
                           font.bold ? CAIRO_FONT_WEIGHT_BOLD
                                     : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cairo, font.size);
  }

private:
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> m_surface;
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> m_cairo;
};

// What a chart is drawn with: the two outputs implement it.
class Canvas
{
public:
  Canvas() = default;
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;
  virtual ~Canvas() = default;
  virtual void
  fill_rect(double x, double y, double w, double h, Colour fill) = 0;
  // A suppressed bar: hatched grey, outlined in its series' colour, dashed.
  virtual void
  suppressed_rect(double x, double y, double w, double h, Colour outline) = 0;
  virtual void line(double x1,
                    double y1,
                    double x2,
                    double y2,
                    Colour colour,
                    double width) = 0;
  // `y` is the baseline; `angle` in degrees, clockwise, about (x, y).
  virtual void text(double x,
                    double y,
                    const std::string& text,
                    Font font,
                    Anchor anchor,
                    Colour colour,
                    double angle = 0) = 0;
};

class CairoCanvas final : public Canvas
{
public:
  CairoCanvas(cairo_t* cairo, const Metrics& metrics)
    : m_cairo(cairo),
      m_metrics(metrics)
  {
  }
  void
  fill_rect(double x, double y, double w, double h, Colour fill) override
  {
    set(fill);
    cairo_rectangle(m_cairo, x, y, w, h);
    cairo_fill(m_cairo);
  }
  void
  suppressed_rect(
    double x, double y, double w, double h, Colour outline) override
  {
    cairo_save(m_cairo);
    set({255, 255, 255});
    cairo_rectangle(m_cairo, x, y, w, h);
    cairo_fill_preserve(m_cairo);
    cairo_clip(m_cairo);
    set(k_hatch);
    cairo_set_line_width(m_cairo, 1.5);
    // Hatching 7 px apart, counted in whole steps.
    const int lines = static_cast<int>(std::ceil((w + 2 * h) / 7));
    for (int k = 0; k < lines; ++k) {
      const double d = -h + 7.0 * k;
      cairo_move_to(m_cairo, x + d, y + h);
      cairo_line_to(m_cairo, x + d + h, y);
    }
    cairo_stroke(m_cairo);
    cairo_reset_clip(m_cairo);
    set(outline);
    cairo_set_line_width(m_cairo, 2);
    const std::array<double, 2> dashes{5, 3};
    cairo_set_dash(m_cairo, dashes.data(), 2, 0);
    cairo_rectangle(
      m_cairo, x + 1, y + 1, std::max(0.0, w - 2), std::max(0.0, h - 2));
    cairo_stroke(m_cairo);
    cairo_restore(m_cairo);
  }
  void
  line(double x1, double y1, double x2, double y2, Colour colour, double width)
    override
  {
    set(colour);
    cairo_set_line_width(m_cairo, width);
    cairo_move_to(m_cairo, x1, y1);
    cairo_line_to(m_cairo, x2, y2);
    cairo_stroke(m_cairo);
  }
  void
  text(double x,
       double y,
       const std::string& text,
       Font font,
       Anchor anchor,
       Colour colour,
       double angle) override
  {
    const double width = m_metrics.width(text, font);
    const double shift = anchor == Anchor::start
                           ? 0
                           : (anchor == Anchor::middle ? width / 2 : width);
    cairo_save(m_cairo);
    Metrics::select(m_cairo, font);
    set(colour);
    cairo_translate(m_cairo, x, y);
    cairo_rotate(m_cairo, angle * std::numbers::pi / 180);
    cairo_move_to(m_cairo, -shift, 0);
    cairo_show_text(m_cairo, text.c_str());
    cairo_restore(m_cairo);
  }

private:
  void
  set(Colour colour)
  {
    cairo_set_source_rgb(
      m_cairo, colour.r / 255.0, colour.g / 255.0, colour.b / 255.0);
  }
  cairo_t* m_cairo;
  const Metrics& m_metrics;
};

std::string
hex(Colour colour)
{
  return fmt::format("#{:02x}{:02x}{:02x}", colour.r, colour.g, colour.b);
}

class SvgCanvas final : public Canvas
{
public:
  SvgCanvas(const std::string& title, int width, int height)
  {
    m_out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"{2}\">\n"
      "<title>{3}</title>\n"
      "<defs><pattern id=\"suppressed\" width=\"7\" height=\"7\" "
      "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
      "<rect width=\"7\" height=\"7\" fill=\"#ffffff\"/>"
      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"7\" stroke=\"{4}\" "
      "stroke-width=\"1.5\"/>"
      "</pattern></defs>\n",
      width,
      height,
      k_svg_font,
      utf8::escape_markup(title),
      hex(k_hatch));
  }
  void
  fill_rect(double x, double y, double w, double h, Colour fill) override
  {
    m_out += fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
      "fill=\"{}\"/>\n",
      x,
      y,
      w,
      h,
      hex(fill));
  }
  void
  suppressed_rect(
    double x, double y, double w, double h, Colour outline) override
  {
    m_out += fmt::format(
      "<rect class=\"suppressed\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" "
      "height=\"{:.1f}\" fill=\"url(#suppressed)\" stroke=\"{}\" "
      "stroke-width=\"2\" stroke-dasharray=\"5 3\"/>\n",
      x + 1,
      y + 1,
      std::max(0.0, w - 2),
      std::max(0.0, h - 2),
      hex(outline));
  }
  void
  line(double x1, double y1, double x2, double y2, Colour colour, double width)
    override
  {
    m_out += fmt::format(
      "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
      "stroke=\"{}\" stroke-width=\"{:.1f}\"/>\n",
      x1,
      y1,
      x2,
      y2,
      hex(colour),
      width);
  }
  void
  text(double x,
       double y,
       const std::string& text,
       Font font,
       Anchor anchor,
       Colour colour,
       double angle) override
  {
    const char* anchors[] = {"start", "middle", "end"};
    std::string rotation;
    if (angle != 0) {
      rotation =
        fmt::format(" transform=\"rotate({:.1f} {:.1f} {:.1f})\"", angle, x, y);
    }
    m_out +=
      fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"{:.1f}\"{} "
                  "text-anchor=\"{}\" fill=\"{}\"{}>{}</text>\n",
                  x,
                  y,
                  font.size,
                  font.bold ? " font-weight=\"bold\"" : "",
                  anchors[static_cast<int>(anchor)],
                  hex(colour),
                  rotation,
                  utf8::escape_markup(text));
  }
  std::string
  finish()
  {
    return std::move(m_out) + "</svg>\n";
  }

private:
  std::string m_out;
};

// `text` broken after any of `breaks` into lines no wider than `width` where
// it can be (a piece wider than the line stays whole).
std::vector<std::string>
break_after(const std::string& text,
            std::string_view breaks,
            double width,
            Font font,
            const Metrics& metrics)
{
  std::vector<std::string> pieces;
  std::string piece;
  for (char c : text) {
    piece += c;
    if (breaks.find(c) != std::string_view::npos) {
      pieces.push_back(std::move(piece));
      piece.clear();
    }
  }
  if (!piece.empty()) {
    pieces.push_back(std::move(piece));
  }
  auto trimmed = [](std::string line) {
    while (!line.empty() && line.back() == ' ') {
      line.pop_back();
    }
    return line;
  };
  std::vector<std::string> lines;
  std::string current;
  for (const auto& next : pieces) {
    if (current.empty()
        || metrics.width(trimmed(current + next), font) <= width) {
      current += next;
      continue;
    }
    lines.push_back(trimmed(current));
    current = next;
  }
  if (!current.empty()) {
    lines.push_back(trimmed(current));
  }
  return lines;
}

// `text` in lines no wider than `width`: broken after a space, a dot, a
// hyphen or a slash (a code such as violence.sexual.rape at its dots), then,
// for a word still too wide, after an underscore, and only then between
// characters (UTF-8 aware).
std::vector<std::string>
wrap(const std::string& text, double width, Font font, const Metrics& metrics)
{
  std::vector<std::string> out;
  for (const auto& line : break_after(text, " .-/", width, font, metrics)) {
    for (const auto& part : break_after(line, "_", width, font, metrics)) {
      if (metrics.width(part, font) <= width) {
        out.push_back(part);
        continue;
      }
      std::string cut;
      for (std::size_t i = 0; i < part.size();) {
        std::size_t length = 1;
        while (i + length < part.size() && (part[i + length] & 0xC0) == 0x80) {
          ++length;
        }
        const std::string character = part.substr(i, length);
        if (!cut.empty() && metrics.width(cut + character, font) > width) {
          out.push_back(cut);
          cut.clear();
        }
        cut += character;
        i += length;
      }
      out.push_back(cut);
    }
  }
  return out;
}

// `text` cut to `width` with an ellipsis.
std::string
fit(const std::string& text, double width, Font font, const Metrics& metrics)
{
  if (metrics.width(text, font) <= width) {
    return text;
  }
  std::string cut = text;
  while (!cut.empty() && metrics.width(cut + "\u2026", font) > width) {
    // One whole character off the end: its continuation bytes, then its lead.
    while (!cut.empty() && (cut.back() & 0xC0) == 0x80) {
      cut.pop_back();
    }
    if (!cut.empty()) {
      cut.pop_back();
    }
  }
  return cut + "\u2026";
}

// `text` cut to `width` in its middle, with an ellipsis, keeping as much of
// its end as of its start.
std::string
fit_middle(const std::string& text,
           double width,
           Font font,
           const Metrics& metrics)
{
  if (metrics.width(text, font) <= width) {
    return text;
  }
  // Code points, so that a cut never splits one.
  std::vector<std::string> characters;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = 1;
    while (i + length < text.size() && (text[i + length] & 0xC0) == 0x80) {
      ++length;
    }
    characters.push_back(text.substr(i, length));
    i += length;
  }
  for (std::size_t keep = characters.size(); keep > 0; --keep) {
    const std::size_t head = (keep + 1) / 2;
    const std::size_t tail = keep / 2;
    std::string cut;
    for (std::size_t i = 0; i < head; ++i) {
      cut += characters[i];
    }
    cut += "\u2026";
    for (std::size_t i = characters.size() - tail; i < characters.size(); ++i) {
      cut += characters[i];
    }
    if (metrics.width(cut, font) <= width) {
      return cut;
    }
  }
  return "\u2026";
}

// A step of 1, 2 or 5 times a power of ten, for about five gridlines; counts
// are whole, so never below 1.
double
nice_step(double top)
{
  const double rough = std::max(1.0, top / 5);
  const double power = std::pow(10, std::floor(std::log10(rough)));
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    if (factor * power >= rough) {
      return factor * power;
    }
  }
  return 10 * power;
}

struct Series
{
  std::size_t column = 0;
  std::string label;
  Colour colour;
};

struct LegendEntry
{
  std::string label;
  Colour colour;
  bool suppressed = false;
};

constexpr double k_margin = 28;
constexpr Font k_title_font{21, true};
constexpr Font k_legend_font{13, false};
constexpr Font k_axis_title_font{14, true};
constexpr Font k_tick_font{12, false};
constexpr Font k_value_font{11, false};
constexpr Font k_token_font{14, true};
// A suppressed bar's height, the same for every one: never a value.
constexpr double k_suppressed_height = 34;

void
draw_chart(Canvas& canvas,
           const Metrics& metrics,
           const disclosure::PublishedTable& table,
           const Labels& labels,
           double width,
           double height)
{
  canvas.fill_rect(0, 0, width, height, {255, 255, 255});
  const double inner = width - 2 * k_margin;

  // The title, in at most two lines.
  double y = k_margin;
  auto title_lines = wrap(table.spec.title, inner, k_title_font, metrics);
  if (title_lines.size() > 2) {
    title_lines.resize(2);
    title_lines[1] =
      fit(title_lines[1] + " \u2026", inner, k_title_font, metrics);
  }
  for (const auto& line : title_lines) {
    y += k_title_font.size;
    canvas.text(k_margin, y, line, k_title_font, Anchor::start, k_text);
    y += 6;
  }
  y += 10;

  const auto rows = detail::plotted(table.rows, false);
  const auto columns = detail::plotted(table.columns, true);
  std::vector<Series> series;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    series.push_back({columns[i],
                      labels.column(table, columns[i]),
                      k_palette[i % k_palette.size()]});
  }
  bool any_suppressed = false;
  double top_value = 0;
  for (const auto r : rows) {
    for (const auto& s : series) {
      const auto& cell = cell_at(table, r, s.column);
      any_suppressed = any_suppressed || !cell;
      if (cell) {
        top_value = std::max(top_value, static_cast<double>(*cell));
      }
    }
  }

  // The legend, in lines under the title: its title, a swatch a series, and
  // what a hatched bar means.
  std::vector<LegendEntry> entries;
  entries.reserve(series.size() + 1);
  for (const auto& s : series) {
    entries.push_back({s.label, s.colour, false});
  }
  if (any_suppressed) {
    entries.push_back(
      {std::string(k_token_note) + " (the bar's height is not a count)",
       k_muted,
       true});
  }
  const std::string legend_title =
    table.spec.columns ? detail::optional_label(labels.column_heading, table)
                       : std::string();
  constexpr double k_swatch = 14;
  double x = k_margin;
  y += k_legend_font.size;
  if (!legend_title.empty()) {
    const Font bold{k_legend_font.size, true};
    const std::string text = fit(legend_title + ":", inner / 3, bold, metrics);
    canvas.text(x, y, text, bold, Anchor::start, k_text);
    x += metrics.width(text, bold) + 12;
  }
  for (const auto& entry : entries) {
    const std::string text =
      fit(entry.label, inner - k_swatch - 8, k_legend_font, metrics);
    const double entry_width =
      k_swatch + 6 + metrics.width(text, k_legend_font) + 22;
    if (x > k_margin && x + entry_width > width - k_margin) {
      x = k_margin;
      y += k_legend_font.size + 10;
    }
    if (entry.suppressed) {
      canvas.suppressed_rect(
        x, y - k_swatch + 2, k_swatch + 4, k_swatch + 2, entry.colour);
    } else {
      canvas.fill_rect(x, y - k_swatch + 2, k_swatch, k_swatch, entry.colour);
    }
    canvas.text(
      x + k_swatch + 8, y, text, k_legend_font, Anchor::start, k_text);
    x += entry_width;
  }
  y += 22;

  if (rows.empty()) {
    canvas.text(width / 2,
                height / 2,
                "Nothing to show: the table has no rows",
                k_axis_title_font,
                Anchor::middle,
                k_muted);
    return;
  }

  // The vertical scale, with room above the highest bar for its label.
  // Room above the highest bar for its label: the top gridline at least 6%
  // above it.
  const double step = nice_step(top_value * 1.06);
  const double top = std::max(step, step * std::ceil(top_value * 1.06 / step));
  const int tick_count = static_cast<int>(std::floor(top / step + 0.5)) + 1;
  std::vector<std::string> ticks;
  ticks.reserve(static_cast<std::size_t>(tick_count));
  for (int k = 0; k < tick_count; ++k) {
    ticks.push_back(fmt::format("{:.0f}", step * k));
  }
  double tick_width = 0;
  for (const auto& tick : ticks) {
    tick_width = std::max(tick_width, metrics.width(tick, k_tick_font));
  }
  const std::string value_heading =
    detail::optional_label(labels.value_heading, table);
  const double axis_left =
    k_margin + (value_heading.empty() ? 0 : k_axis_title_font.size + 12)
    + tick_width + 10;
  double left = axis_left;
  const double right = width - k_margin;
  const double plot_top = y + 18;
  double group_width = (right - left) / static_cast<double>(rows.size());

  // The categories: wrapped under their group in up to three lines, or, when
  // they will not fit so, slanted, cut in the middle if they must be (a code's
  // head and its most specific part both stay).
  Font category_font{13, false};
  std::vector<std::vector<std::string>> category_lines;
  std::size_t most_lines = 0;
  for (const Font font : {Font{13, false}, Font{12, false}, Font{11, false}}) {
    category_font = font;
    category_lines.clear();
    most_lines = 0;
    for (const auto r : rows) {
      category_lines.push_back(
        wrap(labels.row(table, r), group_width - 8, font, metrics));
      most_lines = std::max(most_lines, category_lines.back().size());
    }
    if (most_lines <= 3) {
      break;
    }
  }
  const bool slanted = most_lines > 3;
  constexpr double k_slant = 40;
  const double cos_slant = std::cos(k_slant * std::numbers::pi / 180);
  const double sin_slant = std::sin(k_slant * std::numbers::pi / 180);
  constexpr double k_slant_room = 270;
  std::vector<std::string> slanted_labels;
  double category_height = 0;
  if (slanted) {
    category_font = Font{11, false};
    double longest = 0;
    for (const auto r : rows) {
      slanted_labels.push_back(
        fit_middle(labels.row(table, r), k_slant_room, category_font, metrics));
      longest =
        std::max(longest, metrics.width(slanted_labels.back(), category_font));
    }
    // The first label runs down to the left of its group: move the plot right
    // until it starts inside the picture (at most a quarter of the width).
    for (int pass = 0; pass < 2; ++pass) {
      const double needed = k_margin + longest * cos_slant - group_width / 2;
      left = std::clamp(needed, axis_left, std::max(axis_left, width / 4));
      group_width = (right - left) / static_cast<double>(rows.size());
    }
    for (std::size_t g = 0; g < rows.size(); ++g) {
      const double end =
        left + (static_cast<double>(g) + 0.5) * group_width + 4;
      slanted_labels[g] = fit_middle(slanted_labels[g],
                                     (end - k_margin / 2) / cos_slant,
                                     category_font,
                                     metrics);
    }
    category_height = longest * sin_slant + category_font.size + 8;
  } else {
    category_height =
      static_cast<double>(most_lines) * (category_font.size + 3) + 8;
  }
  const std::string row_heading = labels.row_heading(table);
  const double plot_bottom =
    height - k_margin - (row_heading.empty() ? 0 : k_axis_title_font.size + 12)
    - category_height;
  const double plot_height = plot_bottom - plot_top;
  auto y_of = [&](double value) {
    return plot_bottom - value / top * plot_height;
  };

  // Gridlines and the vertical axis's numbers and title.
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    const double ty = y_of(static_cast<double>(i) * step);
    if (i > 0) {
      canvas.line(left, ty, right, ty, k_grid, 1);
    }
    canvas.text(left - 8,
                ty + k_tick_font.size / 3,
                ticks[i],
                k_tick_font,
                Anchor::end,
                k_muted);
  }
  if (!value_heading.empty()) {
    canvas.text(left - 10 - tick_width - 8,
                (plot_top + plot_bottom) / 2,
                fit(value_heading, plot_height, k_axis_title_font, metrics),
                k_axis_title_font,
                Anchor::middle,
                k_text,
                -90);
  }

  // The bars: published ones to their count, with the count above; suppressed
  // ones hatched, of one height, with the token above.
  const double bars_width = group_width * (series.size() == 1 ? 0.6 : 0.82);
  const double bar_width = bars_width / static_cast<double>(series.size());
  double widest_value = 0;
  for (const auto r : rows) {
    for (const auto& s : series) {
      if (const auto& cell = cell_at(table, r, s.column)) {
        widest_value = std::max(
          widest_value, metrics.width(std::to_string(*cell), k_value_font));
      }
    }
  }
  const bool value_labels = widest_value <= bar_width + 6;
  for (std::size_t g = 0; g < rows.size(); ++g) {
    const double group_left = left + static_cast<double>(g) * group_width;
    const double first_bar = group_left + (group_width - bars_width) / 2;
    for (std::size_t i = 0; i < series.size(); ++i) {
      const double bx = first_bar + static_cast<double>(i) * bar_width;
      const double inset = bar_width > 6 ? 1 : 0;
      const double centre = bx + bar_width / 2;
      const auto& cell = cell_at(table, rows[g], series[i].column);
      if (cell) {
        const double by = y_of(static_cast<double>(*cell));
        canvas.fill_rect(bx + inset,
                         by,
                         bar_width - 2 * inset,
                         plot_bottom - by,
                         series[i].colour);
        if (value_labels) {
          canvas.text(centre,
                      by - 4,
                      std::to_string(*cell),
                      k_value_font,
                      Anchor::middle,
                      k_text);
        }
      } else {
        const double by = plot_bottom - k_suppressed_height;
        canvas.suppressed_rect(bx + inset,
                               by,
                               bar_width - 2 * inset,
                               k_suppressed_height,
                               series[i].colour);
        canvas.text(centre,
                    by - 5,
                    std::string(k_token),
                    k_token_font,
                    Anchor::middle,
                    k_text);
      }
    }
    // The category's label under its group.
    if (slanted) {
      const double cx = group_left + group_width / 2;
      canvas.text(cx + 4,
                  plot_bottom + category_font.size + 4,
                  slanted_labels[g],
                  category_font,
                  Anchor::end,
                  k_text,
                  -k_slant);
    } else {
      double ly = plot_bottom + 4;
      for (const auto& line : category_lines[g]) {
        ly += category_font.size + 3;
        canvas.text(group_left + group_width / 2,
                    ly,
                    line,
                    category_font,
                    Anchor::middle,
                    k_text);
      }
    }
  }
  canvas.line(left, plot_bottom, right, plot_bottom, k_black, 1.2);
  canvas.line(left, plot_top, left, plot_bottom, k_black, 1.2);
  if (!row_heading.empty()) {
    canvas.text((left + right) / 2,
                height - k_margin,
                fit(row_heading, right - left, k_axis_title_font, metrics),
                k_axis_title_font,
                Anchor::middle,
                k_text);
  }
}

cairo_status_t
append_png(void* closure, const unsigned char* data, unsigned int length)
{
  auto* out = static_cast<Bytes*>(closure);
  out->insert(out->end(), data, data + length);
  return CAIRO_STATUS_SUCCESS;
}

Result<Bytes>
png_of(const disclosure::PublishedTable& table,
       const Labels& labels,
       const Metrics& metrics)
{
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
    cairo_image_surface_create(
      CAIRO_FORMAT_RGB24, k_chart_width, k_chart_height),
    cairo_surface_destroy);
  std::unique_ptr<cairo_t, decltype(&cairo_destroy)> cairo(
    cairo_create(surface.get()), cairo_destroy);
  {
    CairoCanvas canvas(cairo.get(), metrics);
    draw_chart(canvas, metrics, table, labels, k_chart_width, k_chart_height);
  }
  if (const auto status = cairo_status(cairo.get());
      status != CAIRO_STATUS_SUCCESS) {
    return make_error(
      Errc::internal,
      fmt::format("drawing the chart: {}", cairo_status_to_string(status)),
      "");
  }
  cairo_surface_flush(surface.get());
  Bytes png;
  const auto status =
    cairo_surface_write_to_png_stream(surface.get(), append_png, &png);
  if (status != CAIRO_STATUS_SUCCESS) {
    return make_error(
      Errc::internal,
      fmt::format("encoding the chart: {}", cairo_status_to_string(status)),
      "");
  }
  return png;
}

std::string
lower(std::string text)
{
  for (auto& c : text) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return text;
}

} // namespace

Result<void>
write_chart(const disclosure::Released<disclosure::StatsRelease>& release,
            const std::string& table_id,
            const Labels& labels,
            const std::filesystem::path& file)
{
  const std::string extension = lower(file.extension().string());
  if (extension != ".png" && extension != ".svg") {
    return make_error(Errc::usage,
                      fmt::format("a chart is written as PNG or SVG, not {}",
                                  file.filename().string()),
                      "name the file with .png or .svg");
  }
  const auto found = std::find_if(
    release->tables.begin(),
    release->tables.end(),
    [&](const disclosure::PublishedTable& t) { return t.spec.id == table_id; });
  if (found == release->tables.end()) {
    std::string ids;
    for (const auto& table : release->tables) {
      ids += (ids.empty() ? "" : ", ") + table.spec.id;
    }
    return make_error(Errc::invalid_input,
                      fmt::format("the release has no table {}", table_id),
                      ids.empty() ? std::string("the release has no tables")
                                  : fmt::format("its tables are {}", ids));
  }
  CUSTODY_TRY(detail::check_input(labels, *found));
  const Metrics metrics;
  if (extension == ".png") {
    CUSTODY_ASSIGN(png, png_of(*found, labels, metrics));
    return fs::write_file_atomic(file, png);
  }
  SvgCanvas canvas(found->spec.title, k_chart_width, k_chart_height);
  draw_chart(canvas, metrics, *found, labels, k_chart_width, k_chart_height);
  const std::string svg = canvas.finish();
  return fs::write_file_atomic(file, as_bytes(svg));
}

} // namespace custody::render
