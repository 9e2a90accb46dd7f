// One verification over one snapshot (verify.hpp).
#include <custody/crypto/minisign.hpp>
#include <custody/ledger/checkpoint.hpp>
#include <custody/ledger/store.hpp>
#include <custody/verify/verify.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

namespace custody::verify {

namespace {

constexpr std::uint64_t k_max_pub_file = 1024 * 1024;

// A finding ends the check with the report so far; anything else is a
// failure to check.
class Finding
{
public:
  explicit Finding(Report& report)
    : m_report(report)
  {
  }
  // True when `result` failed with a finding, which is then the report's.
  template<typename T>
  bool
  found(const Result<T>& result, std::optional<int> invariant)
  {
    if (result || result.error().code != Errc::corrupt) {
      return false;
    }
    const int known = result.error().invariant;
    m_report.problem = Problem{
      result.error(), known != 0 ? std::optional<int>(known) : invariant};
    return true;
  }

private:
  Report& m_report;
};

// invariant 8: every named object exists (and, unless --deep hashes it as it
// decrypts, matches its name); objects nothing names are reported.
Result<void>
check_objects(const fs::Path& directory,
              const vault::LedgerCheck& ledger,
              const Options& options,
              Report& report)
{
  for (const Digest& name : ledger.objects) {
    if (options.deep) {
      if (!std::filesystem::is_regular_file(
            store::object_path(directory, name))) {
        return fail(Errc::corrupt,
                    "object {} named by the ledger is missing",
                    to_hex(name));
      }
      continue;
    }
    // Streamed: an attachment can be larger than memory.
    CUSTODY_TRY(store::check_object(directory, name, options.hash_progress));
  }
  for (const auto& file : ledger.snapshot.object_files) {
    const std::string name =
      file.parent_path().filename().string() + file.filename().string();
    auto digest = digest_from_hex(name);
    if (!digest || !ledger.objects.contains(*digest)) {
      report.notes.push_back(
        fmt::format("object {} is not named by any entry (left by an "
                    "interrupted command; kept, not deleted)",
                    file));
    }
  }
  return {};
}

// invariants 16-18: checkpoints, against the vault key the signed ledger
// names (custody.pub as found when there is no identity to read it with).
Result<void>
check_checkpoints(const fs::Path& directory,
                  const identity::Member* member,
                  const vault::LedgerCheck& ledger,
                  const Options& options,
                  Report& report)
{
  std::optional<minisign::PublicKey> vault_key;
  if (member != nullptr) {
    CUSTODY_ASSIGN(
      key, minisign::PublicKey::from_base64(ledger.state.signing_public));
    vault_key = key;
  } else {
    CUSTODY_ASSIGN(pub_text,
                   fs::read_file(directory / "custody.pub", k_max_pub_file));
    auto key = minisign::PublicKey::from_file_text(as_text(pub_text));
    if (!key) {
      return fail(Errc::corrupt, "custody.pub: {}", key.error().message);
    }
    vault_key = *key;
  }
  const std::string vault_id = member != nullptr ? ledger.state.vault_id : "";
  CUSTODY_ASSIGN(
    tree, checkpoint::load_tree(directory, {}, ledger.snapshot.tip.count));
  CUSTODY_ASSIGN(checkpoints,
                 checkpoint::check_all(directory,
                                       ledger.snapshot.checkpoints,
                                       tree,
                                       *vault_key,
                                       vault_id,
                                       report.notes,
                                       options.tsa_ca));
  report.checkpoints = checkpoints;
  if (options.against) {
    CUSTODY_ASSIGN(against,
                   checkpoint::check_against(
                     directory, *options.against, tree, *vault_key, vault_id));
    report.against = std::move(against);
  }
  return {};
}

} // namespace

Result<Report>
check(const fs::Path& directory,
      const identity::Member* member,
      const Options& options)
{
  Report report;
  Finding finding(report);
  auto ledger =
    vault::check_ledger(directory, member, options.vault, report.notes);
  if (finding.found(ledger, std::nullopt)) {
    return report;
  }
  if (!ledger) {
    return tl::unexpected(ledger.error());
  }
  report.admin_checked = ledger->admin_checked;
  report.entries = ledger->snapshot.tip.count;
  report.members = ledger->state.members.size();
  report.objects = ledger->objects.size();

  auto objects = check_objects(directory, *ledger, options, report);
  if (finding.found(objects, 8)) {
    return report;
  }
  if (!objects) {
    return tl::unexpected(objects.error());
  }

  auto checkpoints =
    check_checkpoints(directory, member, *ledger, options, report);
  if (finding.found(checkpoints, std::nullopt)) {
    return report;
  }
  if (!checkpoints) {
    return tl::unexpected(checkpoints.error());
  }

  if (ledger->vault && ledger->records) {
    auto listed = check_attachments(*ledger->vault, *ledger->records);
    if (finding.found(listed, 23)) {
      return report;
    }
    if (!listed) {
      return tl::unexpected(listed.error());
    }
    report.records = *listed;
  }
  if (options.index && ledger->vault) {
    auto shards = check_index(*ledger->vault,
                              ledger->records ? &*ledger->records : nullptr,
                              report.notes);
    const bool refused =
      !shards && shards.error().message.find("amend") != std::string::npos;
    if (finding.found(shards, refused ? 19 : 15)) {
      return report;
    }
    if (!shards) {
      return tl::unexpected(shards.error());
    }
    report.shards = std::move(*shards);
  }
  if (options.deep && ledger->vault) {
    auto checked = deep(*ledger->vault, options.cancel, options.deep_progress);
    if (finding.found(checked, 8)) {
      return report;
    }
    if (!checked) {
      return tl::unexpected(checked.error());
    }
    report.deep = *checked;
  }
  return report;
}

} // namespace custody::verify
