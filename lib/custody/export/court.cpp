// Court bundles (court.hpp).
#include <custody/crypto/crypto.hpp>
#include <custody/export/approval.hpp>
#include <custody/export/court.hpp>
#include <custody/export/premis.hpp>
#include <custody/export/provenance.hpp>
#include <custody/export/recipe_yaml.hpp>
#include <custody/ledger/checkpoint.hpp>
#include <custody/ledger/ledger.hpp>
#include <custody/ledger/store.hpp>
#include <custody/ledger/timestamp.hpp>
#include <custody/media/attach.hpp>
#include <custody/records/records.hpp>
#include <custody/records/view.hpp>
#include <custody/render/exhibits.hpp>
#include <custody/schema/schema.hpp>
#include <custody/sys/fs.hpp>
#include <custody/verify/proof.hpp>

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <set>

namespace custody::bundle {

namespace {

using detail::at;
using detail::load_recipe;
using detail::load_yaml;
using detail::text_of;

// Whether `field` ("person.address") is a field of the incident form.
Result<bool>
is_form_field(std::string_view field)
{
  static const auto schemas =
    schema::SchemaSet::from_embedded("incident.schema.json");
  if (!schemas) {
    return tl::unexpected(schemas.error());
  }
  schema::Node node = schemas->root();
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = field.find('.', start);
    const std::string_view name = field.substr(
      start,
      dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (name.empty()) {
      return false;
    }
    node = node.property(name);
    // additionalProperties: false gives a node that allows nothing
    if (!node.described() || node.types() == 0) {
      return false;
    }
    if (dot == std::string_view::npos) {
      return true;
    }
    start = dot + 1;
  }
}

std::string
pointer_of(std::string_view field)
{
  std::string pointer = "/";
  for (char c : field) {
    pointer += c == '.' ? '/' : c;
  }
  return pointer;
}

bool
has_scope(const json::Json& facts, std::string_view scope)
{
  const json::Json scopes = facts.value("consent", json::Json::object())
                              .value("scopes", json::Json::array());
  return std::any_of(scopes.begin(), scopes.end(), [&](const json::Json& s) {
    return s.is_string() && s.get<std::string>() == scope;
  });
}

const index::Shard&
shard_of(const records::Shards& shards, vault::Compartment compartment)
{
  return *shards[records::part_index(compartment)];
}

std::string
verify_text(const CourtRequest& request,
            const CourtPlan& plan,
            std::uint64_t checkpoint,
            bool timestamped)
{
  std::string text = fmt::format(
    R"VERIFY(Checking this court bundle

This bundle was written by custody ({}) for {}{}. It holds {} record{} and their
attachments, each ledger entry of those records with the commitments it opens,
and Merkle inclusion proofs of those entries against checkpoint {} of the vault's
ledger, signed with the vault key.

Every step below uses only sha256sum, minisign, openssl and a POSIX shell. Run
them in the bundle's top directory (the one holding bagit.txt). Each prints a
line ending in "ok", or a line saying what failed. One changed byte anywhere in
the bundle makes a step fail.

Set KEY first to the vault key as it was lodged OUTSIDE the vault (a line
starting RW..., from the organisation's lawyer, a partner or a public page),
never to the copy in custody.pub:

  KEY='RW...'

## 1. The key in this bundle is the lodged one

```sh
[ "$(sed -n 2p custody.pub)" = "$KEY" ] && echo "vault key: ok" || echo "vault key: custody.pub is not the lodged key: STOP"
```

## 2. No file was changed, added or removed

```sh
sha256sum --quiet -c tagmanifest-sha256.txt && sha256sum --quiet -c manifest-sha256.txt && echo "manifests: ok" || echo "manifests: FAILED"
find data -type f | sed 's,^,  ,' | sort > files.found
sed 's/^[0-9a-f]*  /  /' manifest-sha256.txt | sort > files.listed
cmp -s files.found files.listed && echo "payload files as listed: ok" || echo "payload files as listed: FAILED"
rm -f files.found files.listed
```

## 3. The checkpoint is signed by the vault key

```sh
if minisign -Vm data/checkpoint/{} -x data/checkpoint/{}.minisig -P "$KEY" >/dev/null; then
  echo "checkpoint {} signature: ok"
else
  echo "checkpoint {} signature: FAILED"
fi
```
)VERIFY",
    request.software_version,
    request.recipe.organisation,
    request.recipe.case_reference
      ? fmt::format(", case {}", *request.recipe.case_reference)
      : std::string(),
    plan.records.size(),
    plan.records.size() == 1 ? "" : "s",
    checkpoint,
    checkpoint,
    checkpoint,
    checkpoint,
    checkpoint);
  if (timestamped) {
    text += fmt::format(R"VERIFY(
## 4. The checkpoint's timestamp

data/checkpoint/{0}.tsr is an RFC 3161 time-stamp token over the checkpoint. Set CA
to the certificate of the time-stamp authority's CA (PEM), obtained independently:

```sh
if openssl ts -verify -in data/checkpoint/{0}.tsr -data data/checkpoint/{0} -CAfile "$CA" >/dev/null 2>&1; then
  echo "checkpoint {0} timestamp: ok"
else
  echo "checkpoint {0} timestamp: FAILED"
fi
```
)VERIFY",
                        checkpoint);
  } else {
    text += fmt::format(
      "\n## 4. The checkpoint's timestamp\n\nCheckpoint {} is not "
      "independently timestamped: it proves who signed, not when.\n",
      checkpoint);
  }
  text += R"VERIFY(
## 5. Each record's entries are in the signed ledger

Each data/records/<id>/proof.json holds the record's ledger lines and their
RFC 9162 inclusion proofs. The proof's checkpoint must be this bundle's, and
every proof must lead to its root.

```sh
h() { openssl dgst -sha256 -binary | openssl base64 -A; }
node() { { printf '\001'; printf '%s' "$1" | openssl base64 -d -A; printf '%s' "$2" | openssl base64 -d -A; } | h; }
cp="$(ls data/checkpoint | grep -v '\.' | head -n 1)"
size=$(sed -n 2p "data/checkpoint/$cp"); root=$(sed -n 3p "data/checkpoint/$cp")
for PROOF in data/records/*/proof.json; do
  field() { sed -n "s/^    \"$1\": \"\(.*\)\",\{0,1\}\$/\1/p" "$PROOF"; }
  printf '%b' "$(field text)" | cmp -s - "data/checkpoint/$cp" && echo "$PROOF checkpoint: ok" || echo "$PROOF checkpoint: FAILED"
  awk '
    /^      "inclusion_proof": \[\]/ { proof = ""; next }
    /^      "inclusion_proof": \[/ { inproof = 1; proof = ""; next }
    inproof && /^      \]/ { inproof = 0; next }
    inproof { gsub(/[ ",]/, ""); proof = proof (proof == "" ? "" : " ") $0; next }
    /^      "leaf_index": / { gsub(/[^0-9]/, ""); leaf = $0; next }
    /^      "line": / { sub(/^      "line": "/, ""); sub(/",?$/, ""); gsub(/\\"/, "\""); line = $0; next }
    /^    }/ { print leaf "|" proof "|" line }
  ' "$PROOF" > proof.entries
  while IFS='|' read -r index path line; do
    fn=$index; sn=$((size - 1)); r=$({ printf '\000'; printf '%s' "$line"; } | h); ok=yes
    [ "$fn" -lt "$size" ] || ok=no
    for p in $path; do
      if [ "$sn" -eq 0 ]; then ok=no; break; fi
      if [ $((fn % 2)) -eq 1 ] || [ "$fn" -eq "$sn" ]; then
        r=$(node "$p" "$r")
        while [ $((fn % 2)) -eq 0 ] && [ "$fn" -ne 0 ]; do fn=$((fn / 2)); sn=$((sn / 2)); done
      else
        r=$(node "$r" "$p")
      fi
      fn=$((fn / 2)); sn=$((sn / 2))
    done
    if [ "$ok" = yes ] && [ "$sn" -eq 0 ] && [ "$r" = "$root" ]; then
      echo "entry $index is in checkpoint $size: ok"
    else
      echo "entry $index: the proof does not lead to the checkpoint's root: FAILED"
    fi
  done < proof.entries
  rm -f proof.entries
done
```

## 6. The files in hand are the ones the entries committed to

Each line of data/records/<id>/commitments.txt is: the entry's number, the
payload's index, its commitment, the file that opens it, and a salt. For an
opened document the salt is inside the file; for an original (a video, a photo,
a recording) it is the fifth field, and the file is the original itself. The
commitment is SHA-256 of "custody-commit-v1:<salt>:<SHA-256 of the file>", and
it must appear in that entry's ledger line in the proof.

```sh
for list in data/records/*/commitments.txt; do
  dir=${list%/commitments.txt}
  while read -r seq index commit file salt; do
    [ "$salt" = "-" ] && salt=$(sed -n 's/.*"salt":"\([0-9a-f]\{64\}\)".*/\1/p' "$file")
    got=$(printf 'custody-commit-v1:%s:%s' "$salt" "$(sha256sum < "$file" | cut -d' ' -f1)" | sha256sum | cut -d' ' -f1)
    line=$(awk -v s="$seq" '/^      "leaf_index": / { gsub(/[^0-9]/, ""); i = $0 } /^      "line": / { if (i == s) print }' "$dir/proof.json")
    if [ "$got" = "$commit" ] && printf '%s' "$line" | grep -q "\\\\\"commit\\\\\":\\\\\"$commit\\\\\""; then
      echo "entry $seq payload $index ($file): ok"
    else
      echo "entry $seq payload $index ($file): FAILED"
    fi
  done < "$list"
done
```

What this proves: each file was committed to by a ledger entry that was in the
vault when the checkpoint was signed (and, with step 4, no later than the
timestamp). Documents listed as "sealed" in entries.json are bound by their
commitments but not shown (they hold fields the export leaves out); the
organisation can open them later if the court asks. Inclusion is provable,
completeness is not: an entry written after the checkpoint is not covered.

metadata/premis.xml is the same custody log in PREMIS 3.0; EXHIBITS.pdf lists
the exhibits for filing. original-names.txt gives each original's name as it
was attached.
)VERIFY";
  return text;
}

