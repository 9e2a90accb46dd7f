#include <custody/crypto/crypto.hpp>
#include <custody/ledger/checkpoint.hpp>
#include <custody/ledger/ledger.hpp>
#include <custody/ledger/timestamp.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <filesystem>
#include <map>
#include <sstream>

namespace custody::checkpoint {

namespace {

constexpr std::string_view k_origin_prefix = "custody/";
constexpr std::string_view k_comment_prefix = "custody checkpoint ";
constexpr std::string_view k_frontier_magic = "custody-frontier-v1";
constexpr std::string_view k_frontier_name = "frontier";

bool
is_lower_hex(std::string_view text)
{
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

bool
is_decimal(std::string_view text)
{
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return c >= '0' && c <= '9';
  });
}

std::optional<std::uint64_t>
parse_size(std::string_view text)
{
  if (!is_decimal(text) || (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, ec] =
    std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

Error
as_corrupt(Error error, std::string_view context)
{
  error.code = Errc::corrupt;
  return with_context(std::move(error), context);
}

std::string
name_of(std::uint64_t size)
{
  return fmt::format("checkpoints/{}", size);
}

// The first entry that can differ from what a disagreeing checkpoint signed:
// the one after the largest checkpoint that still agrees.
std::string
first_suspect(std::uint64_t agreed)
{
  if (agreed == 0) {
    return "the first entry that can differ is entry 0 (no earlier "
           "checkpoint agrees)";
  }
  return fmt::format("the first entry that can differ is entry {} (the "
                     "checkpoint of {} entries still agrees)",
                     agreed,
                     agreed);
}

} // namespace

std::string
origin_of(std::string_view vault_id)
{
  return fmt::format("{}{}", k_origin_prefix, vault_id);
}

std::string
encode(const Checkpoint& checkpoint)
{
  return fmt::format("{}\n{}\n{}\n",
                     checkpoint.origin,
                     checkpoint.size,
                     to_base64(checkpoint.root, Padding::yes));
}

Result<Checkpoint>
parse(std::string_view text)
{
  if (text.size() > k_max_text) {
    return fail(Errc::invalid_input,
                "a checkpoint is at most {} bytes; this is {}",
                k_max_text,
                text.size());
  }
  std::string_view lines[3];
  std::size_t offset = 0;
  for (int i = 0; i < 3; ++i) {
    const auto newline = text.find('\n', offset);
    if (newline == std::string_view::npos) {
      return fail(Errc::invalid_input,
                  "line {} (byte {}) does not end in LF: a checkpoint is "
                  "three lines, origin, size and root",
                  i + 1,
                  offset);
    }
    lines[i] = text.substr(offset, newline - offset);
    const auto cr = lines[i].find('\r');
    if (cr != std::string_view::npos) {
      return fail(Errc::invalid_input,
                  "line {} (byte {}) holds a CR",
                  i + 1,
                  offset + cr);
    }
    offset = newline + 1;
  }
  if (offset != text.size()) {
    return fail(Errc::invalid_input,
                "byte {}: text after the root line (a custody checkpoint has "
                "no extension lines)",
                offset);
  }
  Checkpoint checkpoint;
  const std::string_view origin = lines[0];
  const std::string_view id =
    origin.substr(std::min(origin.size(), k_origin_prefix.size()));
  if (!origin.starts_with(k_origin_prefix) || id.size() != 32
      || !is_lower_hex(id)) {
    return fail(Errc::invalid_input,
                "line 1 (byte 0): the origin is not custody/<vault id of 32 "
                "lowercase hex digits>");
  }
  checkpoint.origin = std::string(origin);
  const std::size_t size_offset = lines[0].size() + 1;
  const auto size = parse_size(lines[1]);
  if (!size || *size == 0) {
    return fail(Errc::invalid_input,
                "line 2 (byte {}): the tree size is not a decimal number "
                "above 0 without leading zeros",
                size_offset);
  }
  checkpoint.size = *size;
  const std::size_t root_offset = size_offset + lines[1].size() + 1;
  auto root = from_base64(lines[2], Padding::yes);
  if (!root || root->size() != 32
      || to_base64(*root, Padding::yes) != lines[2]) {
    return fail(Errc::invalid_input,
                "line 3 (byte {}): the root is not the padded base64 of 32 "
                "bytes",
                root_offset);
  }
  std::copy(root->begin(), root->end(), checkpoint.root.begin());
  return checkpoint;
}

std::string
trusted_comment(const Checkpoint& checkpoint, std::string_view time)
{
  return fmt::format("{}{} {} time:{}",
                     k_comment_prefix,
                     checkpoint.origin,
                     checkpoint.size,
                     time);
}

Result<std::string>
sign(const minisign::SecretKey& key, const Checkpoint& checkpoint)
{
  const std::string text = encode(checkpoint);
  return minisign::sign(
    key,
    as_bytes(text),
    trusted_comment(checkpoint, ledger::now_rfc3339()),
    fmt::format("custody checkpoint, verify with: minisign -Vm {} -p "
                "custody.pub",
                checkpoint.size));
}

Result<Checkpoint>
verify(std::string_view text,
       std::string_view signature_text,
       const minisign::PublicKey& key)
{
  CUSTODY_ASSIGN(checkpoint, parse(text));
  auto comment = minisign::verify(key, as_bytes(text), signature_text);
  if (!comment) {
    return fail(Errc::corrupt,
                "the signature does not verify with the vault key {}: {}",
                key.key_id(),
                comment.error().message);
  }
  // The signature covers the body already; the comment must not claim
  // another one.
  const std::string expected = fmt::format(
    "{}{} {} ", k_comment_prefix, checkpoint.origin, checkpoint.size);
  if (!comment->starts_with(expected)) {
    return fail(Errc::corrupt,
                "the signature's trusted comment does not name this "
                "checkpoint (\"{}\")",
                *comment);
  }
  return checkpoint;
}

namespace {

// verify(), as file `name` of the vault `vault_id` (any vault when empty):
// what both reading a stored checkpoint and checking one kept elsewhere need.
Result<Checkpoint>
verify_file(std::string_view text,
            std::string_view signature_text,
            const minisign::PublicKey& key,
            std::string_view vault_id,
            std::string_view name)
{
  auto checked = verify(text, signature_text, key);
  if (!checked) {
    return tl::unexpected(as_corrupt(checked.error(), name));
  }
  if (!vault_id.empty() && checked->origin != origin_of(vault_id)) {
    return fail(Errc::corrupt,
                "{} belongs to {}, not to this vault ({})",
                name,
                checked->origin,
                origin_of(vault_id));
  }
  return checked;
}

} // namespace

fs::Path
directory(const fs::Path& vault)
{
  return vault / "checkpoints";
}

fs::Path
file(const fs::Path& vault, std::uint64_t size)
{
  return directory(vault) / std::to_string(size);
}

fs::Path
sibling(const fs::Path& vault, std::uint64_t size, std::string_view extension)
{
  return directory(vault) / fmt::format("{}.{}", size, extension);
}

Result<Listing>
list(const fs::Path& vault)
{
  Listing listing;
  std::vector<std::pair<std::uint64_t, std::string>> siblings;
  const fs::Path dir = directory(vault);
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    return listing;
  }
  for (const auto& item : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = item.path().filename().string();
    if (name == k_frontier_name) {
      continue;
    }
    const auto dot = name.find('.');
    const auto size = parse_size(std::string_view(name).substr(0, dot));
    const std::string extension =
      dot == std::string::npos ? "" : name.substr(dot + 1);
    if (size && *size > 0 && extension.empty() && item.is_regular_file(ec)) {
      listing.sizes.push_back(*size);
    } else if (!size || *size == 0
               || (extension != "minisig" && extension != "tsq"
                   && extension != "tsr")) {
      listing.strays.push_back("checkpoints/" + name);
    } else {
      siblings.emplace_back(*size, name);
    }
  }
  // A signature whose body never came: an interrupted command (the
  // signature is written first).
  std::sort(listing.sizes.begin(), listing.sizes.end());
  for (const auto& [size, name] : siblings) {
    if (!std::binary_search(listing.sizes.begin(), listing.sizes.end(), size)) {
      listing.strays.push_back("checkpoints/" + name);
    }
  }
  if (ec) {
    return tl::unexpected(fs::errno_error("read directory", dir, ec.value()));
  }
  std::sort(listing.strays.begin(), listing.strays.end());
  return listing;
}

Result<merkle::Tree>
load_tree(const fs::Path& vault,
          const std::function<void(std::uint64_t, std::string_view)>& each_line,
          std::optional<std::uint64_t> up_to)
{
  std::vector<Digest> leaves;
  CUSTODY_ASSIGN(tip,
                 ledger::scan(
                   vault,
                   [&](const ledger::Line& line) -> Result<void> {
                     if (each_line) {
                       each_line(leaves.size(), line.text);
                     }
                     leaves.push_back(merkle::leaf_hash(as_bytes(line.text)));
                     return {};
                   },
                   up_to));
  (void)tip;
  return merkle::Tree(leaves);
}

Result<merkle::Tree>
load_tree(const fs::Path& vault)
{
  return load_tree(vault, {});
}

namespace {

Result<Made>
make_signed(const fs::Path& vault,
            const std::string& vault_id,
            std::uint64_t size,
            const Digest& root,
            const minisign::SecretKey& key)
{
  const Checkpoint checkpoint{origin_of(vault_id), size, root};
  const std::string text = encode(checkpoint);
  const fs::Path body = file(vault, checkpoint.size);
  auto existing = fs::read_file(body, k_max_text + 1);
  if (existing) {
    if (as_text(*existing) != text) {
      return make_error(
        Errc::corrupt,
        fmt::format("{} already holds another root for {} entries: the "
                    "ledger was rewritten after that checkpoint was signed",
                    name_of(checkpoint.size),
                    checkpoint.size),
        Remedy::run_verify);
    }
    // The same body: keep it, but give it back a signature it lost (a
    // deleted or damaged .minisig), since the body is what was signed.
    const fs::Path signature_file = sibling(vault, checkpoint.size, "minisig");
    auto signature = fs::read_file(signature_file, k_max_text * 4);
    if (!signature || !verify(text, as_text(*signature), key.public_key())) {
      CUSTODY_ASSIGN(fresh, sign(key, checkpoint));
      CUSTODY_TRY(fs::write_file_atomic(signature_file, as_bytes(fresh)));
    }
    std::error_code ec;
    const bool timestamped =
      std::filesystem::exists(sibling(vault, checkpoint.size, "tsr"), ec);
    return Made{checkpoint, false, timestamped};
  }
  if (existing.error().code != Errc::not_found) {
    return tl::unexpected(existing.error());
  }
  CUSTODY_TRY(fs::make_directories(directory(vault)));
  CUSTODY_ASSIGN(signature, sign(key, checkpoint));
  // The signature first: a crash between the two leaves a signature with no
  // body, which list() reports and the next checkpoint replaces, never a
  // body without its signature.
  CUSTODY_TRY(fs::write_file_atomic(sibling(vault, checkpoint.size, "minisig"),
                                    as_bytes(signature)));
  CUSTODY_TRY(fs::write_file_atomic(body, as_bytes(text)));
  return Made{checkpoint, true, false};
}

std::string
encode_frontier(const Frontier& frontier, Position next)
{
  std::string out = fmt::format("{}\n{} {} {}\n",
                                k_frontier_magic,
                                frontier.size(),
                                next.segment,
                                next.offset);
  for (const auto& hash : frontier.hashes()) {
    out += to_base64(hash, Padding::yes);
    out += '\n';
  }
  return out;
}

struct SavedFrontier
{
  Frontier frontier;
  Position next;
};

// checkpoints/frontier when it is well formed and its root is the signed root
// of the checkpoint of its size; nullopt otherwise (it is only a cache).
std::optional<SavedFrontier>
load_frontier(const fs::Path& vault,
              const minisign::PublicKey& public_key,
              const std::string& vault_id)
{
  auto bytes = fs::read_file(directory(vault) / k_frontier_name, 8192);
  if (!bytes) {
    return std::nullopt;
  }
  std::istringstream in{std::string(as_text(*bytes))};
  std::string magic;
  std::uint64_t size = 0;
  Position next;
  if (!std::getline(in, magic) || magic != k_frontier_magic
      || !(in >> size >> next.segment >> next.offset) || size == 0) {
    return std::nullopt;
  }
  std::vector<Digest> hashes;
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    auto hash = from_base64(line, Padding::yes);
    if (!hash || hash->size() != 32) {
      return std::nullopt;
    }
    hashes.emplace_back();
    std::copy(hash->begin(), hash->end(), hashes.back().begin());
  }
  auto frontier = Frontier::from(size, hashes);
  if (!frontier) {
    return std::nullopt;
  }
  auto stored = read(vault, size, public_key, vault_id);
  if (!stored || stored->checkpoint.root != frontier->root()) {
    return std::nullopt;
  }
  return SavedFrontier{std::move(*frontier), next};
}

// Appends the leaves of the entries from `from` on to `frontier`; false when
// what is there is not the entries after it (the position does not start
// entry frontier.size() on a line boundary, or the count or the last hash
// differ from the tip's).
Result<bool>
extend_from(const fs::Path& vault,
            Frontier& frontier,
            Position from,
            std::uint64_t count,
            const Digest& last_hash)
{
  std::string last_line;
  bool first = true;
  for (std::size_t segment = from.segment;; ++segment) {
    const fs::Path path = vault / "ledger" / ledger::segment_name(segment);
    // Read as the ledger scan reads it: a FIFO or a link to /dev/zero in its
    // place is tampering, never a wait or an endless line (R5).
    auto data = fs::read_file(path, ledger::k_max_segment_file);
    if (!data && data.error().code == Errc::not_found) {
      break;
    }
    if (!data) {
      return tl::unexpected(data.error());
    }
    const std::string_view text = as_text(*data);
    const std::uint64_t start = segment == from.segment ? from.offset : 0;
    if (start > text.size() || (start > 0 && text[start - 1] != '\n')) {
      return false;
    }
    // Complete lines only: what follows the last LF is a torn tail.
    for (std::size_t at = start, end = 0;
         (end = text.find('\n', at)) != std::string_view::npos;
         at = end + 1) {
      const std::string_view line = text.substr(at, end - at);
      if (first) {
        auto entry = ledger::decode(line);
        if (!entry || entry->seq != frontier.size()) {
          return false;
        }
        first = false;
      }
      frontier.append(merkle::leaf_hash(as_bytes(line)));
      last_line = line;
    }
  }
  if (frontier.size() != count) {
    return false;
  }
  return last_line.empty() || ledger::entry_hash(last_line) == last_hash;
}

} // namespace

