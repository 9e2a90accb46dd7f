// A sample incident form and its compartments, split by hand (the split itself
// is tested with the schema), for the records, index and readers suites.
#pragma once

#include <custody/records/records.hpp>

#include <string>

namespace custody::test {

inline json::Json
sample_form(const std::string& date, const std::string& district = "harbour")
{
  return json::Json::parse(
    R"({
    "form_version": 1,
    "incident": {"date": ")"
    + date + R"(", "date_approximate": false, "time": "23:40",
                 "district": ")"
    + district + R"(", "violence_types": ["violence.economic.extortion"],
                 "perpetrators": ["perpetrator.state.police"]},
    "person": {"person_ref": "P-1", "population": "transgender", "names": ["Canary-Name-1"]},
    "narrative": {"text": "Canary-Story-1", "language": "en"},
    "aggressor": {"description": "tall, uniform"},
    "response": {"first_contact_at": "2025-03-15T08:10:00+03:00", "actions": []},
    "consent": {"scopes": ["legal_action"]}
  })");
}

// What the schema split gives for sample_form (by hand: the split is tested
// with the schema).
inline records::Parts
sample_parts(const json::Json& form)
{
  records::Parts parts;
  const auto& incident = form["incident"];
  parts[0] = {
    {"incident", {{"date", incident["date"]}, {"time", incident["time"]}}},
    {"person", {{"names", form["person"]["names"]}}},
    {"response", {{"first_contact_at", form["response"]["first_contact_at"]}}}};
  parts[1] = {{"narrative", form["narrative"]}};
  parts[2] = {
    {"form_version", 1},
    {"incident",
     {{"district", incident["district"]},
      {"violence_types", incident["violence_types"]},
      {"perpetrators", incident["perpetrators"]}}},
    {"person", {{"person_ref", "P-1"}, {"population", "transgender"}}},
    {"consent", form["consent"]}};
  parts[3] = {{"aggressor", form["aggressor"]}};
  return parts;
}

} // namespace custody::test