struct Builder
{
  vault::Vault& vault;
  const records::Shards& shards;
  const CourtRequest& request;
  const CourtPlan& plan;
  disclosure::CourtFields fields;
  BagWriter& bag;
  PremisLog premis;
  std::set<std::string> premis_objects;
  // What third-party provenance each original (by SHA-256) arrived with.
  std::map<std::string, std::vector<std::string>> provenance;
  // The printed exhibit list: each record's JSON, original and working copy,
  // in the order written.
  std::vector<render::Exhibit> exhibits;
  std::set<std::string> listed;
  std::string current_record;

  void
  add_exhibit(std::string description,
              const std::string& path,
              const std::string& sha256,
              std::uint64_t size)
  {
    if (!listed.insert(current_record + sha256).second) {
      return;
    }
    render::Exhibit exhibit;
    exhibit.number = std::to_string(exhibits.size() + 1);
    exhibit.record = current_record;
    exhibit.description = std::move(description);
    exhibit.bag_path = path;
    exhibit.sha256 = sha256;
    exhibit.size = size;
    exhibits.push_back(std::move(exhibit));
  }

  Result<std::string>
  add_json(const std::string& path, const json::Json& value, int indent)
  {
    const std::string text =
      indent < 0 ? json::canonical(value) + "\n" : value.dump(indent) + "\n";
    CUSTODY_ASSIGN(hex, bag.add_payload(path, as_bytes(text)));
    if (path.ends_with("/record.json")) {
      add_exhibit("the record: the account, the facts and the history "
                  "(JSON)",
                  path,
                  hex,
                  text.size());
    }
    return hex;
  }

