// Redacting a record's text: from the record to the engine, the review applied,
// the fail-closed checks and the `redaction` entry (docs/formats.md 6.6).

#include <custody/base/canonical_json.hpp>
#include <custody/base/utf8.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/store.hpp>
#include <custody/records/view.hpp>
#include <custody/redact/record.hpp>

#include <fmt/core.h>

#include <unicode/uversion.h>

#include <algorithm>
#include <cctype>
#include <utility>

namespace custody::redact {

namespace {

std::vector<std::string>
strings_at(const json::Json& object, std::string_view key)
{
  std::vector<std::string> out;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_array()) {
    return out;
  }
  for (const auto& value : *it) {
    if (value.is_string()) {
      out.push_back(value.get<std::string>());
    }
  }
  return out;
}

std::string
string_at(const json::Json& object, std::string_view key)
{
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>()
                                               : std::string();
}

// A record's identity part as the engine's Identity.
Identity
identity_of(const json::Json& identity_view)
{
  const json::Json person = identity_view.value("person", json::Json::object());
  Identity out;
  out.names = strings_at(person, "names");
  out.aliases = strings_at(person, "aliases");
  out.phones = strings_at(person, "phones");
  out.emails = strings_at(person, "emails");
  out.address = string_at(person, "address");
  out.id_numbers = strings_at(person, "id_numbers");
  return out;
}

const json::Json&
part(const records::RecordView& view, vault::Compartment compartment)
{
  return *view.parts[records::part_index(compartment)];
}

// The texts redacted, or their redactions, as the canonical JSON the
// provenance hashes.
std::string
texts_sha256(const json::Json& texts)
{
  return sha256_hex(as_bytes(json::canonical(texts)));
}

// The spans of `redaction` that are names: with no identity value given, the
// only names the engine finds are the terms it was given.
std::vector<Span>
term_spans(const Redaction& redaction)
{
  std::vector<Span> out;
  for (const auto& span : redaction.spans) {
    if (span.kind == Kind::name) {
      out.push_back(span);
    }
  }
  return out;
}

// `text` with `spans` (sorted by begin; they may overlap when a member's term
// meets a proposal) replaced; overlapping spans become one, of the first's
// kind.
std::string
apply_spans(std::string_view text, std::vector<Span> spans)
{
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin < b.begin;
  });
  std::vector<Span> merged;
  for (auto& span : spans) {
    if (!merged.empty() && span.begin < merged.back().end) {
      if (span.end > merged.back().end) {
        merged.back().end = span.end;
        merged.back().replacement = placeholder(merged.back().kind);
      }
      continue;
    }
    merged.push_back(std::move(span));
  }
  std::string out;
  std::size_t at = 0;
  for (const auto& span : merged) {
    out.append(text.substr(at, span.begin - at));
    out += span.replacement;
    at = span.end;
  }
  out.append(text.substr(at));
  return out;
}

// What the engine is given for `text` of the proposal's record: its language
// and the identity values of the record, its event and its location.
TextInput
input_of(const TextProposal& proposal, std::string_view text)
{
  TextInput input;
  input.text = text;
  input.language = proposal.language;
  input.own = proposal.own;
  input.others = proposal.others;
  input.location = proposal.location;
  return input;
}

// Whether an identity value of the record or its event is still in `text`:
// the spans the engine finds with the identity values and without them differ
// exactly by what the values match.
Result<bool>
identity_left(const Redactor& redactor,
              const TextProposal& proposal,
              std::string_view text)
{
  TextInput with = input_of(proposal, text);
  with.keep_dates = true;
  TextInput without;
  without.text = text;
  without.language = proposal.language;
  without.keep_dates = true;
  auto found = redactor.redact(with);
  if (!found) {
    // The engine's own last check refuses an output that keeps a value.
    if (found.error().code == Errc::internal) {
      return true;
    }
    return tl::unexpected(found.error());
  }
  CUSTODY_ASSIGN(generic, redactor.redact(without));
  for (const auto& span : found->spans) {
    const bool also = std::any_of(
      generic.spans.begin(), generic.spans.end(), [&](const Span& other) {
        return other.begin == span.begin && other.end == span.end;
      });
    if (!also) {
      return true;
    }
  }
  return false;
}

} // namespace

Result<Policy>
policy_of(const vault::Vault& vault)
{
  const auto settings = vault::redaction_policy(vault.state().policy);
  if (settings.phone_regions.empty()) {
    return make_error(
      Errc::usage,
      "the vault's policy names no phone regions, so phone numbers written "
      "in a national format would not be found; nothing was redacted",
      Remedy::set_redaction_policy,
      "name the regions whose numbers the records hold (ISO 3166 codes, such "
      "as KE or GB)");
  }
  return Policy{settings.phone_regions, settings.id_patterns};
}