void
Frontier::append(const Digest& leaf_hash)
{
  Digest hash = leaf_hash;
  std::uint64_t leaves = 1;
  while (!m_nodes.empty() && m_nodes.back().first == leaves) {
    hash = merkle::node_hash(m_nodes.back().second, hash);
    leaves *= 2;
    m_nodes.pop_back();
  }
  m_nodes.emplace_back(leaves, hash);
  ++m_size;
}

Digest
Frontier::root() const
{
  if (m_nodes.empty()) {
    return merkle::empty_root();
  }
  Digest root = m_nodes.back().second;
  for (auto it = m_nodes.rbegin() + 1; it != m_nodes.rend(); ++it) {
    root = merkle::node_hash(it->second, root);
  }
  return root;
}

std::vector<Digest>
Frontier::hashes() const
{
  std::vector<Digest> out;
  for (const auto& node : m_nodes) {
    out.push_back(node.second);
  }
  return out;
}

std::optional<Frontier>
Frontier::from(std::uint64_t size, const std::vector<Digest>& hashes)
{
  if (static_cast<std::size_t>(std::popcount(size)) != hashes.size()) {
    return std::nullopt;
  }
  Frontier frontier;
  std::size_t i = 0;
  for (int bit = 63; bit >= 0; --bit) {
    const std::uint64_t leaves = std::uint64_t{1} << bit;
    if ((size & leaves) != 0) {
      frontier.m_nodes.emplace_back(leaves, hashes[i++]);
    }
  }
  frontier.m_size = size;
  return frontier;
}