  Result<void>
  write_record(const CourtRecord& record,
               const std::map<std::uint64_t, std::string>& sealers,
               std::uint64_t checkpoint)
  {
    const std::string dir = "data/records/" + record.id;
    current_record = record.id;
    CUSTODY_ASSIGN(view, records::view_record(shards, record.id));
    const auto shown = disclosure::for_court(view, fields);
    CUSTODY_TRY(add_json(
      dir + "/record.json", disclosure::record_json(*shown, false), 2));

    // The proof, over every entry of the record.
    std::vector<index::EntryRow> rows;
    std::map<std::uint64_t, std::string> types;
    for (const auto& row : view.history) {
      types[row.seq] = row.type;
    }
    for (const auto& attachment :
         view.attachments.value_or(std::vector<index::AttachmentRow>{})) {
      types[attachment.seq] = "attachment";
    }
    CUSTODY_ASSIGN(
      redactions,
      shard_of(shards, vault::Compartment::identity).redactions(record.id));
    for (const auto& redaction : redactions) {
      types[redaction.seq] = "redaction";
    }
    for (const auto& [seq, type] : types) {
      index::EntryRow row;
      row.seq = seq;
      row.type = type;
      rows.push_back(row);
    }
    CUSTODY_ASSIGN(proof,
                   verify::prove_record(vault, record.id, rows, checkpoint));
    if (!proof.not_covered.empty()) {
      return make_error(Errc::internal,
                        fmt::format("record {}: checkpoint {} does not cover "
                                    "entry {}",
                                    record.id,
                                    checkpoint,
                                    proof.not_covered.front()));
    }
    CUSTODY_ASSIGN(public_key, vault.signing_public());
    CUSTODY_TRY(add_json(dir + "/proof.json",
                         verify::proof_document(proof,
                                                vault.state().vault_id,
                                                public_key.to_base64()),
                         2));

    // Each entry, and how its payloads' commitments open.
    json::Json entries = json::Json::array();
    std::string commitments;
    for (const auto& proved : proof.entries) {
      CUSTODY_ASSIGN(entry, ledger::decode(proved.line));
      const std::string& type = types[proved.seq];
      json::Json payloads = json::Json::array();
      std::vector<PremisLink> objects;
      for (std::size_t i = 0; i < entry.payloads.size(); ++i) {
        const auto compartment = compartment_of(type, i);
        json::Json item = {{"index", i},
                           {"commit", to_hex(entry.payloads[i].commit)}};
        if (compartment) {
          item["compartment"] =
            std::string(vault::compartment_name(*compartment));
        }
        CUSTODY_TRY(open_payload(
          record, entry, type, i, compartment, item, commitments, objects));
        payloads.push_back(std::move(item));
      }
      entries.push_back({{"seq", proved.seq},
                         {"type", type},
                         {"line", proved.line},
                         {"payloads", std::move(payloads)}});
      add_event(record, proved, type, sealers, checkpoint, objects);
    }
    CUSTODY_TRY(add_json(dir + "/entries.json",
                         {{"type", "custody-bundle-entries"},
                          {"record", record.id},
                          {"entries", std::move(entries)}},
                         2));
    CUSTODY_ASSIGN(
      hex, bag.add_payload(dir + "/commitments.txt", as_bytes(commitments)));
    (void)hex;
    return {};
  }

