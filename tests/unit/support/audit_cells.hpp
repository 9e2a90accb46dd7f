// The cells of disclosure audit problems, for the audit's tests.
#pragma once

#include <custody/disclosure/audit.hpp>

#include <cstdint>
#include <utility>
#include <vector>

namespace custody::test {

inline disclosure::AuditCell
published(std::vector<std::uint32_t> variables,
          std::uint64_t value,
          std::uint64_t slack = 0)
{
  disclosure::AuditCell cell;
  cell.variables = std::move(variables);
  cell.value = value;
  cell.slack = slack;
  return cell;
}

inline disclosure::AuditCell
suppressed(std::vector<std::uint32_t> variables, bool primary = true)
{
  disclosure::AuditCell cell;
  cell.variables = std::move(variables);
  cell.suppressed = true;
  cell.primary = primary;
  return cell;
}

} // namespace custody::test
