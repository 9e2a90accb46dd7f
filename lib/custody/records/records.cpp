// Records: derived coarse fields, payload documents, and parallel batch
// writing.
#include <custody/base/parallel.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/store.hpp>
#include <custody/records/receipt.hpp>
#include <custody/records/records.hpp>

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <set>
#include <thread>

namespace custody::records {

namespace {

using namespace std::chrono;

struct IncidentDate
{
  int year = 0;
  unsigned month = 0; // 0 when unknown
  unsigned day = 0;   // 0 when unknown
};

bool
parse_number(std::string_view text, int& out)
{
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// "YYYY", "YYYY-MM" or "YYYY-MM-DD" (the schema checked the shape).
Result<IncidentDate>
parse_incident_date(std::string_view text)
{
  IncidentDate date;
  int month = 0;
  int day = 0;
  if (text.size() < 4 || !parse_number(text.substr(0, 4), date.year)
      || (text.size() >= 7 && !parse_number(text.substr(5, 2), month))
      || (text.size() == 10 && !parse_number(text.substr(8, 2), day))
      || (text.size() != 4 && text.size() != 7 && text.size() != 10)) {
    return make_error(Errc::invalid_input,
                      "incident.date is not YYYY, YYYY-MM or YYYY-MM-DD");
  }
  date.month = static_cast<unsigned>(month);
  date.day = static_cast<unsigned>(day);
  if (date.day != 0
      && !year_month_day(year(date.year),
                         std::chrono::month(date.month),
                         std::chrono::day(date.day))
            .ok()) {
    return make_error(Errc::invalid_input,
                      "incident.date is not a calendar date");
  }
  return date;
}

// RFC 3339 with an offset ("2025-03-15T08:10:00+03:00" or "...Z"): the UTC
// instant and the offset.
struct Instant
{
  sys_seconds utc;
  minutes offset{0};
};

Result<Instant>
parse_rfc3339(std::string_view text)
{
  int y = 0;
  int mo = 0;
  int d = 0;
  int h = 0;
  int mi = 0;
  int s = 0;
  auto bad = [] {
    return make_error(
      Errc::invalid_input,
      "response.first_contact_at is not an RFC 3339 time with an offset");
  };
  if (text.size() < 20 || !parse_number(text.substr(0, 4), y)
      || !parse_number(text.substr(5, 2), mo)
      || !parse_number(text.substr(8, 2), d)
      || !parse_number(text.substr(11, 2), h)
      || !parse_number(text.substr(14, 2), mi)
      || !parse_number(text.substr(17, 2), s)) {
    return bad();
  }
  std::string_view zone = text.substr(19);
  if (!zone.empty() && zone.front() == '.') { // fractional seconds: ignored
    const auto end = zone.find_first_not_of("0123456789", 1);
    zone =
      end == std::string_view::npos ? std::string_view{} : zone.substr(end);
  }
  minutes offset{0};
  if (zone == "Z" || zone == "z") {
    offset = minutes(0);
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-')
             && zone[3] == ':') {
    int oh = 0;
    int om = 0;
    if (!parse_number(zone.substr(1, 2), oh)
        || !parse_number(zone.substr(4, 2), om)) {
      return bad();
    }
    offset = minutes(oh * 60 + om) * (zone[0] == '-' ? -1 : 1);
  } else {
    return bad();
  }
  const year_month_day date{
    year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!date.ok()) {
    return bad();
  }
  const sys_seconds local =
    sys_days(date) + hours(h) + minutes(mi) + seconds(s);
  return Instant{local - offset, offset};
}

std::string
iso_week(const year_month_day& date)
{
  const sys_days d(date);
  const unsigned iso_weekday =
    weekday(d).iso_encoding(); // Monday 1 .. Sunday 7
  const sys_days thursday = d + days(4 - static_cast<int>(iso_weekday));
  const year week_year = year_month_day(thursday).year();
  const auto week =
    (thursday - sys_days(week_year / January / 1)).count() / 7 + 1;
  return fmt::format("{:04}-W{:02}", static_cast<int>(week_year), week);
}

json::Json&
object_at(json::Json& parent, const char* key)
{
  if (!parent.contains(key) || !parent[key].is_object()) {
    parent[key] = json::Json::object();
  }
  return parent[key];
}

} // namespace

std::size_t
part_index(vault::Compartment compartment)
{
  for (std::size_t i = 0; i < k_part_count; ++i) {
    if (k_parts[i] == compartment) {
      return i;
    }
  }
  throw std::logic_error("not a record compartment");
}

Result<Places>
Places::parse(std::string_view yaml_text)
{
  Places places;
  try {
    const YAML::Node root = YAML::Load(std::string(yaml_text));
    std::map<std::string, std::string> regions;
    for (const auto& region : root["regions"]) {
      regions[region["code"].as<std::string>()] =
        region["name"].as<std::string>();
    }
    for (const auto& district : root["districts"]) {
      const auto code = district["code"].as<std::string>();
      const auto region = district["region"].as<std::string>();
      if (!regions.contains(region)) {
        return fail(Errc::invalid_input,
                    "places: district {} names unknown region {}",
                    code,
                    region);
      }
      places.districts[code] =
        District{district["name"].as<std::string>(), region, regions[region]};
    }
  } catch (const YAML::Exception& e) {
    return fail(Errc::invalid_input,
                "places: line {}: {}",
                e.mark.line + 1,
                e.msg.empty() ? "expected {regions: [{code, name}], districts: "
                                "[{code, name, region}]}"
                              : e.msg);
  }
  if (places.districts.empty()) {
    return make_error(Errc::invalid_input, "places: no districts");
  }
  return places;
}

json::Json
Places::to_json() const
{
  json::Json out = json::Json::object();
  for (const auto& [code, district] : districts) {
    out[code] = {{"name", district.name},
                 {"region", district.region},
                 {"region_name", district.region_name}};
  }
  return out;
}

Result<Places>
Places::from_json(const json::Json& value)
{
  Places places;
  if (!value.is_object()) {
    return make_error(Errc::corrupt, "places: not an object");
  }
  for (const auto& [code, district] : value.items()) {
    places.districts[code] = District{district.value("name", ""),
                                      district.value("region", ""),
                                      district.value("region_name", "")};
  }
  return places;
}

Result<void>
derive(const json::Json& form, Parts& parts, const Places* places)
{
  const json::Json& incident = form.at("incident");
  const std::string district = incident.at("district").get<std::string>();
  if (places != nullptr && !places->districts.contains(district)) {
    return make_error(
      Errc::invalid_input,
      "/incident/district: not one of the organisation's districts",
      "the districts are the codes of the vault's places list");
  }
  CUSTODY_ASSIGN(date,
                 parse_incident_date(incident.at("date").get<std::string>()));
  json::Json& facts_incident =
    object_at(parts[part_index(vault::Compartment::facts)], "incident");
  facts_incident["month"] =
    date.month == 0 ? fmt::format("{:04}", date.year)
                    : fmt::format("{:04}-{:02}", date.year, date.month);
  facts_incident["date_precision"] = date.day != 0     ? "day"
                                     : date.month != 0 ? "month"
                                                       : "year";
  facts_incident["approximate"] = incident.value("date_approximate", false);

  // The response delay, in whole hours, only when the day of the incident is
  // known.
  const json::Json* response =
    form.contains("response") ? &form.at("response") : nullptr;
  if (date.day != 0 && response != nullptr
      && response->contains("first_contact_at")) {
    CUSTODY_ASSIGN(
      contact,
      parse_rfc3339(response->at("first_contact_at").get<std::string>()));
    sys_seconds start =
      sys_days(year(date.year) / month(date.month) / day(date.day));
    if (incident.contains("time")) {
      const std::string time = incident.at("time").get<std::string>();
      int h = 0;
      int m = 0;
      if (time.size() == 5
          && parse_number(std::string_view(time).substr(0, 2), h)
          && parse_number(std::string_view(time).substr(3, 2), m)) {
        start += hours(h) + minutes(m);
      }
    }
    // The incident's local time is taken in the same offset as the first
    // contact: same place.
    const sys_seconds incident_utc = start - contact.offset;
    const auto delay = duration_cast<hours>(contact.utc - incident_utc).count();
    json::Json& facts_response =
      object_at(parts[part_index(vault::Compartment::facts)], "response");
    facts_response["delay_hours"] = std::max<std::int64_t>(0, delay);
  }

  // The aggressor part gets a week (or month) and a named area, never the exact
  // time and place.
  json::Json& aggressor = parts[part_index(vault::Compartment::aggressor)];
  if (aggressor.is_object() && !aggressor.empty()) {
    json::Json& derived = object_at(aggressor, "aggressor");
    if (date.day != 0) {
      derived["when"] =
        iso_week(year(date.year) / month(date.month) / day(date.day));
    } else {
      derived["when"] = facts_incident["month"];
    }
    if (places != nullptr) {
      derived["area"] = places->districts.at(district).region_name;
    }
  }
  return {};
}

Parts
strip_derived(Parts parts)
{
  auto erase_path = [](json::Json& root,
                       std::initializer_list<const char*> path) {
    json::Json* node = &root;
    const char* last = nullptr;
    for (const char* key : path) {
      if (last != nullptr) {
        if (!node->is_object() || !node->contains(last)) {
          return;
        }
        node = &(*node)[last];
      }
      last = key;
    }
    if (node->is_object()) {
      node->erase(last);
    }
  };
  auto erase_if_empty = [](json::Json& root, const char* key) {
    if (root.is_object() && root.contains(key) && root[key].is_object()
        && root[key].empty()) {
      root.erase(key);
    }
  };
  json::Json& facts = parts[part_index(vault::Compartment::facts)];
  for (const char* key : {"month", "date_precision", "approximate"}) {
    erase_path(facts, {"incident", key});
  }
  erase_path(facts, {"response", "delay_hours"});
  erase_if_empty(facts, "response");
  json::Json& aggressor = parts[part_index(vault::Compartment::aggressor)];
  for (const char* key : {"when", "area"}) {
    erase_path(aggressor, {"aggressor", key});
  }
  erase_if_empty(aggressor, "aggressor");
  return parts;
}

json::Json
merge_parts(const Parts& parts)
{
  json::Json form = json::Json::object();
  for (const auto& part : parts) {
    if (part.is_object()) {
      // merge_patch deep-merges objects; the parts share no leaf, so nothing is
      // overwritten.
      form.merge_patch(part);
    }
  }
  return form;
}

json::Json
make_merge_patch(const json::Json& from, const json::Json& to)
{
  if (!from.is_object() || !to.is_object()) {
    return to;
  }
  json::Json patch = json::Json::object();
  for (const auto& [key, value] : from.items()) {
    if (!to.contains(key)) {
      patch[key] = nullptr;
    }
  }
  for (const auto& [key, value] : to.items()) {
    if (!from.contains(key)) {
      patch[key] = value;
    } else if (from[key] != value) {
      if (from[key].is_object() && value.is_object()) {
        patch[key] = make_merge_patch(from[key], value);
      } else {
        patch[key] = value;
      }
    }
  }
  return patch;
}

std::string
new_record_id()
{
  return to_hex(random_bytes(16));
}

std::string_view
entry_type_name(EntryType type)
{
  return type == EntryType::record ? "record" : "amend";
}

// What derive() reads of a form: copied before the form's leaves are moved
// into the parts.
json::Json
derivation_inputs(const json::Json& form)
{
  json::Json inputs = json::Json::object();
  const json::Json& incident = form.at("incident");
  for (const char* key : {"district", "date", "date_approximate", "time"}) {
    if (const auto it = incident.find(key); it != incident.end()) {
      inputs["incident"][key] = *it;
    }
  }
  if (const auto response = form.find("response"); response != form.end()) {
    if (const auto it = response->find("first_contact_at");
        it != response->end()) {
      inputs["response"]["first_contact_at"] = *it;
    }
  }
  return inputs;
}

Result<Parts>
parts_of(json::Json form,
         const form::Origin& origin,
         const schema::SchemaSet& schemas,
         const Places* places)
{
  const std::string where = fmt::format("{}:{}", origin.file, origin.line);
  const json::Json& scopes = form.at("consent").at("scopes");
  if (scopes.size() > 1
      && std::find(scopes.begin(), scopes.end(), json::Json("document_only"))
           != scopes.end()) {
    return fail(Errc::invalid_input,
                "{}: /consent/scopes: document_only must be the only scope",
                where);
  }
  const json::Json inputs = derivation_inputs(form);
  auto split = schemas.split(std::move(form));
  if (!split) {
    return fail(Errc::invalid_input, "{}: {}", where, split.error().message);
  }
  Parts parts;
  for (std::size_t p = 0; p < k_part_count; ++p) {
    const std::string name(vault::compartment_name(k_parts[p]));
    if (auto it = split->find(name); it != split->end()) {
      parts[p] = std::move(it->second);
    } else {
      parts[p] = json::Json::object();
    }
  }
  if (auto derived = derive(inputs, parts, places); !derived) {
    return fail(Errc::invalid_input, "{}: {}", where, derived.error().message);
  }
  return parts;
}

Result<std::vector<Change>>
prepare(std::vector<form::Form>& forms,
        const schema::SchemaSet& schemas,
        const Places* places)
{
  std::vector<Change> changes(forms.size());
  std::vector<std::optional<std::string>> problems(forms.size());
  on_every_core(forms.size(), 8, [&](std::size_t i) {
    auto parts =
      parts_of(std::move(forms[i].value), forms[i].origin, schemas, places);
    if (!parts) {
      problems[i] = parts.error().message;
      return;
    }
    changes[i] = Change{new_record_id(),
                        EntryType::record,
                        std::nullopt,
                        std::move(*parts),
                        {},
                        forms[i].origin};
  });
  std::vector<std::string> listed;
  std::size_t count = 0;
  for (auto& problem : problems) {
    if (problem) {
      ++count;
      if (listed.size() < 20) {
        listed.push_back(std::move(*problem));
      }
    }
  }
  if (count == 0) {
    return changes;
  }
  std::string message =
    fmt::format("{} problem{} in the forms; nothing was recorded",
                count,
                count == 1 ? "" : "s");
  for (const auto& line : listed) {
    message += "\n  " + line;
  }
  if (count > listed.size()) {
    message += fmt::format("\n  ... and {} more", count - listed.size());
  }
  return make_error(
    Errc::invalid_input, message, "fix the forms and run the command again");
}

// The canonical payload document of part `p` of `change` (docs/formats.md 6.2),
// built as text: its keys sort as data, prev, reason, record, salt, type, and
// building it this way spares copying the part into a JSON object per
// payload.
std::string
payload_text(const Change& change, std::size_t p, std::string_view salt)
{
  std::string text = "{\"data\":";
  text += change.data[p].is_null() ? "{}" : json::canonical(change.data[p]);
  text += ",\"prev\":";
  text +=
    change.prev ? "\"" + to_hex(*change.prev) + "\"" : std::string("null");
  // Free text may name anyone: only the identity payload carries the reason.
  if (change.type == EntryType::amend && !change.reason.empty()
      && k_parts[p] == vault::Compartment::identity) {
    text += ",\"reason\":" + json::canonical(json::Json(change.reason));
  }
  text += ",\"record\":\"" + change.record_id + "\",\"salt\":\"";
  text += salt;
  text += "\",\"type\":\"";
  text += entry_type_name(change.type);
  text += "\"}";
  return text;
}

Digest
form_digest(const Parts& parts)
{
  return sha256(json::canonical(merge_parts(strip_derived(parts))));
}

namespace {

std::string
where(const Change& change, std::size_t index)
{
  if (change.origin.file.empty()) {
    return fmt::format("change {}", index + 1);
  }
  return fmt::format("{}:{}", change.origin.file, change.origin.line);
}

// Gives a new record another id while its receipt (the id's first 50 bits)
// is another record's, in the list or earlier in the batch: receipts stay
// unique (docs/formats.md 6.2.2). Drawn before anything is encrypted, since
// every payload names the id.
void
draw_unique_receipts(std::vector<Change>& changes,
                     const vault::RecordSet& records)
{
  std::set<std::string> batch;
  auto taken = [&](const std::string& id) {
    const IdRange range = receipt_range(id);
    if (batch.contains(range.low)) {
      return true;
    }
    auto low = vault::record_key(range.low);
    auto high = vault::record_key(range.high);
    return low && high && !records.between(*low, *high).empty();
  };
  for (auto& change : changes) {
    if (change.type != EntryType::record) {
      continue;
    }
    while (taken(change.record_id)) {
      change.record_id = new_record_id();
    }
    batch.insert(receipt_range(change.record_id).low);
  }
}

} // namespace

Result<Staged>
stage(vault::Vault& vault,
      std::vector<Change> changes,
      const WriteOptions& options)
{
  Staged staged;
  staged.objects = std::make_unique<store::ObjectBatch>(vault.directory());
  if (changes.empty()) {
    return staged;
  }
  std::vector<age::X25519Recipient> recipients;
  std::array<std::uint32_t, k_part_count> epochs{};
  for (std::size_t p = 0; p < k_part_count; ++p) {
    // Only keys the signed ledger vouches for: Vault::recipient never reads
    // vault.yaml.
    CUSTODY_ASSIGN(recipient, vault.recipient(k_parts[p]));
    recipients.push_back(recipient);
    epochs[p] = vault.current_epoch(k_parts[p]);
  }

  // New records: unique receipts, and their forms against the record list.
  std::vector<std::optional<vault::CreatedRecord>> created(changes.size());
  if (std::any_of(changes.begin(), changes.end(), [](const Change& change) {
        return change.type == EntryType::record;
      })) {
    vault::Notes dropped;
    CUSTODY_ASSIGN(
      records,
      vault.records(options.notes != nullptr ? *options.notes : dropped));
    draw_unique_receipts(changes, *records);
    std::vector<Digest> digests(changes.size());
    on_every_core(changes.size(), 8, [&](std::size_t i) {
      if (changes[i].type == EntryType::record) {
        digests[i] = form_digest(changes[i].data);
      }
    });
    std::map<vault::RecordKey, std::size_t> in_batch;
    std::vector<std::string> problems;
    for (std::size_t i = 0; i < changes.size(); ++i) {
      if (changes[i].type != EntryType::record) {
        continue;
      }
      CUSTODY_ASSIGN(id, vault::record_key(changes[i].record_id));
      CUSTODY_ASSIGN(form, vault.form_hash(digests[i]));
      created[i] = vault::CreatedRecord{id, form};
      if (const auto earlier = in_batch.find(form); earlier != in_batch.end()) {
        problems.push_back(
          fmt::format("{}: the same form as {}, earlier in this batch",
                      where(changes[i], i),
                      where(changes[earlier->second], earlier->second)));
      } else if (const auto* listed = records->find_form(form)) {
        const std::string listed_id = vault::key_hex(listed->id);
        problems.push_back(
          fmt::format("{}: the same form as record {} ({}), recorded in "
                      "entry {}",
                      where(changes[i], i),
                      receipt_of(listed_id),
                      listed_id,
                      listed->seq));
      }
      in_batch.emplace(form, i);
    }
    if (!problems.empty() && options.duplicates == Duplicates::refuse) {
      std::string message =
        fmt::format("{} likely duplicate{}; nothing was recorded",
                    problems.size(),
                    problems.size() == 1 ? "" : "s");
      for (std::size_t i = 0; i < problems.size() && i < 20; ++i) {
        message += "\n  " + problems[i];
      }
      if (problems.size() > 20) {
        message += fmt::format("\n  ... and {} more", problems.size() - 20);
      }
      return make_error(Errc::invalid_input, message, Remedy::allow_duplicate);
    }
    for (const auto& problem : problems) {
      if (options.notes != nullptr) {
        options.notes->push_back(fmt::format("{}; recorded as asked", problem));
      }
    }
  }

  std::vector<std::vector<ledger::PayloadRef>> payloads(
    changes.size(), std::vector<ledger::PayloadRef>(k_part_count));
  // Public-key work dominates (one X25519 per payload, four per record): spread
  // it over all cores.
  // One worker more than cores: a worker naming a group of objects waits in
  // syncfs(2), and the spare keeps every core encrypting meanwhile.
  const unsigned workers =
    std::clamp<unsigned>(std::thread::hardware_concurrency() + 1, 2, 9);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::optional<Error>> errors(workers);
  store::ObjectBatch& objects = *staged.objects;
  auto work = [&](unsigned worker) {
    for (std::size_t i = next++; i < changes.size() && !failed; i = next++) {
      Change& change = changes[i];
      for (std::size_t p = 0; p < k_part_count; ++p) {
        const std::string salt = store::new_salt();
        auto encrypted = store::encrypt_plaintext(
          payload_text(change, p, salt), salt, recipients[p], epochs[p]);
        Result<void> added =
          encrypted ? objects.add(encrypted->sealed.ref.obj, encrypted->file)
                    : Result<void>(tl::unexpected(encrypted.error()));
        if (!added) {
          errors[worker] = added.error();
          failed = true;
          return;
        }
        payloads[i][p] = encrypted->sealed.ref;
      }
      // Encrypted: the parts' trees are freed here, on every core, rather
      // than one by one when the batch ends.
      change.data = Parts{};
    }
  };
  std::vector<std::thread> threads;
  for (unsigned w = 1; w < workers; ++w) {
    threads.emplace_back(work, w);
  }
  work(0);
  for (auto& thread : threads) {
    thread.join();
  }
  for (auto& error : errors) {
    if (error) {
      return tl::unexpected(std::move(*error));
    }
  }
  staged.entries.reserve(changes.size());
  for (std::size_t i = 0; i < changes.size(); ++i) {
    staged.entries.push_back({std::move(payloads[i]), created[i]});
    staged.ids.push_back(std::move(changes[i].record_id));
  }
  return staged;
}

Result<std::vector<Written>>
write(vault::Vault& vault,
      std::vector<Change> changes,
      const WriteOptions& options)
{
  if (changes.empty()) {
    return std::vector<Written>{};
  }
  CUSTODY_ASSIGN(staged, stage(vault, std::move(changes), options));
  CUSTODY_TRY(staged.objects->commit());
  CUSTODY_ASSIGN(appended,
                 vault.append(ledger::Kind::put, std::move(staged.entries)));
  std::vector<Written> written;
  written.reserve(appended.size());
  for (std::size_t i = 0; i < appended.size(); ++i) {
    written.push_back(
      {std::move(staged.ids[i]), appended[i].seq, appended[i].hash});
  }
  return written;
}

} // namespace custody::records
