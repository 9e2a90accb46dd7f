// The admin state's own forms: a member record as statements and cards
// carry it, and the vault.yaml the state renders (docs/formats.md sections 6
// and 8).

#include <custody/vault/vault_internal.hpp>

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

namespace custody::vault::detail {

json::Json
member_json(const MemberRecord& member)
{
  return {{"key_id", member.key_id},
          {"role", std::string(role_name(member.role))},
          {"age", member.age},
          {"ed25519", member.ed25519},
          {"card_signature", member.card_signature}};
}

MemberRecord
member_from_card(const identity::Card& card, Role role)
{
  return MemberRecord{card.key_id(),
                      role,
                      card.age_recipient,
                      card.ed25519_base64(),
                      card.signature_base64(),
                      0};
}

Result<MemberRecord>
parse_member(const json::Json& value, std::uint64_t seq)
{
  if (!value.is_object()) {
    return fail(Errc::corrupt, "member is not an object");
  }
  auto get = [&](const char* key) -> std::string {
    auto it = value.find(key);
    return it != value.end() && it->is_string() ? it->get<std::string>()
                                                : std::string();
  };
  const std::string line = fmt::format("custody-card-v1 {} {} {}",
                                       get("age"),
                                       get("ed25519"),
                                       get("card_signature"));
  auto card = identity::parse_card(line);
  if (!card) {
    return fail(
      Errc::corrupt, "member {}: {}", get("key_id"), card.error().message);
  }
  if (card->key_id() != get("key_id")) {
    return fail(
      Errc::corrupt, "member {}: key id does not match its key", get("key_id"));
  }
  CUSTODY_ASSIGN(role, parse_role(get("role")));
  MemberRecord member = member_from_card(*card, role);
  member.admitted_seq = seq;
  return member;
}

Result<void>
write_vault_yaml(const fs::Path& vault, const AdminState& state)
{
  return fs::write_file_atomic(vault / "vault.yaml",
                               as_bytes(state.vault_yaml()));
}

} // namespace custody::vault::detail

namespace custody::vault {

std::string
AdminState::vault_yaml() const
{
  YAML::Emitter out;
  out << YAML::Comment("custody vault cache: rebuilt from the signed ledger; "
                       "never trusted on its own");
  out << YAML::BeginMap;
  out << YAML::Key << "format" << YAML::Value << 1;
  out << YAML::Key << "vault" << YAML::Value << vault_id;
  out << YAML::Key << "admin_seq" << YAML::Value << admin_seq;
  out << YAML::Key << "signing_key" << YAML::Value << YAML::Flow
      << YAML::BeginMap;
  out << YAML::Key << "epoch" << YAML::Value << signing_epoch;
  out << YAML::Key << "public" << YAML::Value << signing_public << YAML::EndMap;
  out << YAML::Key << "compartments" << YAML::Value << YAML::BeginMap;
  for (Compartment c : k_compartments) {
    auto it = compartments.find(c);
    if (it == compartments.end()) {
      continue;
    }
    out << YAML::Key << std::string(compartment_name(c)) << YAML::Value
        << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "epoch" << YAML::Value << it->second.current;
    out << YAML::Key << "recipient" << YAML::Value
        << it->second.recipients.at(it->second.current);
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  out << YAML::Key << "members" << YAML::Value << YAML::BeginSeq;
  for (const auto& [key_id, member] : members) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "key_id" << YAML::Value << key_id;
    out << YAML::Key << "role" << YAML::Value
        << std::string(role_name(member.role));
    out << YAML::Key << "age" << YAML::Value << member.age;
    out << YAML::Key << "ed25519" << YAML::Value << member.ed25519;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::uint64_t
small_cell_floor(const json::Json& policy)
{
  constexpr std::uint64_t k_least_floor = 5;
  if (policy.is_object() && policy.contains("small_cell_floor")
      && policy["small_cell_floor"].is_number_unsigned()) {
    return std::max(k_least_floor,
                    policy["small_cell_floor"].get<std::uint64_t>());
  }
  return k_least_floor;
}

std::uint64_t
bulletin_min_reports(const json::Json& policy)
{
  constexpr std::uint64_t k_least = 3;
  if (policy.is_object() && policy.contains("bulletin_min_reports")
      && policy["bulletin_min_reports"].is_number_unsigned()) {
    return std::max(k_least,
                    policy["bulletin_min_reports"].get<std::uint64_t>());
  }
  return k_least;
}

RedactionPolicy
redaction_policy(const json::Json& policy)
{
  RedactionPolicy out;
  if (!policy.is_object() || !policy.contains("redaction")
      || !check_redaction_policy(policy["redaction"])) {
    return out;
  }
  const json::Json& redaction = policy["redaction"];
  for (const auto& region :
       redaction.value("phone_regions", json::Json::array())) {
    out.phone_regions.push_back(region.get<std::string>());
  }
  for (const auto& pattern :
       redaction.value("id_patterns", json::Json::array())) {
    out.id_patterns.push_back(pattern.get<std::string>());
  }
  return out;
}

Result<void>
check_redaction_policy(const json::Json& value)
{
  if (!value.is_object()) {
    return fail(Errc::corrupt, "the policy's redaction is not an object");
  }
  for (const auto& [key, list] : value.items()) {
    if (key != "phone_regions" && key != "id_patterns") {
      return fail(
        Errc::corrupt, "the policy's redaction has an unknown key \"{}\"", key);
    }
    if (!list.is_array()) {
      return fail(
        Errc::corrupt, "the policy's redaction.{} is not a list", key);
    }
    for (const auto& item : list) {
      if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
        return fail(Errc::corrupt,
                    "the policy's redaction.{} holds something other than text",
                    key);
      }
    }
  }
  return {};
}

} // namespace custody::vault
