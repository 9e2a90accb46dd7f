// Safety bulletins' selection (bulletin.hpp).
#include <custody/disclosure/bulletin.hpp>
#include <custody/disclosure/disclosure_internal.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>

namespace custody::disclosure {

namespace {

std::string
quarter_of(const std::string& month)
{
  const int m = std::stoi(month.substr(5, 2));
  return fmt::format("{}-Q{}", month.substr(0, 4), (m - 1) / 3 + 1);
}

std::vector<std::string>
strings(const json::Json& list)
{
  std::vector<std::string> out;
  for (const auto& item : list) {
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    }
  }
  return out;
}

bool
consents(const index::ListRow& row)
{
  return std::find(row.facts.consent.begin(),
                   row.facts.consent.end(),
                   k_bulletin_consent)
         != row.facts.consent.end();
}

} // namespace

Released<BulletinSelection>
select_bulletin(const std::vector<index::ListRow>& rows,
                const std::map<std::string, json::Json>& aggressors,
                const std::optional<records::Places>& places,
                const BulletinOptions& options)
{
  BulletinSelection selection;
  auto region_of =
    [&](const std::string& district) -> std::optional<std::string> {
    if (!places) {
      return std::nullopt;
    }
    auto found = places->districts.find(district);
    if (found == places->districts.end()) {
      return std::nullopt;
    }
    return found->second.region_name;
  };
  auto in_period = [&](const std::string& month) {
    return month.size() == 7 && month >= options.from && month <= options.to;
  };
  // Distinct persons of the consenting reports, by region and window.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> persons;
  for (const auto& row : rows) {
    const auto region = region_of(row.facts.district);
    if (!consents(row) || !region || row.facts.month.size() != 7) {
      continue;
    }
    const std::string& person =
      row.facts.person_ref.empty() ? row.id : row.facts.person_ref;
    persons[{*region, row.facts.month}].insert(person);
    persons[{*region, quarter_of(row.facts.month)}].insert(person);
    if (in_period(row.facts.month)) {
      persons[{*region, "period"}].insert(person);
    }
  }
  auto holds = [&](const std::string& region, const std::string& window) {
    auto found = persons.find({region, window});
    return found != persons.end() && found->second.size() >= options.k;
  };
  for (const auto& row : rows) {
    const auto region = region_of(row.facts.district);
    auto aggressor = aggressors.find(row.id);
    if (!consents(row) || !region || aggressor == aggressors.end()) {
      continue;
    }
    const json::Json& part = aggressor->second;
    BulletinReport report;
    report.record = row.id;
    report.region = one_line(*region);
    report.description = one_line(part.value("description", ""));
    const json::Json vehicle = part.value("vehicle", json::Json::object());
    for (const char* key : {"colour", "make"}) {
      if (auto text = one_line(vehicle.value(key, "")); !text.empty()) {
        report.vehicle += (report.vehicle.empty() ? "" : " ") + text;
      }
    }
    report.plate = one_line(vehicle.value("plate", ""));
    report.modus_operandi = one_line(part.value("modus_operandi", ""));
    report.phones = strings(part.value("phones", json::Json::array()));
    report.handles = strings(part.value("handles", json::Json::array()));
    if (report.description.empty() && report.vehicle.empty()
        && report.plate.empty() && report.modus_operandi.empty()) {
      continue;
    }
    const bool old_enough = row.created_time <= options.entered_by;
    if (old_enough) {
      selection.reports.push_back(report);
    }
    if (!in_period(row.facts.month)) {
      continue;
    }
    if (!old_enough) {
      ++selection.too_recent;
      continue;
    }
    if (holds(report.region, row.facts.month)) {
      report.window = row.facts.month;
    } else if (holds(report.region, quarter_of(row.facts.month))) {
      report.window = quarter_of(row.facts.month);
    } else if (holds(report.region, "period")) {
      report.window = fmt::format("{} to {}", options.from, options.to);
    } else {
      ++selection.withheld;
      continue;
    }
    selection.items.push_back(std::move(report));
  }
  std::sort(
    selection.items.begin(),
    selection.items.end(),
    [](const BulletinReport& a, const BulletinReport& b) {
      return std::tie(a.region, a.window, a.plate, a.description, a.record)
             < std::tie(b.region, b.window, b.plate, b.description, b.record);
    });
  return Releaser::release(std::move(selection));
}

} // namespace custody::disclosure