Result<Made>
make(const fs::Path& vault,
     const std::string& vault_id,
     const merkle::Tree& tree,
     const minisign::SecretKey& key)
{
  return make_signed(vault, vault_id, tree.size(), tree.root(), key);
}

namespace {

// The frontier of the tree of the ledger's `count` entries, the last hashing
// to `last_hash`: from checkpoints/frontier and the entries after it when it
// verifies (`used_frontier`), else from one scan of the whole ledger.
Result<Frontier>
frontier_at_tip(const fs::Path& vault,
                const std::string& vault_id,
                const minisign::PublicKey& key,
                std::uint64_t count,
                const Digest& last_hash,
                bool* used_frontier)
{
  if (auto saved = load_frontier(vault, key, vault_id);
      saved && saved->frontier.size() <= count) {
    CUSTODY_ASSIGN(
      extended,
      extend_from(vault, saved->frontier, saved->next, count, last_hash));
    if (extended) {
      if (used_frontier != nullptr) {
        *used_frontier = true;
      }
      return std::move(saved->frontier);
    }
  }
  if (used_frontier != nullptr) {
    *used_frontier = false;
  }
  Frontier frontier;
  CUSTODY_ASSIGN(
    tip, ledger::scan(vault, [&](const ledger::Line& line) -> Result<void> {
      frontier.append(merkle::leaf_hash(as_bytes(line.text)));
      return {};
    }));
  if (frontier.size() != count || tip.last_hash != last_hash) {
    return fail(Errc::internal,
                "the ledger has {} entries, the open vault {}",
                frontier.size(),
                count);
  }
  return frontier;
}

} // namespace

