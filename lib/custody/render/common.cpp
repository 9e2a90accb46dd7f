// What the workbook and the chart share (render_internal.hpp).
#include <custody/render/render_internal.hpp>

#include <fmt/core.h>

namespace custody::render::detail {

Result<void>
check_input(const Labels& labels, const disclosure::PublishedTable& table)
{
  if (!labels.row || !labels.column || !labels.row_heading) {
    return make_error(Errc::internal,
                      "render: the row, column and row heading labels are "
                      "required",
                      "");
  }
  if (table.rows.empty() || table.columns.empty()
      || table.cells.size() != table.rows.size() * table.columns.size()) {
    return make_error(Errc::internal,
                      fmt::format("render: table {} has {} cells for {} rows "
                                  "and {} columns",
                                  table.spec.id,
                                  table.cells.size(),
                                  table.rows.size(),
                                  table.columns.size()),
                      "");
  }
  return {};
}

} // namespace custody::render::detail
