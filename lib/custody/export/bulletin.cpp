// Safety bulletins (bulletin.hpp).
#include <custody/base/disjoint_sets.hpp>
#include <custody/base/utf8.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/disclosure/bulletin.hpp>
#include <custody/export/bulletin.hpp>
#include <custody/export/bulletin_text.hpp>
#include <custody/export/recipe_yaml.hpp>
#include <custody/ledger/store.hpp>
#include <custody/records/view.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/chrono.h>
#include <fmt/core.h>

#include <chrono>
#include <cstdlib>
#include <map>

namespace custody::bundle {

namespace {

// Recorded text in Markdown: the characters that would start markup escaped.
std::string
markdown_text(const std::string& text)
{
  std::string out;
  for (char c : text) {
    if (std::string_view("\\`*_{}[]()#+-.!<>|~").find(c)
        != std::string_view::npos) {
      out += '\\';
    }
    out += c;
  }
  return out;
}

} // namespace

Result<BulletinRecipe>
parse_bulletin_recipe(std::string_view yaml_text)
{
  CUSTODY_ASSIGN(root, detail::load_recipe(yaml_text, "bulletin"));
  BulletinRecipe recipe;
  for (const auto& item : root) {
    const std::string key = detail::key_name(item.first);
    const YAML::Node& value = item.second;
    if (key == "kind") {
      CUSTODY_TRY(detail::check_kind(value, "bulletin"));
    } else if (key == "organisation") {
      CUSTODY_ASSIGN(text, detail::text_of(value, key));
      recipe.organisation = text;
    } else if (key == "from" || key == "to") {
      CUSTODY_ASSIGN(text, detail::text_of(value, key));
      if (!detail::is_month(text)) {
        return tl::unexpected(
          detail::at(value, fmt::format("{} must be a month, YYYY-MM", key)));
      }
      (key == "from" ? recipe.from : recipe.to) = text;
    } else if (key == "k") {
      CUSTODY_ASSIGN(k, detail::whole_number(value, key));
      if (k < 2) {
        return tl::unexpected(detail::at(
          value, "k must be at least 2: one report would identify its author"));
      }
      recipe.k = k;
    } else if (key == "delay_hours") {
      CUSTODY_ASSIGN(hours, detail::whole_number(value, key));
      if (hours < 24) {
        return tl::unexpected(detail::at(
          value,
          "delay_hours must be at least 24, so that a bulletin does not date "
          "a new report"));
      }
      recipe.delay_hours = hours;
    } else if (key == "phone_region") {
      CUSTODY_ASSIGN(text, detail::text_of(value, key));
      recipe.phone_region = text;
    } else {
      return tl::unexpected(detail::at(
        item.first,
        fmt::format("unknown key \"{}\"; a bulletin recipe has kind, "
                    "organisation, from, to, k, delay_hours and phone_region",
                    key)));
    }
  }
  if (recipe.organisation.empty() || recipe.from.empty() || recipe.to.empty()) {
    return tl::unexpected(detail::at(
      root, "a bulletin recipe names its organisation, from and to"));
  }
  if (recipe.to < recipe.from) {
    return tl::unexpected(
      detail::at(root["to"], "the period ends before it starts"));
  }
  return recipe;
}

Result<BulletinChannels>
bulletin_channels(vault::Vault& vault,
                  const records::Shards& shards,
                  const BulletinRecipe& recipe,
                  std::chrono::system_clock::time_point now)
{
  const auto& facts = shards[records::part_index(vault::Compartment::facts)];
  const auto& aggressor =
    shards[records::part_index(vault::Compartment::aggressor)];
  if (!facts || !aggressor) {
    return make_error(Errc::auth,
                      "a bulletin reads the facts and aggressor compartments: "
                      "legal and advocacy members hold both");
  }
  const json::Json& policy = vault.state().policy;
  auto k = static_cast<std::size_t>(vault::bulletin_min_reports(policy));
  if (recipe.k) {
    if (*recipe.k < k) {
      return make_error(Errc::invalid_input,
                        fmt::format("the recipe's k is {}, below the policy's "
                                    "{}: a recipe may only raise it",
                                    *recipe.k,
                                    k));
    }
    k = *recipe.k;
  }
  CUSTODY_ASSIGN(rows, facts->list({}));
  std::map<std::string, json::Json> parts;
  for (const auto& row : rows) {
    CUSTODY_ASSIGN(view, records::view_record(shards, row.id));
    const auto& part =
      view.parts[records::part_index(vault::Compartment::aggressor)];
    if (part) {
      parts[row.id] = part->value("aggressor", json::Json::object());
    }
  }
  // The time a record must have been entered by: now less the delay, written
  // as ledger times are (UTC, whole seconds, "Z"), which compare as text.
  const auto cutoff = std::chrono::floor<std::chrono::seconds>(
    now - std::chrono::hours(static_cast<long>(recipe.delay_hours)));
  disclosure::BulletinOptions options;
  options.from = recipe.from;
  options.to = recipe.to;
  options.k = k;
  options.entered_by = fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", cutoff);
  const auto selection = disclosure::select_bulletin(
    rows, parts, records::places_of(vault), options);
  if (selection->items.empty()) {
    return make_error(Errc::invalid_input,
                      fmt::format("no report may go out for {} to {}: {} "
                                  "withheld (fewer than {} persons' reports "
                                  "in their region), {} too recent",
                                  recipe.from,
                                  recipe.to,
                                  selection->withheld,
                                  k,
                                  selection->too_recent),
                      "a bulletin shares only what cannot point to the "
                      "person who reported");
  }

  // Repeat aggressors: reports sharing a keyed link of a plate, a phone or a
  // handle are one group.
  std::string region = recipe.phone_region.value_or("");
  if (region.empty()) {
    const auto redaction = vault::redaction_policy(policy);
    region =
      redaction.phone_regions.empty() ? "ZZ" : redaction.phone_regions.front();
  }
  CUSTODY_ASSIGN(
    key,
    vault.derived_secret(vault::Compartment::aggressor, k_bulletin_link_label));
  const auto& reports = selection->reports;
  DisjointSets groups(reports.size());
  std::map<std::string, std::size_t> first_with;
  std::map<std::string, std::size_t> index_of;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    index_of[reports[i].record] = i;
    std::vector<std::string> links;
    if (auto plate = normalise_plate(reports[i].plate);
        plate && !plate->empty()) {
      links.push_back(link_of(key.view(), "plate", *plate));
    }
    for (const auto& phone : reports[i].phones) {
      if (auto e164 = normalise_phone(phone, region); e164) {
        links.push_back(link_of(key.view(), "phone", *e164));
      }
    }
    for (const auto& handle : reports[i].handles) {
      if (auto folded = normalise_handle(handle); folded && !folded->empty()) {
        links.push_back(link_of(key.view(), "handle", *folded));
      }
    }
    for (const auto& link : links) {
      auto [at, fresh] = first_with.emplace(link, i);
      if (!fresh) {
        groups.join(i, at->second);
      }
    }
  }
  std::map<std::size_t, std::size_t> group_size;
  for (std::size_t i = 0; i < reports.size(); ++i) {
    ++group_size[groups.find(i)];
  }