  // Which compartment payload `index` of an entry of `type` is in
  // (docs/formats.md 6.2, 6.2.1, 6.6); nullopt for a photo derivative's
  // media, encrypted to either of two (6.6.1).
  static std::optional<vault::Compartment>
  compartment_of(const std::string& type, std::size_t index)
  {
    if (type == "attachment") {
      return vault::Compartment::identity;
    }
    if (type == "redaction") {
      if (index == 2) {
        return std::nullopt;
      }
      return index == 1 ? vault::Compartment::aggressor
                        : vault::Compartment::identity;
    }
    return records::k_parts[index];
  }

  // A photo derivative's media (docs/formats.md 6.6.1): the redaction
  // document says what it is and which key it is encrypted to; the image
  // itself, as a working copy, opens its commitment with its salt.
  Result<void>
  open_derivative(const ledger::Entry& entry,
                  json::Json& item,
                  std::string& commitments,
                  std::vector<PremisLink>& objects)
  {
    const auto& ref = entry.payloads[2];
    CUSTODY_ASSIGN(
      key, vault.key(vault::Compartment::identity, entry.payloads[0].epoch));
    CUSTODY_ASSIGN(
      described,
      store::open_document(vault.directory(), entry.payloads[0], *key));
    const json::Json redaction =
      described.document.value("redaction", json::Json::object());
    const json::Json output = redaction.value("output", json::Json::object());
    const std::string compartment_name = output.value("compartment", "");
    const auto compartment = compartment_name == "aggressor"
                               ? vault::Compartment::aggressor
                               : vault::Compartment::identity;
    const std::string sha = output.value("sha256", "");
    const std::string salt = output.value("media_salt", "");
    const std::uint64_t size = output.value("size", std::uint64_t{0});
    CUSTODY_ASSIGN(digest, digest_from_hex(sha));
    if (store::commitment(salt, digest) != ref.commit) {
      return make_error(Errc::corrupt,
                        fmt::format("entry {}: the redaction document does "
                                    "not describe the derivative beside it",
                                    entry.seq));
    }
    item["compartment"] = std::string(vault::compartment_name(compartment));
    CUSTODY_ASSIGN(media_key, vault.key(compartment, ref.epoch));
    const std::string path =
      fmt::format("data/derivative/{}.{}",
                  sha,
                  output.value("format", "") == "png" ? "png" : "jpg");
    CUSTODY_ASSIGN(
      hex,
      bag.add_payload(
        path, size, Producer([&](const Write& write) -> Result<void> {
          CUSTODY_ASSIGN(extracted,
                         attach::read_plaintext(vault.directory(),
                                                ref.obj,
                                                *media_key,
                                                size,
                                                digest,
                                                write,
                                                nullptr,
                                                {},
                                                // checked against the
                                                // commitment above
                                                attach::CheckObjectName::no));
          (void)extracted;
          return {};
        })));
    (void)hex;
    item["media"] = {{"sha256", sha}, {"media_salt", salt}, {"path", path}};
    commitments +=
      fmt::format("{} 2 {} {} {}\n", entry.seq, to_hex(ref.commit), path, salt);
    if (premis_objects.insert(sha).second) {
      PremisObject object;
      object.sha256 = sha;
      object.size = size;
      object.format =
        output.value("format", "") == "png" ? "image/png" : "image/jpeg";
      object.bag_path = path;
      premis.objects.push_back(std::move(object));
    }
    add_exhibit(
      fmt::format(
        "a redacted working copy of photo {} (not an "
        "original)",
        redaction.value("source", json::Json::object()).value("attachment", 0)),
      path,
      sha,
      size);
    const std::string source =
      redaction.value("source", json::Json::object()).value("sha256", "");
    if (premis_objects.contains(source)) {
      objects.push_back({source, "source"});
    }
    objects.push_back({sha, "outcome"});
    return {};
  }

