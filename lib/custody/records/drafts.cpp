// Drafts of the interactive intake, drafts/<key-id>/<id>.age (docs/formats.md
// section 13): sealed cache files encrypted to the member herself.
#include <custody/crypto/crypto.hpp>
#include <custody/ledger/cache_file.hpp>
#include <custody/records/drafts.hpp>
#include <custody/vault/vault.hpp>

#include <fmt/core.h>
#include <fmt/std.h>

#include <algorithm>
#include <charconv>
#include <system_error>

namespace custody::drafts {

namespace {

using namespace std::chrono;

// Padded to whole 64 KiB, so that a draft's size says little about how much
// was typed.
constexpr cache_file::Kind k_draft_file{
  "custody-draft-v1\n", "custody/v1/member-draft-mac", 64 * 1024};

// Two free texts of 64 KiB and every list full: well under this.
constexpr std::uint64_t k_max_draft_file = 8 * 1024 * 1024;

constexpr std::string_view k_suffix = ".age";

bool
is_draft_id(std::string_view id)
{
  return id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string
utc_text(sys_seconds time)
{
  const auto day = floor<days>(time);
  const year_month_day date(day);
  const hh_mm_ss clock(time - day);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02} UTC",
                     static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()),
                     static_cast<unsigned>(date.day()),
                     clock.hours().count(),
                     clock.minutes().count());
}

std::optional<sys_seconds>
time_field(const json::Json& header, const char* name)
{
  const auto it = header.find(name);
  if (it == header.end() || !it->is_number_integer()) {
    return std::nullopt;
  }
  return sys_seconds(seconds(it->get<std::int64_t>()));
}

// Deletes `path` and makes the deletion durable; false when it could not.
bool
delete_file(const fs::Path& path)
{
  std::error_code error;
  if (!std::filesystem::remove(path, error) && error) {
    return false;
  }
  return fs::fsync_directory(path.parent_path()).has_value();
}

// The time `path` was last written, as the system clock tells it.
std::optional<sys_seconds>
written_at(const fs::Path& path)
{
  std::error_code error;
  const auto time = std::filesystem::last_write_time(path, error);
  if (error) {
    return std::nullopt;
  }
  return time_point_cast<seconds>(file_clock::to_sys(time));
}

// Deletes every member's draft files last written more than k_max_lifetime
// before `now`: no lifetime a member may choose keeps them.
void
sweep_old(const fs::Path& drafts, sys_seconds now, Notes& notes)
{
  std::error_code error;
  std::size_t deleted = 0;
  std::size_t stuck = 0;
  for (std::filesystem::directory_iterator member(drafts, error), end;
       !error && member != end;
       member.increment(error)) {
    std::error_code status_error;
    if (!member->is_directory(status_error)
        || member->is_symlink(status_error)) {
      continue;
    }
    std::error_code inner;
    for (std::filesystem::directory_iterator file(member->path(), inner);
         !inner && file != end;
         file.increment(inner)) {
      const auto& path = file->path();
      if (path.extension() != k_suffix || !file->is_regular_file(status_error)
          || file->is_symlink(status_error)) {
        continue;
      }
      const auto when = written_at(path);
      if (when && *when + k_max_lifetime < now) {
        if (delete_file(path)) {
          ++deleted;
        } else {
          ++stuck;
        }
      }
    }
  }
  if (deleted > 0) {
    notes.emplace_back(
      fmt::format("deleted {} draft{} older than the longest lifetime a "
                  "draft may have ({} days)",
                  deleted,
                  deleted == 1 ? "" : "s",
                  k_max_lifetime.count() / 86400));
  }
  if (stuck > 0) {
    notes.emplace_back(Note::Level::warning,
                       fmt::format("{} expired draft{} under {} could not be "
                                   "deleted",
                                   stuck,
                                   stuck == 1 ? "" : "s",
                                   drafts));
  }
}

} // namespace

Owner
owner_of(const vault::Vault& vault)
{
  return Owner{vault.directory(),
               vault.state().vault_id,
               vault.me().key_id,
               &vault.cache_owner()};
}

std::string
new_id()
{
  return to_hex(random_bytes(16));
}

fs::Path
directory_of(const Owner& owner)
{
  return owner.vault / "drafts" / owner.key_id;
}

fs::Path
path_of(const Owner& owner, std::string_view id)
{
  return directory_of(owner) / (std::string(id) + std::string(k_suffix));
}

Result<fs::Path>
save(const Owner& owner, const Draft& draft)
{
  if (!is_draft_id(draft.id) || owner.identity == nullptr) {
    return fail(Errc::internal, "a draft needs an id and an owner");
  }
  json::Json header = {
    {"vault", owner.vault_id},
    {"member", owner.key_id},
    {"draft", draft.id},
    {"saved", draft.saved.time_since_epoch().count()},
    {"expires", draft.expires.time_since_epoch().count()},
  };
  const std::string body =
    json::canonical(json::Json{{"answers", draft.answers}, {"at", draft.at}});
  CUSTODY_ASSIGN(
    file,
    cache_file::seal(
      k_draft_file, std::move(header), as_bytes(body), *owner.identity));
  const fs::Path directory = directory_of(owner);
  CUSTODY_TRY(fs::make_directories(directory));
  const fs::Path path = path_of(owner, draft.id);
  CUSTODY_TRY(fs::write_file_atomic(path, file));
  return path;
}