Result<Digest>
root_at_tip(const fs::Path& vault,
            const std::string& vault_id,
            const minisign::PublicKey& key,
            std::uint64_t count,
            const Digest& last_hash,
            bool* used_frontier)
{
  CUSTODY_ASSIGN(
    frontier,
    frontier_at_tip(vault, vault_id, key, count, last_hash, used_frontier));
  return frontier.root();
}

Result<Made>
make_at_tip(const fs::Path& vault,
            const std::string& vault_id,
            const minisign::SecretKey& key,
            std::uint64_t count,
            const Digest& last_hash,
            Position next,
            bool* used_frontier)
{
  CUSTODY_ASSIGN(
    frontier,
    frontier_at_tip(
      vault, vault_id, key.public_key(), count, last_hash, used_frontier));
  CUSTODY_ASSIGN(made,
                 make_signed(vault, vault_id, count, frontier.root(), key));
  // Only a cache: a failure to write it costs the next checkpoint a scan.
  (void)fs::write_file_atomic(directory(vault) / k_frontier_name,
                              as_bytes(encode_frontier(frontier, next)));
  return made;
}

Result<Stored>
read(const fs::Path& vault,
     std::uint64_t size,
     const minisign::PublicKey& key,
     std::string_view vault_id,
     const std::optional<std::string>& tsa_ca)
{
  const std::string name = name_of(size);
  auto text = fs::read_file(file(vault, size), k_max_text + 1);
  if (!text) {
    if (text.error().code == Errc::not_found) {
      return make_error(Errc::not_found,
                        fmt::format("there is no checkpoint of {} entries "
                                    "({} does not exist)",
                                    size,
                                    name),
                        Remedy::make_checkpoint);
    }
    return tl::unexpected(text.error());
  }
  auto signature = fs::read_file(sibling(vault, size, "minisig"),
                                 minisign::k_trusted_comment_max + 4096);
  if (!signature) {
    if (signature.error().code == Errc::not_found) {
      return fail(
        Errc::corrupt, "{} has no signature ({}.minisig)", name, name);
    }
    return tl::unexpected(signature.error());
  }
  CUSTODY_ASSIGN(
    checked,
    verify_file(as_text(*text), as_text(*signature), key, vault_id, name));
  if (checked.size != size) {
    return fail(
      Errc::corrupt, "{} names a tree of {} entries", name, checked.size);
  }
  Stored stored{checked,
                std::string(as_text(*text)),
                std::string(as_text(*signature)),
                false};
  auto response = fs::read_file(sibling(vault, size, "tsr"), 1 << 20);
  if (response) {
    auto request = fs::read_file(sibling(vault, size, "tsq"), 1 << 16);
    if (!request) {
      return broken(
        18,
        fmt::format("{}.tsr has no request ({}.tsq) beside it", name, name));
    }
    auto token = timestamp::check_response(
      *request, *response, as_bytes(stored.text), tsa_ca);
    if (!token) {
      return tl::unexpected(
        with_invariant(as_corrupt(token.error(), name + ".tsr"), 18));
    }
    stored.timestamped = true;
    stored.token_verified = token->signature_verified;
  } else if (response.error().code != Errc::not_found) {
    return tl::unexpected(response.error());
  }
  return stored;
}