  Result<void>
  open_payload(const CourtRecord& record,
               const ledger::Entry& entry,
               const std::string& type,
               std::size_t index,
               std::optional<vault::Compartment> compartment,
               json::Json& item,
               std::string& commitments,
               std::vector<PremisLink>& objects)
  {
    const auto& ref = entry.payloads[index];
    const std::string dir = "data/records/" + record.id;
    if (type == "redaction" && index == 2) {
      return open_derivative(entry, item, commitments, objects);
    }
    if (type == "attachment" && index == 1) {
      // The media: the original itself opens it, with its salt.
      CUSTODY_ASSIGN(
        key, vault.key(vault::Compartment::identity, entry.payloads[0].epoch));
      CUSTODY_ASSIGN(
        described,
        store::open_document(vault.directory(), entry.payloads[0], *key));
      const json::Json attachment =
        described.document.value("attachment", json::Json::object());
      CUSTODY_ASSIGN(recorded, attach::parse_recorded(attachment));
      CUSTODY_ASSIGN(media_key,
                     vault.key(vault::Compartment::identity, ref.epoch));
      const std::string name = attachment.value("name", "");
      const std::string media_type =
        attachment.value("media", json::Json::object())
          .value("mime", "application/octet-stream");
      // The media's commitment in the signed entry (6.2.1) binds the
      // recorded SHA-256, which alone checks the plaintext below.
      if (store::commitment(recorded.media_salt, recorded.sha256)
          != ref.commit) {
        return make_error(Errc::corrupt,
                          fmt::format("entry {}: the attachment document does "
                                      "not describe the media beside it",
                                      entry.seq));
      }
      ProvenanceScan scan;
      CUSTODY_ASSIGN(
        path,
        bag.add_original(
          recorded.sha256,
          name,
          recorded.size,
          Producer([&](const Write& write) -> Result<void> {
            const Write scanned = [&](ByteView piece) -> Result<void> {
              scan.feed(piece);
              return write(piece);
            };
            CUSTODY_ASSIGN(extracted,
                           attach::read_plaintext(vault.directory(),
                                                  ref.obj,
                                                  *media_key,
                                                  recorded.size,
                                                  recorded.sha256,
                                                  scanned,
                                                  nullptr,
                                                  {},
                                                  attach::CheckObjectName::no));
            (void)extracted;
            return {};
          }),
          // read_plaintext fails unless the plaintext hashes
          // to the recorded SHA-256: hashed once, not twice;
          // the object's own hash (invariant 8) is verify's.
          Hashed::by_producer));
      const std::string hex = to_hex(recorded.sha256);
      if (auto notes = provenance_notes(scan.found()); !notes.empty()) {
        provenance[hex] = std::move(notes);
      }
      item["media"] = {
        {"sha256", hex}, {"media_salt", recorded.media_salt}, {"path", path}};
      commitments += fmt::format("{} {} {} {} {}\n",
                                 entry.seq,
                                 index,
                                 to_hex(ref.commit),
                                 path,
                                 recorded.media_salt);
      if (premis_objects.insert(hex).second) {
        PremisObject object;
        object.sha256 = hex;
        object.size = recorded.size;
        object.format =
          media_type.empty() ? "application/octet-stream" : media_type;
        object.bag_path = path;
        object.original_name = name;
        premis.objects.push_back(std::move(object));
      }
      const std::string kind = attachment.value("kind", "file");
      add_exhibit(fields.attachment_documents
                    ? fmt::format("{} (original)", kind)
                    : fmt::format("{} (original: {})", kind, name),
                  path,
                  hex,
                  recorded.size);
      objects.push_back({hex, "outcome"});
      return {};
    }
    auto key = vault.key(*compartment, ref.epoch);
    if (!key) {
      return tl::unexpected(key.error());
    }
    CUSTODY_ASSIGN(opened, store::open_document(vault.directory(), ref, **key));
    std::optional<disclosure::Released<std::string>> plaintext;
    if (type == "attachment") {
      plaintext = disclosure::court_attachment_opening(opened, fields);
    } else if (type == "redaction") {
      plaintext = disclosure::court_redaction_opening(opened);
    } else {
      plaintext = disclosure::court_opening(opened, fields);
    }
    if (!plaintext) {
      item["sealed"] = type == "attachment"
                         ? "the recipe leaves out attachment documents"
                         : "holds a field the recipe leaves out";
      return {};
    }
    const std::string path =
      fmt::format("{}/payloads/{}-{}.json", dir, entry.seq, index);
    CUSTODY_ASSIGN(hex, bag.add_payload(path, as_bytes(**plaintext)));
    (void)hex;
    item["opened"] = path;
    commitments += fmt::format(
      "{} {} {} {} -\n", entry.seq, index, to_hex(ref.commit), path);
    return {};
  }