  BulletinChannels channels;
  channels.items = selection->items.size();
  channels.withheld = selection->withheld;
  channels.too_recent = selection->too_recent;
  channels.k = k;
  const std::string intro = fmt::format(
    "Reports received about incidents from {} to {}. These are reports made "
    "to us; they have not been verified.",
    recipe.from,
    recipe.to);
  channels.text =
    fmt::format("SAFETY ALERT from {}\n{}\n", recipe.organisation, intro);
  channels.markdown = fmt::format("# Safety alert from {}\n\n*{}*\n",
                                  markdown_text(recipe.organisation),
                                  markdown_text(intro));
  const std::string title =
    fmt::format("Safety alert from {}", recipe.organisation);
  std::string html = fmt::format("<h1>{}</h1>\n<p><em>{}</em></p>\n",
                                 utf8::escape_markup(title),
                                 utf8::escape_markup(intro));
  std::string sms = fmt::format("ALERT from {}, reports {} to {}:",
                                recipe.organisation,
                                recipe.from,
                                recipe.to);
  std::vector<std::pair<std::size_t, std::size_t>> protected_spans;
  std::size_t number = 0;
  for (const auto& item : selection->items) {
    ++number;
    const std::size_t times = group_size[groups.find(index_of.at(item.record))];
    const std::string band =
      times > 1 ? fmt::format("Reported {}.", report_band(times)) : "";
    std::string vehicle = item.vehicle;
    if (!item.plate.empty()) {
      vehicle += (vehicle.empty() ? "plate " : ", plate ") + item.plate;
    }
    channels.text +=
      fmt::format("\n{}. {}, {}\n", number, item.region, item.window);
    channels.markdown += fmt::format(
      "\n## {}. {}, {}\n\n", number, markdown_text(item.region), item.window);
    sms += fmt::format(" {}) {} {}:", number, item.region, item.window);
    html += fmt::format("<h2>{}. {}, {}</h2>\n<ul>\n",
                        number,
                        utf8::escape_markup(item.region),
                        utf8::escape_markup(item.window));
    if (!item.description.empty()) {
      channels.text += fmt::format("   Reported: {}\n", item.description);
      channels.markdown +=
        fmt::format("- **Reported:** {}\n", markdown_text(item.description));
      html += fmt::format("<li><strong>Reported:</strong> {}</li>\n",
                          utf8::escape_markup(item.description));
      sms += " " + item.description;
    }
    if (!vehicle.empty()) {
      channels.text += fmt::format("   Vehicle reported: {}\n", vehicle);
      channels.markdown +=
        fmt::format("- **Vehicle reported:** {}\n", markdown_text(vehicle));
      html += fmt::format("<li><strong>Vehicle reported:</strong> {}</li>\n",
                          utf8::escape_markup(vehicle));
      sms += " Vehicle: " + item.vehicle;
      if (!item.plate.empty()) {
        sms += item.vehicle.empty() ? "" : ",";
        sms += " plate ";
        protected_spans.emplace_back(sms.size(),
                                     sms.size() + item.plate.size());
        sms += item.plate;
      }
      sms += ".";
    }
    if (!item.modus_operandi.empty()) {
      channels.text +=
        fmt::format("   Way of operating reported: {}\n", item.modus_operandi);
      channels.markdown += fmt::format("- **Way of operating reported:** {}\n",
                                       markdown_text(item.modus_operandi));
      html +=
        fmt::format("<li><strong>Way of operating reported:</strong> {}</li>\n",
                    utf8::escape_markup(item.modus_operandi));
    }
    if (!band.empty()) {
      channels.text += "   " + band + "\n";
      channels.markdown += "- " + band + "\n";
      html += "<li>" + utf8::escape_markup(band) + "</li>\n";
      sms += " " + band;
    }
    html += "</ul>\n";
  }
  channels.html = html_document(title, html);
  CUSTODY_ASSIGN(parts_sms, split_sms(sms, protected_spans));
  channels.sms_parts = parts_sms.parts.size();
  channels.sms_ucs2 = parts_sms.encoding == SmsEncoding::ucs2;
  for (std::size_t i = 0; i < parts_sms.parts.size(); ++i) {
    channels.sms += fmt::format(
      "[{}/{}]\n{}\n\n", i + 1, parts_sms.parts.size(), parts_sms.parts[i]);
  }
  return channels;
}

