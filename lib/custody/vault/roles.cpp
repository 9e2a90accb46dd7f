// Roles and compartments: their names, what each role holds and may write,
// and the two shapes of a put (docs/formats.md 2.3 and 6.2).

#include <custody/vault/vault.hpp>

#include <fmt/core.h>

#include <algorithm>

namespace custody::vault {

namespace {

constexpr std::string_view k_role_names[] = {
  "legal", "data", "advocacy", "intake"};
constexpr std::string_view k_compartment_names[] = {
  "identity", "narrative", "facts", "aggressor", "admin"};

} // namespace

std::string_view
role_name(Role role)
{
  return k_role_names[static_cast<std::size_t>(role)];
}

Result<Role>
parse_role(std::string_view name)
{
  for (std::size_t i = 0; i < std::size(k_role_names); ++i) {
    if (k_role_names[i] == name) {
      return static_cast<Role>(i);
    }
  }
  return make_error(Errc::usage,
                    fmt::format("unknown role \"{}\"", name),
                    "roles are legal, data, advocacy and intake");
}

std::string_view
compartment_name(Compartment compartment)
{
  return k_compartment_names[static_cast<std::size_t>(compartment)];
}

std::vector<Compartment>
compartments_of(Role role)
{
  switch (role) {
  case Role::legal:
    return {std::begin(k_compartments), std::end(k_compartments)};
  case Role::data:
    return {Compartment::facts, Compartment::admin};
  case Role::advocacy:
    return {Compartment::facts, Compartment::aggressor, Compartment::admin};
  case Role::intake:
    return {Compartment::admin};
  }
  return {};
}

Result<PutShape>
put_shape(const ledger::Entry& entry)
{
  switch (entry.payloads.size()) {
  case 4:
    return PutShape::record;
  case 2:
    return PutShape::attachment;
  default:
    return fail(Errc::corrupt,
                "a put entry has 4 payloads (a record) or 2 (an attachment), "
                "this one {}",
                entry.payloads.size());
  }
}

Compartment
put_compartment(PutShape shape, std::size_t index)
{
  constexpr Compartment record_parts[] = {Compartment::identity,
                                          Compartment::narrative,
                                          Compartment::facts,
                                          Compartment::aggressor};
  return shape == PutShape::attachment ? Compartment::identity
                                       : record_parts[index];
}

bool
may_amend(Role role)
{
  const auto held = compartments_of(role);
  return std::all_of(
    std::begin(k_compartments), std::end(k_compartments), [&](Compartment c) {
      return c == Compartment::admin
             || std::find(held.begin(), held.end(), c) != held.end();
    });
}

bool
may_write(Role role, ledger::Kind kind)
{
  if (kind == ledger::Kind::approval) {
    // A second member's yes to a disclosure: the roles that approve one
    // (docs/formats.md 6.8, 14.3).
    return role == Role::legal || role == Role::advocacy;
  }
  if (kind == ledger::Kind::release || kind == ledger::Kind::export_) {
    // What was published, and what left the vault: by those who may publish
    // or disclose (which export kinds each role may run is custody export's
    // rule, docs/formats.md 14).
    return role == Role::legal || role == Role::data || role == Role::advocacy;
  }
  // A redaction opens identity and narrative: legal only, as everything else
  // but a put.
  return kind == ledger::Kind::put || role == Role::legal;
}

} // namespace custody::vault
