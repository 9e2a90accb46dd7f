// Opening index shards for a command and printing record views.
#include "reading.hpp"

#include "session.hpp"

#include <fmt/core.h>

namespace custody::cli {

Result<index::Shard>
open_shard(vault::Vault& vault,
           vault::Compartment compartment,
           index::Need need,
           std::string_view refusal,
           std::string_view hint)
{
  vault::Notes notes;
  auto shard = index::Shard::open(vault, compartment, notes, need);
  print_notes(notes);
  if (!shard && shard.error().code == Errc::auth) {
    return make_error(
      Errc::auth,
      fmt::format(fmt::runtime(refusal), vault::role_name(vault.me().role)),
      std::string(hint));
  }
  return shard;
}

Result<records::Shards>
open_readable(vault::Vault& vault)
{
  vault::Notes notes;
  auto shards = records::open_readable(vault, notes);
  print_notes(notes);
  return shards;
}

void
save_shard(index::Shard& shard)
{
  vault::Notes notes;
  shard.save(notes);
  print_notes(notes);
}

void
save_shards(records::Shards& shards)
{
  for (auto& shard : shards) {
    if (shard) {
      save_shard(*shard);
    }
  }
}

void
print_view(const json::Json& view, const std::string& prefix)
{
  if (view.is_object()) {
    for (const auto& [key, value] : view.items()) {
      print_view(value,
                 prefix.empty() ? key : fmt::format("{}.{}", prefix, key));
    }
    return;
  }
  std::string text;
  if (view.is_array()) {
    for (const auto& item : view) {
      text += text.empty() ? "" : ", ";
      text += item.is_string() ? item.get<std::string>() : item.dump();
    }
  } else if (view.is_string()) {
    text = view.get<std::string>();
  } else {
    text = view.dump();
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  // Free text may hold line breaks: indent continuation lines under the field.
  // Any other control character another member wrote is escaped (R14).
  std::string indented;
  for (std::size_t start = 0;;) {
    const auto end = text.find('\n', start);
    indented += printable(std::string_view(text).substr(start, end - start));
    if (end == std::string::npos) {
      break;
    }
    indented += "\n      ";
    start = end + 1;
  }
  fmt::print("    {}: {}\n", prefix, indented);
}

} // namespace custody::cli