Result<BulletinChannels>
bulletin_retraction(vault::Vault& vault,
                    const BulletinRecipe& recipe,
                    const std::string& recipe_name,
                    std::size_t item)
{
  // A bulletin's text part: "=== bulletin.txt ===\nSAFETY ALERT ...", its
  // items each a line "<n>. <region>, <window>".
  constexpr std::string_view k_alert = "=== bulletin.txt ===\nSAFETY ALERT";
  CUSTODY_ASSIGN(
    latest, latest_approved(vault, "bulletin", [&](const Proposal& proposal) {
      return proposal.recipe_name == recipe_name
             && proposal.content.rfind(k_alert, 0) == 0;
    }));
  if (!latest) {
    return make_error(Errc::invalid_input,
                      fmt::format("no bulletin of recipe {} was approved: "
                                  "there is nothing to retract",
                                  recipe_name));
  }
  const std::string& content = latest->proposal.content;
  const std::string text = content.substr(0, content.find("\n=== "));
  std::size_t items = 0;
  for (std::size_t at = 0; (at = text.find('\n', at)) != std::string::npos;) {
    ++at;
    if (text.compare(at,
                     fmt::format("{}. ", items + 1).size(),
                     fmt::format("{}. ", items + 1))
        == 0) {
      ++items;
    }
  }
  if (item == 0 || item > items) {
    return make_error(
      Errc::invalid_input,
      fmt::format("the latest approved bulletin of recipe {} (proposal {}) "
                  "has {} item{}, not an item {}",
                  recipe_name,
                  latest->approved.proposal,
                  items,
                  items == 1 ? "" : "s",
                  item));
  }
  BulletinChannels channels;
  channels.retracts_proposal = latest->approved.proposal;
  channels.retracts_item = item;
  const std::string what = fmt::format(
    "Item {} of our safety alert on reports from {} to {} is withdrawn. "
    "Please disregard it.",
    item,
    recipe.from,
    recipe.to);
  channels.text =
    fmt::format("RETRACTION from {}\n{}\n", recipe.organisation, what);
  channels.markdown = fmt::format("# Retraction from {}\n\n{}\n",
                                  markdown_text(recipe.organisation),
                                  markdown_text(what));
  const std::string title =
    fmt::format("Retraction from {}", recipe.organisation);
  channels.html = html_document(title,
                                fmt::format("<h1>{}</h1>\n<p>{}</p>\n",
                                            utf8::escape_markup(title),
                                            utf8::escape_markup(what)));
  CUSTODY_ASSIGN(
    sms,
    split_sms(fmt::format("RETRACTION from {}: {}", recipe.organisation, what),
              {}));
  channels.sms_parts = sms.parts.size();
  channels.sms_ucs2 = sms.encoding == SmsEncoding::ucs2;
  for (std::size_t i = 0; i < sms.parts.size(); ++i) {
    channels.sms +=
      fmt::format("[{}/{}]\n{}\n\n", i + 1, sms.parts.size(), sms.parts[i]);
  }
  return channels;
}