Result<Summary>
check_all(const fs::Path& vault,
          const Listing& listing,
          const merkle::Tree& tree,
          const minisign::PublicKey& key,
          std::string_view vault_id,
          Notes& notes,
          const std::optional<std::string>& tsa_ca)
{
  for (const auto& stray : listing.strays) {
    notes.push_back(fmt::format(
      "{} is not a checkpoint file (left by an interrupted command?)", stray));
  }
  Summary summary;
  std::uint64_t agreed = 0;
  std::string origin;
  for (const std::uint64_t size : listing.sizes) {
    // A token's problems are invariant 18, marked where they are found.
    CUSTODY_ASSIGN(stored,
                   checking(16, read(vault, size, key, vault_id, tsa_ca)));
    if (origin.empty()) {
      origin = stored.checkpoint.origin;
    } else if (stored.checkpoint.origin != origin) {
      return broken(16,
                    fmt::format("{} names {}, other checkpoints {}",
                                name_of(size),
                                stored.checkpoint.origin,
                                origin));
    }
    if (size > tree.size()) {
      return broken(
        17,
        fmt::format("{} was signed over {} entries, but the ledger has {}: "
                    "the ledger was truncated (rolled back) after it was "
                    "signed; entry {} is the first missing",
                    name_of(size),
                    size,
                    tree.size(),
                    tree.size()),
        "restore the ledger from a backup or a replica");
    }
    CUSTODY_ASSIGN(root, tree.root(size));
    if (root != stored.checkpoint.root) {
      Error error{Errc::corrupt,
                  fmt::format("{} does not match the ledger: its first {} "
                              "entries were rewritten after the checkpoint "
                              "was signed; {}",
                              name_of(size),
                              size,
                              first_suspect(agreed)),
                  {},
                  Remedy::compare_kept_checkpoint,
                  17};
      return tl::unexpected(std::move(error));
    }
    agreed = size;
    ++summary.count;
    summary.latest = size;
    summary.latest_timestamped = stored.token_verified;
    summary.latest_token_unverified =
      stored.timestamped && !stored.token_verified;
    summary.timestamped += stored.token_verified ? 1 : 0;
    summary.tokens_unverified +=
      stored.timestamped && !stored.token_verified ? 1 : 0;
  }
  if (vault_id.empty() && summary.count > 0) {
    notes.push_back("no identity given: checkpoints were checked against "
                    "custody.pub as found and their origin against each "
                    "other only (pass --identity)");
  }
  return summary;
}

