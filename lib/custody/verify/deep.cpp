// verify --deep: every payload the member's keys open is decrypted, every
// attachment's plaintext hashed (docs/formats.md section 6.2.1), every other
// object checked against its name (invariant 8).
#include <custody/base/canonical_json.hpp>
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/store.hpp>
#include <custody/media/attach.hpp>
#include <custody/verify/deep.hpp>

#include <fmt/core.h>

#include <filesystem>

namespace custody::verify {

Result<DeepReport>
deep(vault::Vault& vault,
     const std::atomic<bool>* cancel,
     const std::function<void(std::uint64_t, std::uint64_t)>& progress)
{
  DeepReport report;
  const fs::Path& directory = vault.directory();
  auto size_of = [&](const Digest& name) {
    std::error_code ec;
    const auto size =
      std::filesystem::file_size(store::object_path(directory, name), ec);
    return ec ? std::uint64_t{0} : static_cast<std::uint64_t>(size);
  };
  // The total for progress: the bytes of every object the ledger names (a
  // scan of its own, so only when someone watches).
  std::uint64_t total = 0;
  if (progress) {
    CUSTODY_TRY(vault.scan(
      [&](const ledger::Entry& entry, const Digest&) -> Result<void> {
        for (const auto& ref : entry.payloads) {
          total += size_of(ref.obj);
        }
        return {};
      }));
  }
  std::uint64_t done = 0;
  auto report_progress = [&](std::uint64_t extra) {
    if (progress) {
      progress(done + extra, total);
    }
  };
  // An object this member cannot open is still checked against its name
  // (invariant 8), since verify leaves that to --deep.
  auto hash_only = [&](const Digest& name) -> Result<void> {
    CUSTODY_TRY(store::check_object(directory, name, {}));
    ++report.sealed;
    done += size_of(name);
    report_progress(0);
    return {};
  };
  auto checked_all = vault.scan([&](const ledger::Entry& entry,
                                    const Digest&) -> Result<void> {
    if (cancel != nullptr && cancel->load()) {
      return make_error(Errc::interrupted, "interrupted; nothing was written");
    }
    if (entry.kind == ledger::Kind::redaction) {
      // docs/formats.md 6.6: each document that opens is of its type, both
      // name one record, and a released text hashes to its output.
      constexpr vault::Compartment parts[] = {vault::Compartment::identity,
                                              vault::Compartment::aggressor};
      constexpr std::string_view types[] = {"redaction", "derivative"};
      std::string record;
      for (std::size_t i = 0; i < 2; ++i) {
        const auto& ref = entry.payloads[i];
        auto key = vault.key(parts[i], ref.epoch);
        if (!key) {
          if (key.error().code != Errc::auth) {
            return tl::unexpected(key.error());
          }
          CUSTODY_TRY(hash_only(ref.obj));
          continue;
        }
        CUSTODY_ASSIGN_CTX(opened,
                           store::open_document(directory, ref, **key),
                           fmt::format("entry {}", entry.seq));
        ++report.documents;
        done += size_of(ref.obj);
        const json::Json& document = opened.document;
        const std::string named = document.value("record", "");
        const json::Json& body =
          i == 0 ? document.value("redaction", json::Json::object()) : document;
        const bool has_text = body.contains("text");
        const std::string output =
          body.value("output", json::Json::object()).value("sha256", "");
        if (document.value("type", "") != types[i] || named.size() != 32
            || (!record.empty() && named != record)
            || (has_text
                && sha256_hex(as_bytes(json::canonical(body["text"])))
                     != output)) {
          return fail(Errc::corrupt,
                      "entry {}: the redaction's {} document is not what "
                      "docs/formats.md 6.6 says",
                      entry.seq,
                      vault::compartment_name(parts[i]));
        }
        record = named;
      }
      if (entry.payloads.size() == 3) {
        // A photo's derivative (6.6.1): its object against its name here;
        // extract checks its plaintext against the recorded SHA-256.
        CUSTODY_TRY(hash_only(entry.payloads[2].obj));
      }
      return {};
    }
    if (entry.kind != ledger::Kind::put) {
      // Admin statements and seals were opened and checked by verify's
      // replay; their objects' names are checked here.
      for (const auto& ref : entry.payloads) {
        CUSTODY_TRY(store::check_object(directory, ref.obj, {}));
        done += size_of(ref.obj);
      }
      return {};
    }
    // A record's four payloads, one compartment each; an attachment's
    // document and media, both identity.
    CUSTODY_ASSIGN(shape, vault::put_shape(entry));
    const bool attachment = shape == vault::PutShape::attachment;
    for (std::size_t i = 0; i < entry.payloads.size(); ++i) {
      const auto& ref = entry.payloads[i];
      if (attachment && i == 1) {
        continue; // checked with its document below
      }
      const vault::Compartment compartment = vault::put_compartment(shape, i);
      auto key = vault.key(compartment, ref.epoch);
      if (!key) {
        if (key.error().code != Errc::auth) {
          return tl::unexpected(key.error());
        }
        CUSTODY_TRY(hash_only(ref.obj));
        if (attachment) {
          CUSTODY_TRY(hash_only(entry.payloads[1].obj));
        }
        continue;
      }
      // read_object, under open_document, checks the name too.
      CUSTODY_ASSIGN_CTX(opened,
                         store::open_document(directory, ref, **key),
                         fmt::format("entry {}", entry.seq));
      ++report.documents;
      done += size_of(ref.obj);
      if (!attachment) {
        continue;
      }
      const json::Json described =
        opened.document.value("attachment", json::Json::object());
      auto recorded = attach::parse_recorded(described);
      if (!recorded) {
        return fail(
          Errc::corrupt, "entry {}: {}", entry.seq, recorded.error().message);
      }
      const auto& media = entry.payloads[1];
      if (recorded->object != media.obj
          || store::commitment(recorded->media_salt, recorded->sha256)
               != media.commit) {
        return fail(Errc::corrupt,
                    "entry {}: the attachment document does not describe "
                    "the object beside it",
                    entry.seq);
      }
      CUSTODY_ASSIGN_CTX(
        checked,
        attach::read_plaintext(
          directory,
          media.obj,
          **key,
          recorded->size,
          recorded->sha256,
          {},
          cancel,
          [&](std::uint64_t at, std::uint64_t) { report_progress(at); }),
        fmt::format("entry {}", entry.seq));
      ++report.attachments;
      report.bytes += checked.size;
      done += size_of(media.obj);
      report_progress(0);
    }
    return {};
  });
  if (!checked_all) {
    return tl::unexpected(checked_all.error());
  }
  return report;
}
} // namespace custody::verify
