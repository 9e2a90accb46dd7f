// A record's photo redacted: found, decrypted into memory, sent to the keyless
// child, stored as a derivative, read back (docs/formats.md 6.6.1).

#include <custody/base/canonical_json.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/store.hpp>
#include <custody/redact/photo_child.hpp>
#include <custody/redact/photo_record.hpp>
#include <custody/redact/record.hpp>
#include <custody/sys/memfile.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace custody::redact {

namespace {

// A photo's decoded pixels are bounded by redact_photo; its file by this.
constexpr std::uint64_t k_max_photo_bytes = 256ULL * 1024 * 1024;

const std::optional<index::Shard>&
shard_of(const records::Shards& shards, vault::Compartment compartment)
{
  return shards[records::part_index(compartment)];
}

bool
consents_to_publish(const records::Shards& shards, const std::string& id)
{
  const auto& facts = shard_of(shards, vault::Compartment::facts);
  if (!facts) {
    return false;
  }
  auto row = facts->find(id);
  if (!row) {
    return false;
  }
  const json::Json scopes = row->view.value("consent", json::Json::object())
                              .value("scopes", json::Json::array());
  return std::find(scopes.begin(), scopes.end(), json::Json("publish"))
         != scopes.end();
}

// The file a child opens for the memory file's bytes: its descriptor in the
// child's own table before anything is closed (sys/spawn.hpp), or the
// /dev/shm fallback's name.
std::string
child_path(const memfile::MemoryFile& file)
{
  return file.anonymous()
           ? fmt::format("/proc/self/fd/{}", file.child_descriptor())
           : file.path();
}

// The report as the redaction document keeps it: canonical JSON holds no
// floating point, so the margin is a decimal in a string.
json::Json
stored_report(const PhotoRedaction& redacted)
{
  nlohmann::json report;
  to_json(report, redacted);
  report["margin"] = fmt::format("{:g}", redacted.margin);
  return report;
}

} // namespace

Result<PhotoSource>
photo_source(const records::Shards& shards,
             const std::string& id,
             std::size_t number)
{
  const auto& identity = shard_of(shards, vault::Compartment::identity);
  if (!identity || !shard_of(shards, vault::Compartment::facts)) {
    return make_error(Errc::auth,
                      "redacting a photo needs the identity compartment, "
                      "where originals are; a legal member redacts");
  }
  CUSTODY_ASSIGN(found, identity->find(id));
  CUSTODY_ASSIGN(rows, identity->attachments(found.id));
  if (number == 0 || number > rows.size()) {
    return fail(Errc::not_found,
                "record {} has no attachment {} (it has {})",
                found.id,
                number,
                rows.size());
  }
  PhotoSource source;
  source.record = found.id;
  source.number = number;
  source.row = rows[number - 1];
  CUSTODY_ASSIGN(recorded, attach::parse_recorded(source.row.attachment));
  source.recorded = recorded;
  source.name = source.row.attachment.value("name", "");
  source.kind = source.row.attachment.value("kind", "");
  if (source.kind != "photo") {
    return fail(Errc::invalid_input,
                "attachment {} of record {} is a {}, not a photo",
                number,
                found.id,
                source.kind.empty() ? "file of no kind" : source.kind);
  }
  if (recorded.size > k_max_photo_bytes) {
    return fail(Errc::invalid_input,
                "attachment {} is {} bytes; photo redaction takes at most {}",
                number,
                recorded.size,
                k_max_photo_bytes);
  }
  source.publish = consents_to_publish(shards, found.id);
  const json::Json person = found.view.value("person", json::Json::object());
  for (const char* key :
       {"names", "aliases", "phones", "emails", "id_numbers"}) {
    for (const auto& value : person.value(key, json::Json::array())) {
      if (value.is_string()) {
        source.canaries.push_back(value.get<std::string>());
      }
    }
  }
  if (person.contains("address") && person["address"].is_string()) {
    source.canaries.push_back(person["address"].get<std::string>());
  }
  return source;
}

Result<PhotoRedaction>
redact_photo_of(vault::Vault& vault,
                const PhotoSource& source,
                const PhotoOptions& options,
                const fs::Path& executable,
                std::chrono::milliseconds timeout)
{
  CUSTODY_ASSIGN(key,
                 vault.key(vault::Compartment::identity, source.row.epoch));
  PhotoOptions with_canaries = options;
  for (const auto& canary : source.canaries) {
    with_canaries.canaries.push_back(canary);
  }
  // The options line first, then the plaintext, in memory only.
  std::string request = photo_request(with_canaries, {});
  request.reserve(request.size() + source.recorded.size);
  CUSTODY_TRY(attach::read_plaintext(
    vault.directory(),
    source.row.object,
    *key,
    source.recorded.size,
    source.recorded.sha256,
    [&](ByteView piece) -> Result<void> {
      request.append(reinterpret_cast<const char*>(piece.data()), piece.size());
      return {};
    },
    nullptr,
    {}));
  CUSTODY_ASSIGN(file, memfile::MemoryFile::create("custody-photo"));
  CUSTODY_TRY(file.replace(request));
  return redact_photo_in_child(executable, child_path(file), timeout);
}