Result<Against>
check_against(const fs::Path& vault,
              const fs::Path& kept_file,
              const merkle::Tree& tree,
              const minisign::PublicKey& key,
              std::string_view vault_id)
{
  const std::string name = kept_file.string();
  // The member's own copy, kept outside the vault: a user's input, which may
  // be a link or a pipe.
  auto text = fs::read_file(kept_file, k_max_text + 1, fs::Origin::user);
  if (!text) {
    if (text.error().code == Errc::not_found) {
      return fail(Errc::not_found, "{}: no such file", name);
    }
    return tl::unexpected(text.error());
  }
  fs::Path signature_file = kept_file;
  signature_file += ".minisig";
  auto signature = fs::read_file(
    signature_file, minisign::k_trusted_comment_max + 4096, fs::Origin::user);
  if (!signature) {
    return make_error(Errc::corrupt,
                      fmt::format("{}: its signature {} cannot be read: {}",
                                  name,
                                  signature_file.string(),
                                  signature.error().message),
                      "keep CHECKPOINT.minisig beside CHECKPOINT");
  }
  CUSTODY_ASSIGN(
    checked,
    verify_file(as_text(*text), as_text(*signature), key, vault_id, name));
  if (checked.size > tree.size()) {
    return fail(Errc::corrupt,
                "{} was signed over {} entries, but the ledger has only {}: "
                "the vault was rolled back; entry {} is the first missing",
                name,
                checked.size,
                tree.size(),
                tree.size());
  }
  CUSTODY_ASSIGN(root, tree.root(checked.size));
  if (root != checked.root) {
    return fail(Errc::corrupt,
                "{} does not match this vault: its first {} entries were "
                "rewritten after the kept checkpoint was signed",
                name,
                checked.size);
  }
  Against against;
  against.kept = checked;
  // Prove consistency up to the newest signed checkpoint, so the proof joins
  // two signed roots; the bare ledger when none reaches that far.
  against.tree_size = tree.size();
  CUSTODY_ASSIGN(listing, list(vault));
  if (!listing.sizes.empty() && listing.sizes.back() >= checked.size
      && listing.sizes.back() <= tree.size()) {
    against.tree_size = listing.sizes.back();
    against.tree_signed = true;
  }
  CUSTODY_ASSIGN(tree_root, tree.root(against.tree_size));
  against.tree_root = tree_root;
  CUSTODY_ASSIGN(proof,
                 tree.consistency_proof(checked.size, against.tree_size));
  against.consistency = std::move(proof);
  return against;
}