  void
  add_event(const CourtRecord& record,
            const verify::EntryProof& proved,
            const std::string& type,
            const std::map<std::uint64_t, std::string>& sealers,
            std::uint64_t checkpoint,
            const std::vector<PremisLink>& objects)
  {
    PremisEvent event;
    event.entry_hash = to_hex(ledger::entry_hash(proved.line));
    auto decoded = ledger::decode(proved.line);
    event.date_time = decoded ? decoded->time : std::string();
    if (type == "record") {
      event.type = "ingestion";
      event.detail = "the account recorded (custody record entry)";
    } else if (type == "amend") {
      event.type = "modification";
      event.detail = "the record amended (custody amend entry)";
    } else if (type == "attachment") {
      event.type = "ingestion";
      event.detail = "a file attached; its SHA-256 computed and committed "
                     "(custody attachment entry)";
    } else {
      event.type = "redaction";
      event.detail = "a redacted working copy made (custody redaction entry)";
    }
    event.outcome_notes.push_back(
      fmt::format("record {}; ledger entry {}; inclusion proof in "
                  "data/records/{}/proof.json against data/checkpoint/{}",
                  record.id,
                  proved.seq,
                  record.id,
                  checkpoint));
    if (auto member = sealers.find(proved.seq); member != sealers.end()) {
      event.agents.push_back({member->second, "implementer"});
    }
    for (const auto& object : objects) {
      if (auto notes = provenance.find(object.identifier);
          type == "attachment" && notes != provenance.end()) {
        event.outcome_notes.insert(event.outcome_notes.end(),
                                   notes->second.begin(),
                                   notes->second.end());
      }
    }
    event.objects = objects;
    premis.events.push_back(std::move(event));
  }
};

} // namespace

Result<std::string>
recipe_kind(std::string_view yaml_text)
{
  CUSTODY_ASSIGN(root, load_yaml(yaml_text));
  if (!root["kind"]) {
    return tl::unexpected(
      at(root, "the recipe has no kind (court, dataset, bulletin, police)"));
  }
  return text_of(root["kind"], "kind");
}

Result<CourtRecipe>
parse_court_recipe(std::string_view yaml_text)
{
  CUSTODY_ASSIGN(root, load_recipe(yaml_text, "court"));
  CourtRecipe recipe;
  bool organisation = false;
  for (const auto& item : root) {
    const std::string key = detail::key_name(item.first);
    const YAML::Node& value = item.second;
    if (key == "kind") {
      CUSTODY_TRY(detail::check_kind(value, "court"));
    } else if (key == "organisation") {
      CUSTODY_ASSIGN(text, text_of(value, key));
      recipe.organisation = text;
      organisation = true;
    } else if (key == "case_reference") {
      CUSTODY_ASSIGN(text, text_of(value, key));
      recipe.case_reference = text;
    } else if (key == "leave_out") {
      if (!value.IsSequence()) {
        return tl::unexpected(
          at(value, "leave_out must be a list of form fields"));
      }
      recipe.leave_out.clear();
      for (const auto& field : value) {
        CUSTODY_ASSIGN(name, text_of(field, "each field of leave_out"));
        if (name != "attachment_documents") {
          CUSTODY_ASSIGN(known, is_form_field(name));
          if (!known) {
            return tl::unexpected(
              at(field,
                 fmt::format("leave_out: \"{}\" is not a field of the "
                             "incident form (docs/records.md: person.address, "
                             "person.phones, incident.location ...), nor "
                             "attachment_documents",
                             name)));
          }
        }
        recipe.leave_out.push_back(name);
      }
    } else {
      return tl::unexpected(
        at(item.first,
           fmt::format("unknown key \"{}\"; a court recipe has kind, "
                       "organisation, case_reference and leave_out",
                       key)));
    }
  }
  if (!organisation) {
    return tl::unexpected(
      at(root,
         "the recipe names no organisation (organisation: ...): a court "
         "bundle names who made it"));
  }
  return recipe;
}

disclosure::CourtFields
court_fields(const CourtRecipe& recipe)
{
  disclosure::CourtFields fields;
  for (const auto& field : recipe.leave_out) {
    if (field == "attachment_documents") {
      fields.attachment_documents = true;
    } else {
      fields.pointers.push_back(pointer_of(field));
    }
  }
  return fields;
}