Result<TextProposal>
propose_text(const records::Shards& shards,
             const std::string& id,
             const Redactor& redactor,
             const std::vector<Term>& terms,
             bool keep_dates)
{
  for (auto c : {vault::Compartment::identity,
                 vault::Compartment::narrative,
                 vault::Compartment::facts}) {
    if (!shards[records::part_index(c)]) {
      return fail(Errc::auth,
                  "redacting a record needs the {} compartment, which your "
                  "keys do not open; a legal member redacts",
                  vault::compartment_name(c));
    }
  }
  CUSTODY_ASSIGN(view, records::view_record(shards, id));
  TextProposal proposal;
  proposal.record = view.id;
  proposal.source_seq = view.history.back().seq;
  proposal.source_hash = view.history.back().hash;
  proposal.keep_dates = keep_dates;
  proposal.terms = terms;

  const json::Json& identity = part(view, vault::Compartment::identity);
  const json::Json& narrative_part = part(view, vault::Compartment::narrative);
  const json::Json& facts = part(view, vault::Compartment::facts);
  proposal.own = identity_of(identity);
  const json::Json incident = identity.value("incident", json::Json::object());
  proposal.location = string_at(incident, "location");
  const std::string event = string_at(incident, "event_ref");
  if (!event.empty()) {
    const auto& identity_shard =
      *shards[records::part_index(vault::Compartment::identity)];
    CUSTODY_ASSIGN(sharing,
                   identity_shard.views_sharing("$.incident.event_ref", event));
    for (const auto& [other_id, other_view] : sharing) {
      if (other_id != view.id) {
        proposal.others.push_back(identity_of(other_view));
      }
    }
  }
  const auto scopes =
    strings_at(facts.value("consent", json::Json::object()), "scopes");
  proposal.publish =
    std::find(scopes.begin(), scopes.end(), "publish") != scopes.end();

  const json::Json narrative =
    narrative_part.value("narrative", json::Json::object());
  proposal.language = string_at(narrative, "language");
  const json::Json response =
    narrative_part.value("response", json::Json::object());
  const std::pair<std::string, std::string> fields[] = {
    {"narrative", string_at(narrative, "text")},
    {"notes", string_at(response, "notes")}};
  for (const auto& [field, text] : fields) {
    if (text.empty()) {
      continue;
    }
    TextInput input = input_of(proposal, text);
    input.terms = proposal.terms;
    input.keep_dates = keep_dates;
    CUSTODY_ASSIGN_CTX(redaction,
                       redactor.redact(input),
                       fmt::format("record {} {}", view.id, field));
    proposal.fields.push_back({field, text, std::move(redaction)});
  }
  if (proposal.fields.empty()) {
    return fail(Errc::invalid_input,
                "record {} has no narrative or notes to redact",
                view.id);
  }
  return proposal;
}

Result<TextResult>
finish_text(const Redactor& redactor,
            const TextProposal& proposal,
            const Review& review)
{
  if (review.removed.size() != proposal.fields.size()) {
    return fail(Errc::internal,
                "a review of {} fields for {} texts",
                review.removed.size(),
                proposal.fields.size());
  }
  std::vector<Term> terms;
  for (const auto& added : review.added) {
    terms.push_back({added, Kind::name});
  }
  TextResult result;
  json::Json sources = json::Json::object();
  std::array<std::size_t, kind_count> counts{};
  for (std::size_t f = 0; f < proposal.fields.size(); ++f) {
    const auto& field = proposal.fields[f];
    const auto& spans = field.proposed.spans;
    if (review.removed[f].size() != spans.size()) {
      return fail(Errc::internal,
                  "a review of {} removals for {} proposed in {}",
                  review.removed[f].size(),
                  spans.size(),
                  field.field);
    }
    std::vector<Span> kept;
    for (std::size_t i = 0; i < spans.size(); ++i) {
      if (review.removed[f][i]) {
        kept.push_back(spans[i]);
      } else {
        ++result.restored;
      }
    }
    if (!terms.empty()) {
      TextInput input;
      input.text = field.text;
      input.language = proposal.language;
      input.terms = terms;
      input.keep_dates = true;
      CUSTODY_ASSIGN_CTX(found, redactor.redact(input), "an added removal");
      for (auto& span : term_spans(found)) {
        const bool covered =
          std::any_of(kept.begin(), kept.end(), [&](const Span& k) {
            return k.begin <= span.begin && span.end <= k.end;
          });
        if (!covered) {
          ++result.added;
          kept.push_back(std::move(span));
        }
      }
    }
    for (const auto& span : kept) {
      ++counts[static_cast<std::size_t>(span.kind)];
    }
    std::string output = apply_spans(field.text, kept);
    CUSTODY_ASSIGN(left, identity_left(redactor, proposal, output));
    result.checks.push_back(
      {fmt::format("no identity value of the record or its event in the {}",
                   field.field),
       !left});
    if (left) {
      return make_error(
        Errc::unsafe,
        fmt::format("redact: an identity value of the record or of its event "
                    "would be left in the {} (a removal that was put back "
                    "names the person); nothing was stored",
                    field.field),
        "keep the removals of the person's own names, phones, e-mails, "
        "address and ID numbers");
    }
    result.checks.push_back({fmt::format("the {} is UTF-8", field.field),
                             !utf8::first_invalid(output).has_value()});
    sources[field.field] = field.text;
    result.text[field.field] = std::move(output);
  }
  for (std::size_t k = 0; k < kind_count; ++k) {
    if (counts[k] != 0) {
      result.counts[std::string(kind_name(static_cast<Kind>(k)))] = counts[k];
    }
  }
  result.source_sha256 = texts_sha256(sources);
  result.output_sha256 = texts_sha256(result.text);
  return result;
}