std::string
proposal_content(const BulletinChannels& channels)
{
  return fmt::format("=== bulletin.txt ===\n{}\n=== bulletin.md ===\n{}\n"
                     "=== bulletin.html ===\n{}\n"
                     "=== bulletin-sms.txt ({} part{}, {}) ===\n{}",
                     channels.text,
                     channels.markdown,
                     channels.html,
                     channels.sms_parts,
                     channels.sms_parts == 1 ? "" : "s",
                     channels.sms_ucs2 ? "UCS-2" : "GSM-7",
                     channels.sms);
}

Result<BulletinWritten>
write_bulletin(vault::Vault& vault,
               const BulletinChannels& channels,
               const std::string& recipe_name,
               const std::string& recipe_sha256,
               const std::filesystem::path& out)
{
  const std::string content = proposal_content(channels);
  const std::string hash = sha256_hex(as_bytes(content));
  CUSTODY_ASSIGN(approved, find_approved(vault, "bulletin", hash));
  if (!approved) {
    return make_error(Errc::unsafe,
                      "this bulletin has no approved proposal: nothing was "
                      "written",
                      Remedy::propose_and_approve);
  }
  CUSTODY_ASSIGN(
    seq,
    write_approved_directory(
      out,
      {{"bulletin.txt", channels.text},
       {"bulletin.md", channels.markdown},
       {"bulletin.html", channels.html},
       {"bulletin-sms.txt", channels.sms}},
      [&](const json::Json& files) -> Result<std::uint64_t> {
        const json::Json document = {
          {"type", "export"},
          {"export",
           {{"kind", "bulletin"},
            {"status", "written"},
            {"recipe", {{"name", recipe_name}, {"sha256", recipe_sha256}}},
            {"proposal", approved->proposal},
            {"approval", approved->approval},
            {"tree_size", vault.entry_count()},
            {"items", channels.items},
            {"retraction",
             channels.retracts_item == 0
               ? json::Json(nullptr)
               : json::Json{{"proposal", channels.retracts_proposal},
                            {"item", channels.retracts_item}}},
            {"left_out",
             {{"withheld", channels.withheld},
              {"too_recent", channels.too_recent}}},
            {"output",
             {{"name", out.filename().string()},
              {"container", "directory"},
              {"content_sha256", hash},
              {"files", files}}}}}};
        return append_export(vault, document);
      }));
  return BulletinWritten{seq, *approved};
}

} // namespace custody::bundle