Result<CourtPlan>
plan_court_bundle(vault::Vault& vault,
                  const records::Shards& shards,
                  const CourtRequest& request,
                  Notes& notes)
{
  if (!records::opens_all(shards)) {
    return make_error(Errc::auth,
                      "a court bundle opens every compartment of its records: "
                      "only a legal member may write one");
  }
  CourtPlan plan;
  std::set<std::string> seen;
  std::uint64_t last = 0;
  for (const auto& typed : request.records) {
    CUSTODY_ASSIGN(id, records::resolve_id(vault, typed, notes));
    if (!seen.insert(id).second) {
      continue;
    }
    CUSTODY_ASSIGN(view, records::view_record(shards, id));
    const auto& facts =
      view.parts[records::part_index(vault::Compartment::facts)];
    if (!facts || !has_scope(*facts, k_court_consent)) {
      ++plan.left_out_consent;
      continue;
    }
    CourtRecord record;
    record.id = id;
    for (const auto& row : view.history) {
      record.entries.push_back(row.seq);
    }
    for (const auto& attachment :
         view.attachments.value_or(std::vector<index::AttachmentRow>{})) {
      record.entries.push_back(attachment.seq);
      ++record.attachments;
      record.attachment_bytes += attachment.attachment.value("size", 0ULL);
    }
    CUSTODY_ASSIGN(
      redactions,
      shard_of(shards, vault::Compartment::identity).redactions(id));
    for (const auto& redaction : redactions) {
      record.entries.push_back(redaction.seq);
    }
    std::sort(record.entries.begin(), record.entries.end());
    last = std::max(last, record.entries.back());
    plan.attachments += record.attachments;
    plan.attachment_bytes += record.attachment_bytes;
    plan.records.push_back(std::move(record));
  }
  if (plan.records.empty()) {
    return make_error(
      Errc::invalid_input,
      fmt::format("none of the {} record{} asked for consents to legal_action: "
                  "nothing to export",
                  seen.size(),
                  seen.size() == 1 ? "" : "s"),
      "a record goes to court only with the person's consent "
      "(consent.scopes: legal_action)");
  }
  CUSTODY_ASSIGN(latest, checkpoint::latest(vault.directory()));
  if (latest && *latest > last && *latest <= vault.entry_count()) {
    plan.checkpoint = *latest;
  }
  return plan;
}