Result<std::vector<Term>>
terms_from_json(const json::Json& list)
{
  std::vector<Term> out;
  if (!list.is_array()) {
    return fail(Errc::corrupt, "the term list is not a list");
  }
  for (const auto& item : list) {
    const std::string kind = item.is_object() ? string_at(item, "kind") : "";
    const std::string text = item.is_object() ? string_at(item, "text") : "";
    if (text.empty() || (kind != "name" && kind != "place")) {
      return fail(Errc::corrupt,
                  "an item of the term list is not a name or a place");
    }
    out.push_back({text, kind == "place" ? Kind::place : Kind::name});
  }
  return out;
}

Result<json::Json>
parse_term_file(std::string_view text)
{
  constexpr std::size_t k_longest = 200;
  json::Json out = json::Json::array();
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text =
      end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    while (
      !line.empty()
      && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
      line.remove_prefix(1);
    }
    if (line.empty() || line.front() == '#') {
      continue;
    }
    std::string kind = "name";
    for (const std::string_view prefix : {"place:", "name:"}) {
      if (line.substr(0, prefix.size()) == prefix) {
        kind = std::string(prefix.substr(0, prefix.size() - 1));
        line.remove_prefix(prefix.size());
        while (!line.empty() && line.front() == ' ') {
          line.remove_prefix(1);
        }
      }
    }
    if (auto bad = utf8::first_invalid(line)) {
      return fail(
        Errc::invalid_input, "line {}: not UTF-8 at byte {}", number, *bad);
    }
    const bool has_word = std::any_of(line.begin(), line.end(), [](char c) {
      return (static_cast<unsigned char>(c) & 0x80U) != 0
             || std::isalnum(static_cast<unsigned char>(c)) != 0;
    });
    if (!has_word || line.size() > k_longest) {
      return fail(Errc::invalid_input,
                  "line {}: a term has a letter or digit and at most {} bytes",
                  number,
                  k_longest);
    }
    out.push_back({{"kind", kind}, {"text", std::string(line)}});
  }
  return out;
}

json::Json
engine_versions()
{
  return {{"custody", CUSTODY_VERSION},
          {"icu", U_ICU_VERSION},
          {"libphonenumber", CUSTODY_PHONENUMBER_LIBRARY},
          {"re2", CUSTODY_RE2_LIBRARY}};
}

Result<std::uint64_t>
record_text_redaction(vault::Vault& vault,
                      const TextProposal& proposal,
                      const Review& review,
                      const TextResult& result,
                      const Policy& policy)
{
  if (!vault::may_write(vault.me().role, ledger::Kind::redaction)) {
    return fail(Errc::auth,
                "a {} member may not redact; a legal member redacts",
                vault::role_name(vault.me().role));
  }
  std::size_t others = proposal.others.size();
  json::Json checks = json::Json::array();
  for (const auto& check : result.checks) {
    checks.push_back({{"name", check.name}, {"passed", check.passed}});
  }
  const json::Json redaction = {
    {"profile", "text"},
    {"source",
     {{"seq", proposal.source_seq},
      {"hash", proposal.source_hash},
      {"sha256", result.source_sha256}}},
    {"output", {{"sha256", result.output_sha256}}},
    {"text", result.text},
    {"counts", result.counts},
    {"review", review.reviewed ? "reviewed" : "unreviewed"},
    {"added", result.added},
    {"restored", result.restored},
    {"parameters",
     {{"keep_dates", proposal.keep_dates},
      {"language", proposal.language},
      {"phone_regions", policy.phone_regions},
      {"id_patterns", policy.id_patterns.size()},
      {"terms", proposal.terms.size()},
      {"others", others}}},
    {"engine", engine_versions()},
    {"checks", std::move(checks)}};
  const bool released = review.reviewed && proposal.publish;
  json::Json release = {{"type", "derivative"},
                        {"record", proposal.record},
                        {"released", released}};
  if (released) {
    release["text"] = result.text;
    release["output"] = {{"sha256", result.output_sha256}};
  }
  CUSTODY_ASSIGN(documents,
                 seal_redaction_documents(
                   vault, proposal.record, redaction, std::move(release)));
  CUSTODY_ASSIGN(
    appended,
    vault.append(ledger::Kind::redaction, {{documents[0], documents[1]}}));
  return appended.front().seq;
}

