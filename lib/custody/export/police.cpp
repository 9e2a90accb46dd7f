// Police referrals (police.hpp).
#include <custody/crypto/crypto.hpp>
#include <custody/export/police.hpp>
#include <custody/export/recipe_yaml.hpp>
#include <custody/ledger/store.hpp>
#include <custody/records/view.hpp>
#include <custody/sys/fs.hpp>

#include <fmt/core.h>

namespace custody::bundle {

Result<disclosure::ReferralOptions>
parse_police_recipe(std::string_view yaml_text)
{
  CUSTODY_ASSIGN(root, detail::load_recipe(yaml_text, "police"));
  disclosure::ReferralOptions options;
  bool organisation = false;
  for (const auto& item : root) {
    const std::string key = detail::key_name(item.first);
    const YAML::Node& value = item.second;
    if (key == "kind") {
      CUSTODY_TRY(detail::check_kind(value, "police"));
    } else if (key == "organisation") {
      CUSTODY_ASSIGN(text, detail::text_of(value, key));
      options.organisation = text;
      organisation = true;
    } else if (key == "include") {
      if (!value.IsSequence()) {
        return tl::unexpected(
          detail::at(value, "include must be a list: phones, handles"));
      }
      for (const auto& field : value) {
        CUSTODY_ASSIGN(name, detail::text_of(field, "each item of include"));
        if (name == "phones") {
          options.phones = true;
        } else if (name == "handles") {
          options.handles = true;
        } else {
          return tl::unexpected(detail::at(
            field,
            fmt::format("include: \"{}\" is not phones or handles", name)));
        }
      }
    } else {
      return tl::unexpected(
        detail::at(item.first,
                   fmt::format("unknown key \"{}\"; a police recipe has kind, "
                               "organisation and include",
                               key)));
    }
  }
  if (!organisation) {
    return tl::unexpected(
      detail::at(root, "the recipe names no organisation (organisation: ...)"));
  }
  return options;
}

Result<disclosure::Released<std::string>>
police_text(vault::Vault& vault,
            const records::Shards& shards,
            const disclosure::ReferralOptions& options,
            const std::string& id)
{
  if (!records::opens_all(shards)) {
    return make_error(Errc::auth,
                      "a police referral is prepared by a legal member");
  }
  CUSTODY_ASSIGN(view, records::view_record(shards, id));
  return disclosure::police_referral(view, records::places_of(vault), options);
}

Result<PoliceWritten>
write_police_referral(vault::Vault& vault,
                      const std::string& id,
                      const disclosure::Released<std::string>& text,
                      const std::string& recipe_name,
                      const std::string& recipe_sha256,
                      const std::filesystem::path& out)
{
  PoliceWritten written;
  written.sha256 = sha256_hex(as_bytes(*text));
  CUSTODY_ASSIGN(approved, find_approved(vault, "police", written.sha256));
  if (!approved) {
    return make_error(Errc::unsafe,
                      "this referral has no approved proposal: nothing was "
                      "written",
                      Remedy::propose_and_approve);
  }
  written.approved = *approved;
  CUSTODY_TRY(check_new_output(out));
  const json::Json document = {
    {"type", "export"},
    {"export",
     {{"kind", "police"},
      {"status", "written"},
      {"recipe", {{"name", recipe_name}, {"sha256", recipe_sha256}}},
      {"records", json::Json::array({id})},
      {"proposal", approved->proposal},
      {"approval", approved->approval},
      {"tree_size", vault.entry_count()},
      {"output",
       {{"name", out.filename().string()},
        {"container", "file"},
        {"sha256", written.sha256}}}}}};
  CUSTODY_ASSIGN(seq, append_export(vault, document));
  written.export_seq = seq;
  CUSTODY_TRY(fs::create_file_durably(out, as_bytes(*text)));
  return written;
}

} // namespace custody::bundle
