// What the workbook and the chart share (private to render/).
#pragma once

#include <custody/render/release.hpp>
#include <custody/stats/table.hpp>

#include <optional>

namespace custody::render::detail {

inline bool
is_total(const std::string& value)
{
  return value == stats::k_total;
}

// The rows or columns a chart plots: every value but the total; a table
// without columns plots its one column, the total.
inline std::vector<std::size_t>
plotted(const std::vector<std::string>& values, bool keep_lone_total)
{
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!is_total(values[i])) {
      out.push_back(i);
    }
  }
  if (out.empty() && keep_lone_total && values.size() == 1) {
    out.push_back(0);
  }
  return out;
}

inline const std::optional<std::uint64_t>&
cell_at(const disclosure::PublishedTable& table,
        std::size_t row,
        std::size_t column)
{
  return table.cells[row * table.columns.size() + column];
}

// A label from an optional function: empty when cmd/ gave none.
inline std::string
optional_label(
  const std::function<std::string(const disclosure::PublishedTable&)>& label,
  const disclosure::PublishedTable& table)
{
  return label ? label(table) : std::string();
}

// Errc::internal unless the three required labels are given and the table's
// cells match its rows and columns.
[[nodiscard]] Result<void> check_input(const Labels& labels,
                                       const disclosure::PublishedTable& table);

} // namespace custody::render::detail