Result<std::array<ledger::PayloadRef, 2>>
seal_redaction_documents(vault::Vault& vault,
                         const std::string& record,
                         const json::Json& redaction,
                         json::Json release)
{
  CUSTODY_ASSIGN(identity_key, vault.recipient(vault::Compartment::identity));
  CUSTODY_ASSIGN(aggressor_key, vault.recipient(vault::Compartment::aggressor));
  CUSTODY_ASSIGN(
    first,
    store::seal_document(vault.directory(),
                         json::Json{{"type", "redaction"},
                                    {"record", record},
                                    {"redaction", redaction}},
                         identity_key,
                         vault.current_epoch(vault::Compartment::identity)));
  CUSTODY_ASSIGN(
    second,
    store::seal_document(vault.directory(),
                         std::move(release),
                         aggressor_key,
                         vault.current_epoch(vault::Compartment::aggressor)));
  return std::array<ledger::PayloadRef, 2>{first.ref, second.ref};
}

Result<Derivative>
current_derivative(const records::Shards& shards, const std::string& id)
{
  const auto& identity =
    shards[records::part_index(vault::Compartment::identity)];
  const auto& aggressor =
    shards[records::part_index(vault::Compartment::aggressor)];
  const index::Shard* shard = identity    ? &*identity
                              : aggressor ? &*aggressor
                                          : nullptr;
  if (shard == nullptr) {
    return make_error(Errc::auth,
                      "a record's redacted text is read with the identity or "
                      "aggressor compartment, which your keys do not open");
  }
  CUSTODY_ASSIGN(found, shard->find(id));
  CUSTODY_ASSIGN(rows, shard->redactions(found.id));
  // Consent is read as it is now: a derivative released before the person
  // took `publish` back is released no longer.
  bool publish = false;
  if (const auto& facts =
        shards[records::part_index(vault::Compartment::facts)]) {
    CUSTODY_ASSIGN(facts_row, facts->find(found.id));
    const auto scopes = strings_at(
      facts_row.view.value("consent", json::Json::object()), "scopes");
    publish =
      std::find(scopes.begin(), scopes.end(), "publish") != scopes.end();
  }
  Derivative out;
  const bool legal = identity.has_value();
  const index::RedactionRow* latest = nullptr;
  for (const auto& row : rows) {
    // A photo's derivative (6.6.1) is extract's, not the text's.
    const bool photo = legal
                         ? row.document.value("redaction", json::Json::object())
                               .value("profile", "")
                             == "photo"
                         : row.document.contains("attachment");
    if (!photo
        && (legal || (publish && row.document.value("released", false)))) {
      latest = &row;
    }
  }
  if (latest == nullptr) {
    if (legal) {
      return fail(Errc::not_found,
                  "record {} has no redacted text: none was made",
                  found.id);
    }
    return fail(Errc::not_found,
                "record {} has no redacted text released to your role",
                found.id);
  }
  out.record = found.id;
  out.seq = latest->seq;
  out.stale = found.updated_seq > latest->seq;
  if (legal) {
    const json::Json& redaction = latest->document["redaction"];
    out.review = redaction.value("review", "");
    out.text = redaction.value("text", json::Json::object());
    out.counts = redaction.value("counts", json::Json::object());
    out.output_sha256 =
      redaction.value("output", json::Json::object()).value("sha256", "");
    // Whether advocacy reads it: the aggressor shard's document says.
    if (aggressor) {
      CUSTODY_ASSIGN(released_rows, aggressor->redactions(found.id));
      for (const auto& row : released_rows) {
        if (row.seq == latest->seq) {
          out.released = publish && row.document.value("released", false);
        }
      }
    }
  } else {
    out.released = true;
    out.text = latest->document.value("text", json::Json::object());
    out.output_sha256 = latest->document.value("output", json::Json::object())
                          .value("sha256", "");
  }
  return out;
}

} // namespace custody::redact