Result<std::uint64_t>
record_photo_redaction(vault::Vault& vault,
                       const PhotoSource& source,
                       const PhotoRedaction& redacted,
                       bool reviewed)
{
  if (!vault::may_write(vault.me().role, ledger::Kind::redaction)) {
    return fail(Errc::auth,
                "a {} member may not redact; a legal member redacts",
                vault::role_name(vault.me().role));
  }
  const bool released = reviewed && source.publish;
  const vault::Compartment compartment =
    released ? vault::Compartment::aggressor : vault::Compartment::identity;
  CUSTODY_ASSIGN(recipient, vault.recipient(compartment));
  const std::uint32_t epoch = vault.current_epoch(compartment);
  // The derivative staged as an attachment's media is: read from a memory
  // file, padded, encrypted, hashed, durable before it is named.
  CUSTODY_ASSIGN(file, memfile::MemoryFile::create("custody-derivative"));
  CUSTODY_TRY(file.replace(
    std::string_view(reinterpret_cast<const char*>(redacted.output.data()),
                     redacted.output.size())));
  CUSTODY_ASSIGN(staged,
                 attach::stage(vault.directory(),
                               file.anonymous() ? fs::Path(fmt::format(
                                 "/proc/self/fd/{}", file.child_descriptor()))
                                                : fs::Path(file.path()),
                               recipient,
                               nullptr,
                               {}));
  if (to_hex(staged.plaintext_sha256) != redacted.output_sha256) {
    return fail(Errc::internal,
                "the derivative staged is not the one the child checked");
  }
  CUSTODY_TRY(attach::commit(vault.directory(), staged));
  const std::string media_salt = store::new_salt();
  const json::Json output = {
    {"sha256", redacted.output_sha256},
    {"size", staged.size},
    {"format", std::string(format_name(redacted.format))},
    {"object", to_hex(staged.object)},
    {"epoch", epoch},
    {"media_salt", media_salt},
    {"compartment", std::string(vault::compartment_name(compartment))}};
  const json::Json redaction = {
    {"profile", "photo"},
    {"source",
     {{"seq", source.row.seq},
      {"attachment", source.number},
      {"sha256", to_hex(source.recorded.sha256)},
      {"size", source.recorded.size}}},
    {"output", output},
    {"review", reviewed ? "reviewed" : "unreviewed"},
    {"report", stored_report(redacted)}};
  json::Json release = {
    {"type", "derivative"}, {"record", source.record}, {"released", released}};
  if (released) {
    release["attachment"] = source.number;
    release["output"] = output;
  }
  CUSTODY_ASSIGN(documents,
                 seal_redaction_documents(
                   vault, source.record, redaction, std::move(release)));
  const ledger::PayloadRef media{
    staged.object,
    store::commitment(media_salt, staged.plaintext_sha256),
    epoch};
  CUSTODY_ASSIGN(appended,
                 vault.append(ledger::Kind::redaction,
                              {{documents[0], documents[1], media}}));
  return appended.front().seq;
}

Result<PhotoDerivative>
current_photo_derivative(const records::Shards& shards,
                         const std::string& id,
                         std::size_t number)
{
  const auto& identity = shard_of(shards, vault::Compartment::identity);
  const auto& aggressor = shard_of(shards, vault::Compartment::aggressor);
  const index::Shard* shard = identity    ? &*identity
                              : aggressor ? &*aggressor
                                          : nullptr;
  if (shard == nullptr) {
    return make_error(Errc::auth,
                      "a redacted photo is read with the identity or "
                      "aggressor compartment, which your keys do not open");
  }
  CUSTODY_ASSIGN(found, shard->find(id));
  CUSTODY_ASSIGN(rows, shard->redactions(found.id));
  const bool legal = identity.has_value();
  const bool publish = consents_to_publish(shards, found.id);
  const index::RedactionRow* latest = nullptr;
  for (const auto& row : rows) {
    const json::Json& body =
      legal ? row.document.value("redaction", json::Json::object())
            : row.document;
    const std::size_t of =
      legal ? body.value("source", json::Json::object()).value("attachment", 0U)
            : body.value("attachment", 0U);
    if (of == number && (legal || (publish && body.value("released", false)))) {
      latest = &row;
    }
  }
  if (latest == nullptr) {
    return fail(Errc::not_found,
                "attachment {} of record {} has no redacted derivative {}",
                number,
                found.id,
                legal ? "(redact it with --profile photo)"
                      : "released to your role");
  }
  const json::Json& body =
    legal ? latest->document.value("redaction", json::Json::object())
          : latest->document;
  const json::Json output = body.value("output", json::Json::object());
  PhotoDerivative out;
  out.record = found.id;
  out.seq = latest->seq;
  out.review = legal ? body.value("review", "") : "";
  out.format = output.value("format", "");
  out.size = output.value("size", std::uint64_t{0});
  out.epoch = output.value("epoch", 0U);
  out.compartment = output.value("compartment", "") == "aggressor"
                      ? vault::Compartment::aggressor
                      : vault::Compartment::identity;
  out.released = out.compartment == vault::Compartment::aggressor && publish;
  auto sha256 = digest_from_hex(output.value("sha256", ""));
  auto object = digest_from_hex(output.value("object", ""));
  if (!sha256 || !object) {
    return fail(Errc::corrupt,
                "entry {}: the derivative's output is malformed",
                latest->seq);
  }
  out.sha256 = *sha256;
  out.object = *object;
  return out;
}

} // namespace custody::redact