Result<CourtBundle>
write_court_bundle(vault::Vault& vault,
                   const records::Shards& shards,
                   const CourtRequest& request,
                   const CourtPlan& plan,
                   Notes& notes)
{
  BagInfo info;
  info.source_organization = request.recipe.organisation;
  info.bagging_date = request.bagging_date;
  if (request.recipe.case_reference) {
    info.extra.emplace_back("External-Identifier",
                            *request.recipe.case_reference);
  }
  info.extra.emplace_back("Bag-Software-Agent",
                          fmt::format("custody {}", request.software_version));
  CUSTODY_ASSIGN(
    bag,
    BagWriter::create(request.out, info, request.replace, request.encrypt_to));

  CourtBundle result;
  const std::uint64_t tree_size = vault.entry_count();
  if (plan.checkpoint) {
    result.checkpoint = *plan.checkpoint;
  } else {
    CUSTODY_ASSIGN(made, vault.make_checkpoint());
    result.checkpoint = made.checkpoint.size;
    result.checkpoint_signed = made.created;
    notes.push_back(fmt::format("signed checkpoint {} of the ledger as it is, "
                                "which the bundle's proofs are against",
                                result.checkpoint));
  }
  CUSTODY_ASSIGN(public_key, vault.signing_public());
  CUSTODY_ASSIGN(stored,
                 checkpoint::read(vault.directory(),
                                  result.checkpoint,
                                  public_key,
                                  vault.state().vault_id));
  if (request.tsa_url && !stored.timestamped) {
    CUSTODY_ASSIGN(tsq, checkpoint::stored_request(vault.directory(), stored));
    auto response = timestamp::ask(*request.tsa_url, tsq);
    if (!response) {
      return make_error(response.error().code,
                        fmt::format("the timestamp authority: {}; nothing was "
                                    "exported",
                                    response.error().message),
                        Remedy::timestamp_later);
    }
    CUSTODY_ASSIGN(token,
                   checkpoint::store_response(vault.directory(),
                                              public_key,
                                              vault.state().vault_id,
                                              result.checkpoint,
                                              *response,
                                              *request.tsa_url));
    stored = std::move(token.stored);
  }
  result.timestamped = stored.timestamped;
  result.key = public_key.to_base64();
  result.key_id = public_key.key_id();

  std::set<std::uint64_t> wanted;
  for (const auto& record : plan.records) {
    wanted.insert(record.entries.begin(), record.entries.end());
  }
  CUSTODY_ASSIGN(sealers, sealed_by(vault, wanted));

  Builder builder{vault,
                  shards,
                  request,
                  plan,
                  court_fields(request.recipe),
                  bag,
                  {},
                  {},
                  {},
                  {},
                  {},
                  {}};
  builder.premis.software_version = request.software_version;
  const std::string checkpoint_path =
    fmt::format("data/checkpoint/{}", result.checkpoint);
  CUSTODY_ASSIGN(c1, bag.add_payload(checkpoint_path, as_bytes(stored.text)));
  CUSTODY_ASSIGN(
    c2,
    bag.add_payload(checkpoint_path + ".minisig", as_bytes(stored.signature)));
  (void)c1;
  (void)c2;
  if (stored.timestamped) {
    CUSTODY_ASSIGN(token,
                   fs::read_file(checkpoint::sibling(
                                   vault.directory(), result.checkpoint, "tsr"),
                                 1 << 20));
    CUSTODY_ASSIGN(c3, bag.add_payload(checkpoint_path + ".tsr", token));
    (void)c3;
  }
  for (const auto& record : plan.records) {
    CUSTODY_TRY(builder.write_record(record, sealers, result.checkpoint));
  }

  // The members who sealed, by key and role, never by name.
  std::set<std::string> agents;
  for (const auto& event : builder.premis.events) {
    for (const auto& agent : event.agents) {
      agents.insert(agent.identifier);
    }
  }
  for (const auto& key_id : agents) {
    auto member = vault.state().members.find(key_id);
    builder.premis.members.push_back(
      {key_id,
       member == vault.state().members.end()
         ? std::string("unknown")
         : std::string(vault::role_name(member->second.role))});
  }
  if (builder.premis.objects.empty()) {
    // PREMIS wants one object: the checkpoint every event is proved against.
    PremisObject object;
    object.sha256 = sha256_hex(as_bytes(stored.text));
    object.size = stored.text.size();
    object.format = "text/plain";
    object.bag_path = checkpoint_path;
    builder.premis.objects.push_back(std::move(object));
  }
  CUSTODY_ASSIGN(premis, write_premis(builder.premis));
  CUSTODY_TRY(bag.add_tag_file("metadata/premis.xml", as_bytes(premis)));
  CUSTODY_ASSIGN(
    pub, fs::read_file(fs::Path(vault.directory()) / "custody.pub", 1 << 16));
  CUSTODY_TRY(bag.add_tag_file("custody.pub", pub));
  render::ExhibitList list;
  list.organisation = request.recipe.organisation;
  list.case_reference = request.recipe.case_reference.value_or("");
  list.bagging_date = request.bagging_date;
  list.checkpoint =
    fmt::format("{}, {} entries, root {}",
                stored.checkpoint.origin,
                stored.checkpoint.size,
                to_base64(stored.checkpoint.root, Padding::yes));
  list.key = result.key;
  list.key_id = result.key_id;
  list.exhibits = std::move(builder.exhibits);
  CUSTODY_ASSIGN(pdf, render::exhibits_pdf(list));
  CUSTODY_TRY(bag.add_tag_file("EXHIBITS.pdf", pdf));
  CUSTODY_TRY(
    bag.add_tag_file("VERIFY.txt",
                     as_bytes(verify_text(
                       request, plan, result.checkpoint, stored.timestamped))));

  CUSTODY_ASSIGN(
    summary, bag.finish([&](const BagSummary& complete) -> Result<void> {
      json::Json records = json::Json::array();
      for (const auto& record : plan.records) {
        records.push_back(record.id);
      }
      const Container container = container_for(request.out);
      json::Json document = {
        {"type", "export"},
        {"export",
         {{"kind", "court"},
          {"recipe",
           {{"name", request.recipe_name}, {"sha256", request.recipe_sha256}}},
          {"case_reference",
           request.recipe.case_reference
             ? json::Json(*request.recipe.case_reference)
             : json::Json(nullptr)},
          {"tree_size", tree_size},
          {"checkpoint", result.checkpoint},
          {"records", records},
          {"left_out", {{"consent", plan.left_out_consent}}},
          {"output",
           {{"name", request.out.filename().string()},
            {"container",
             container == Container::directory ? "directory"
             : container == Container::zip     ? "zip"
                                               : "tar"},
            {"sha256",
             complete.archive_sha256 ? json::Json(*complete.archive_sha256)
                                     : json::Json(nullptr)},
            {"encrypted_to",
             request.encrypt_to ? json::Json(request.encrypt_to->encode())
                                : json::Json(nullptr)},
            {"tagmanifest_sha256", complete.tagmanifest_sha256},
            {"payload_oxum",
             fmt::format(
               "{}.{}", complete.payload_octets, complete.payload_files)}}}}}};
      CUSTODY_ASSIGN(seq, append_export(vault, document));
      result.export_seq = seq;
      return {};
    }));
  result.bag = std::move(summary);
  return result;
}

} // namespace custody::bundle