Result<std::optional<std::uint64_t>>
latest(const fs::Path& vault)
{
  CUSTODY_ASSIGN(listing, list(vault));
  if (listing.sizes.empty()) {
    return std::optional<std::uint64_t>{};
  }
  return std::optional<std::uint64_t>{listing.sizes.back()};
}

Result<Stored>
read_or_latest(const fs::Path& vault,
               std::optional<std::uint64_t> size,
               const minisign::PublicKey& key,
               std::string_view vault_id)
{
  if (!size) {
    CUSTODY_ASSIGN(last, latest(vault));
    if (!last) {
      return make_error(Errc::not_found,
                        "this vault has no checkpoint yet",
                        "a legal member signs one");
    }
    size = *last;
  }
  return read(vault, *size, key, vault_id);
}

Result<Bytes>
stored_request(const fs::Path& vault, const Stored& stored)
{
  const std::uint64_t size = stored.checkpoint.size;
  if (stored.timestamped) {
    return make_error(
      Errc::invalid_input,
      fmt::format("checkpoints/{} is timestamped already ({}.tsr)", size, size),
      "a checkpoint keeps its first token");
  }
  const fs::Path path = sibling(vault, size, "tsq");
  auto existing = fs::read_file(path, k_max_tsq);
  if (existing) {
    CUSTODY_TRY_CTX(timestamp::check_request(*existing, as_bytes(stored.text)),
                    fmt::format("checkpoints/{}.tsq", size));
    return std::move(*existing);
  }
  if (existing.error().code != Errc::not_found) {
    return tl::unexpected(existing.error());
  }
  CUSTODY_ASSIGN(made, timestamp::make_request(as_bytes(stored.text)));
  CUSTODY_TRY(fs::write_file_atomic(path, made));
  return made;
}

Result<StoredToken>
store_response(const fs::Path& vault,
               const minisign::PublicKey& key,
               std::string_view vault_id,
               std::optional<std::uint64_t> size_option,
               const Bytes& response,
               std::string_view source)
{
  std::vector<std::uint64_t> candidates;
  if (size_option) {
    candidates.push_back(*size_option);
  } else {
    CUSTODY_ASSIGN(listing, list(vault));
    candidates.assign(listing.sizes.rbegin(), listing.sizes.rend());
  }
  std::optional<Error> first_problem;
  for (const std::uint64_t size : candidates) {
    CUSTODY_ASSIGN(stored, read(vault, size, key, vault_id));
    auto request = fs::read_file(sibling(vault, size, "tsq"), k_max_tsq);
    if (!request) {
      if (request.error().code != Errc::not_found) {
        return tl::unexpected(request.error());
      }
      if (size_option) {
        return make_error(
          Errc::invalid_input,
          fmt::format(
            "checkpoints/{} has no stored request ({}.tsq)", size, size),
          "make the request for this checkpoint first");
      }
      continue;
    }
    auto token =
      timestamp::check_response(*request, response, as_bytes(stored.text));
    if (!token) {
      if (!first_problem) {
        first_problem = token.error();
      }
      continue;
    }
    const fs::Path stored_response = sibling(vault, size, "tsr");
    if (auto existing = fs::read_file(stored_response, k_max_tsr)) {
      if (*existing != response) {
        return make_error(
          Errc::invalid_input,
          fmt::format("checkpoints/{}.tsr holds another token already", size),
          "a checkpoint keeps its first token");
      }
    } else {
      CUSTODY_TRY(fs::write_file_atomic(stored_response, response));
    }
    stored.timestamped = true;
    return StoredToken{std::move(stored), std::move(*token)};
  }
  if (first_problem) {
    return make_error(Errc::invalid_input,
                      fmt::format("{}: {}", source, first_problem->message),
                      "a response must answer this vault's stored request "
                      "(same checkpoint hash and nonce)");
  }
  return make_error(Errc::invalid_input,
                    fmt::format("{} answers no stored request: no "
                                "checkpoint has a .tsq",
                                source),
                    "make a request for the checkpoint first");
}

} // namespace custody::checkpoint
