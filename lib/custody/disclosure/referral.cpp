// Police referrals (referral.hpp).
#include <custody/disclosure/disclosure_internal.hpp>
#include <custody/disclosure/referral.hpp>

#include <fmt/core.h>

#include <algorithm>

namespace custody::disclosure {

namespace {

std::string
joined(const json::Json& list)
{
  std::string out;
  for (const auto& item : list) {
    if (item.is_string()) {
      out += (out.empty() ? "" : ", ") + one_line(item.get<std::string>());
    }
  }
  return out;
}

} // namespace

Result<Released<std::string>>
police_referral(const records::RecordView& view,
                const std::optional<records::Places>& places,
                const ReferralOptions& options)
{
  const auto& facts =
    view.parts[records::part_index(vault::Compartment::facts)];
  const auto& aggressor =
    view.parts[records::part_index(vault::Compartment::aggressor)];
  if (!facts || !aggressor) {
    return make_error(Errc::auth,
                      "a police referral reads the facts and aggressor "
                      "compartments, which your keys do not both open");
  }
  const json::Json scopes = facts->value("consent", json::Json::object())
                              .value("scopes", json::Json::array());
  if (std::find(scopes.begin(), scopes.end(), json::Json(k_police_consent))
      == scopes.end()) {
    return make_error(Errc::invalid_input,
                      fmt::format("record {}: the person did not consent to "
                                  "an anonymous police referral "
                                  "(police_anonymous)",
                                  view.id),
                      "a referral goes to the police only with that consent");
  }
  const json::Json part = aggressor->value("aggressor", json::Json::object());
  std::vector<std::string> lines;
  if (auto text = part.value("description", ""); !text.empty()) {
    lines.push_back("- Description: " + one_line(text));
  }
  const json::Json vehicle = part.value("vehicle", json::Json::object());
  std::vector<std::string> about_vehicle;
  for (const char* key : {"colour", "make"}) {
    if (auto text = vehicle.value(key, ""); !text.empty()) {
      about_vehicle.push_back(one_line(text));
    }
  }
  std::string vehicle_line;
  for (const auto& piece : about_vehicle) {
    vehicle_line += (vehicle_line.empty() ? "" : " ") + piece;
  }
  if (auto plate = vehicle.value("plate", ""); !plate.empty()) {
    vehicle_line +=
      (vehicle_line.empty() ? "plate " : ", plate ") + one_line(plate);
  }
  if (!vehicle_line.empty()) {
    lines.push_back("- Vehicle: " + vehicle_line);
  }
  if (auto text = part.value("modus_operandi", ""); !text.empty()) {
    lines.push_back("- How they operated: " + one_line(text));
  }
  if (options.phones) {
    if (auto text = joined(part.value("phones", json::Json::array()));
        !text.empty()) {
      lines.push_back("- Phones used: " + text);
    }
  }
  if (options.handles) {
    if (auto text = joined(part.value("handles", json::Json::array()));
        !text.empty()) {
      lines.push_back("- Online handles used: " + text);
    }
  }
  if (lines.empty()) {
    return make_error(Errc::invalid_input,
                      fmt::format("record {}: nothing about the aggressor "
                                  "was recorded to refer",
                                  view.id));
  }
  const json::Json incident = facts->value("incident", json::Json::object());
  const std::string month = incident.value("month", "");
  std::string area = "an area not named here";
  if (places) {
    auto district = places->districts.find(incident.value("district", ""));
    if (district != places->districts.end()) {
      area = one_line(district->second.region_name);
    }
  }
  std::string text = fmt::format(
    "Anonymous report to the police, from {}\n\n"
    "A person reported to us an incident in {}{}.\n"
    "They asked that their identity not be shared: nothing here identifies "
    "them,\nand we do not pass messages on to them.\n\n"
    "The alleged perpetrator, as reported to us:\n",
    one_line(options.organisation),
    area,
    month.empty() ? std::string() : ", in " + month);
  for (const auto& line : lines) {
    text += line + "\n";
  }
  text += "\nThe time is given to the month and the place to the region "
          "only. These are\nthe words of the report as recorded; they have "
          "not been verified.\n";
  return Releaser::release(std::move(text));
}

} // namespace custody::disclosure