Result<Found>
open(const Owner& owner, sys_seconds now)
{
  Found found;
  if (owner.identity == nullptr) {
    return fail(Errc::internal, "opening drafts needs their owner");
  }
  const fs::Path drafts = owner.vault / "drafts";
  sweep_old(drafts, now, found.notes);
  const fs::Path mine = directory_of(owner);
  std::error_code error;
  std::vector<fs::Path> files;
  for (std::filesystem::directory_iterator it(mine, error), end;
       !error && it != end;
       it.increment(error)) {
    std::error_code status_error;
    const auto& path = it->path();
    if (path.extension() == k_suffix && it->is_regular_file(status_error)
        && !it->is_symlink(status_error)) {
      files.push_back(path);
    }
  }
  if (error && error != std::errc::no_such_file_or_directory) {
    return tl::unexpected(fs::errno_error("read", mine, error.value()));
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    const std::string name = path.lexically_relative(owner.vault).string();
    const std::string id = path.stem().string();
    const auto left_alone = [&](std::string_view why) {
      found.notes.emplace_back(
        Note::Level::warning,
        fmt::format("{} {}; it was left alone", name, why));
    };
    auto bytes = fs::read_file(path, k_max_draft_file, fs::Origin::vault);
    if (!bytes) {
      if (bytes.error().code == Errc::not_found) {
        continue;
      }
      return tl::unexpected(bytes.error());
    }
    auto opened = cache_file::open(k_draft_file, *bytes, *owner.identity);
    if (!opened) {
      left_alone("does not open as one of your drafts (forged or damaged)");
      continue;
    }
    const json::Json& header = opened->header;
    const auto saved = time_field(header, "saved");
    const auto expires = time_field(header, "expires");
    if (cache_file::string_field(header, "vault") != owner.vault_id
        || cache_file::string_field(header, "member") != owner.key_id
        || cache_file::string_field(header, "draft") != id || !saved
        || !expires) {
      left_alone("is not a draft of yours for this vault");
      continue;
    }
    if (*expires <= now) {
      if (delete_file(path)) {
        found.notes.emplace_back(
          fmt::format("deleted your draft saved {}: it expired {}",
                      utc_text(*saved),
                      utc_text(*expires)));
      } else {
        found.notes.emplace_back(
          Note::Level::warning,
          fmt::format("{} expired but could not be deleted", name));
      }
      continue;
    }
    auto body = json::parse_strict(as_text(opened->body));
    if (!body || !body->is_object() || !body->contains("answers")
        || !body->at("answers").is_object()) {
      left_alone("holds no answers custody can read");
      continue;
    }
    std::string at;
    if (const auto it = body->find("at");
        it != body->end() && it->is_string()) {
      at = it->get<std::string>();
    }
    found.drafts.push_back(Draft{
      id, std::move(body->at("answers")), std::move(at), *saved, *expires});
  }
  std::stable_sort(
    found.drafts.begin(),
    found.drafts.end(),
    [](const Draft& a, const Draft& b) { return a.saved > b.saved; });
  return found;
}

Result<void>
remove(const Owner& owner, std::string_view id)
{
  if (!is_draft_id(id)) {
    return fail(Errc::internal, "not a draft id");
  }
  const fs::Path path = path_of(owner, id);
  std::error_code error;
  if (!std::filesystem::remove(path, error) && error) {
    return tl::unexpected(fs::errno_error("delete", path, error.value()));
  }
  return fs::fsync_directory(path.parent_path());
}

Result<std::chrono::seconds>
parse_lifetime(std::string_view text)
{
  const auto bad = [] {
    return make_error(Errc::invalid_input,
                      "a draft's lifetime is a number and a unit (s, m, h, d), "
                      "from 1s to 7d",
                      "for example 24h, 90m or 2d");
  };
  if (text.size() < 2) {
    return bad();
  }
  std::uint64_t number = 0;
  const auto digits = text.substr(0, text.size() - 1);
  const auto [end, ec] =
    std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc() || end != digits.data() + digits.size()
      || number > 1'000'000) {
    return bad();
  }
  std::uint64_t unit = 0;
  switch (text.back()) {
  case 's':
    unit = 1;
    break;
  case 'm':
    unit = 60;
    break;
  case 'h':
    unit = 3600;
    break;
  case 'd':
    unit = 86400;
    break;
  default:
    return bad();
  }
  const auto lifetime = std::chrono::seconds(number * unit);
  if (lifetime < std::chrono::seconds(1) || lifetime > k_max_lifetime) {
    return bad();
  }
  return lifetime;
}

} // namespace custody::drafts
