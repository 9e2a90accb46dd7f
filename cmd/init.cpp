// custody init: create a vault, its trust root and its first two legal members.
#include "commands.hpp"
#include "session.hpp"
#include "terminal.hpp"

#include <custody/keys/identity.hpp>
#include <custody/records/records.hpp>
#include <custody/sys/fs.hpp>
#include <custody/vault/vault.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>

namespace custody::cli {

namespace {

struct InitOptions
{
  std::string organisation;
  std::string name;
  std::string recovery_card;
  std::string recovery_out;
  std::string recovery_passphrase_file;
  std::string places;
  int work_factor = identity::k_default_work_factor;
};

tl::unexpected<Error>
already_exists(const std::string& path)
{
  return make_error(
    Errc::invalid_input,
    fmt::format("\"{}\" already exists", path),
    "an identity is never overwritten; choose another --recovery-out");
}

// A new recovery identity, or the one an interrupted init of this vault left
// at --recovery-out (init writes it before it renames the vault into place,
// so a kill can leave it naming no vault) when this passphrase opens it. Any
// other file there is never overwritten.
Result<identity::Created>
recovery_identity(const fs::Path& directory,
                  const InitOptions& options,
                  ByteView passphrase)
{
  if (!std::filesystem::exists(options.recovery_out)) {
    return identity::create(passphrase, options.work_factor);
  }
  const auto members = vault::interrupted_init_members(directory);
  auto file = fs::read_file(options.recovery_out, 64 * 1024, fs::Origin::user);
  if (file && !members.empty()) {
    auto member = identity::unlock(*file, passphrase);
    if (member
        && std::find(members.begin(), members.end(), member->key_id())
             != members.end()) {
      return identity::Created{std::move(*member), std::move(*file)};
    }
  }
  return already_exists(options.recovery_out);
}

Result<Outcome>
run_init(const GlobalOptions& global, const InitOptions& options)
{
  CUSTODY_ASSIGN(directory, require_vault(global));
  CUSTODY_ASSIGN(identity_file, require_identity(global));
  if (options.recovery_card.empty() == options.recovery_out.empty()) {
    return make_error(Errc::usage,
                      "init needs exactly one recovery holder",
                      "pass --recovery CARD (a second legal member) or "
                      "--recovery-out FILE (a new "
                      "offline recovery identity to print and store apart)");
  }
  if (std::filesystem::exists(directory)
      && (!std::filesystem::is_directory(directory)
          || !std::filesystem::is_empty(directory))) {
    return make_error(Errc::invalid_input,
                      fmt::format("\"{}\" exists and is not an empty directory",
                                  directory.string()),
                      "choose a new directory for the vault");
  }
  if (!options.recovery_out.empty()) {
    CUSTODY_TRY(check_work_factor(options.work_factor));
  }
  vault::InitOptions init;
  init.directory = directory;
  init.organisation = options.organisation;
  if (!options.places.empty()) {
    CUSTODY_ASSIGN_CTX(
      text,
      fs::read_file(options.places, 1024 * 1024, fs::Origin::user),
      "places");
    CUSTODY_ASSIGN_CTX(places,
                       records::Places::parse(as_text(text)),
                       fmt::format("\"{}\"", options.places));
    init.places = places.to_json();
  }
  init.creator_name = options.name;
  std::optional<identity::Member> recovery;
  std::optional<identity::Created> recovery_created;
  if (!options.recovery_card.empty()) {
    CUSTODY_ASSIGN_CTX(
      bytes,
      fs::read_file(options.recovery_card, 64 * 1024, fs::Origin::user),
      "recovery card");
    CUSTODY_ASSIGN_CTX(card,
                       identity::parse_card(as_text(bytes)),
                       fmt::format("\"{}\"", options.recovery_card));
    init.recovery_card = card;
  } else if (std::filesystem::exists(options.recovery_out + ".card")
             && !std::filesystem::exists(options.recovery_out)) {
    return already_exists(options.recovery_out + ".card");
  } else if (std::filesystem::exists(options.recovery_out)
             && vault::interrupted_init_members(directory).empty()) {
    return already_exists(options.recovery_out);
  }
  CUSTODY_ASSIGN(creator,
                 unlock_identity(identity_file, global.passphrase_file));
  if (!options.recovery_out.empty()) {
    CUSTODY_ASSIGN(passphrase,
                   get_passphrase_from(options.recovery_passphrase_file,
                                       "the recovery identity",
                                       "--recovery-passphrase-file",
                                       Confirm::yes));
    const bool left = std::filesystem::exists(options.recovery_out);
    CUSTODY_ASSIGN(created,
                   recovery_identity(directory, options, passphrase.view()));
    if (left) {
      note(fmt::format("taking up the recovery identity an interrupted init "
                       "left in \"{}\"",
                       options.recovery_out));
    }
    recovery_created.emplace(std::move(created));
    // Written by init, durably, before the vault is renamed into place.
    init.recovery_member = &recovery_created->member;
    init.recovery_out = options.recovery_out;
    init.recovery_file = recovery_created->file;
  }
  CUSTODY_ASSIGN(result, vault::init(init, creator));
  CUSTODY_TRY(vault::pin(vault::known_vaults_for(identity_file),
                         result.vault_id,
                         result.signing_public));
  if (recovery_created) {
    CUSTODY_TRY(vault::pin(vault::known_vaults_for(options.recovery_out),
                           result.vault_id,
                           result.signing_public));
  }
  {
    // The vault's first checkpoint, so the signed history starts at init.
    vault::Notes notes;
    auto opened = vault::Vault::open(
      directory, creator, open_options(global, vault::Access::write), notes);
    if (opened) {
      end_with_checkpoint(global, *opened);
    } else {
      warn(fmt::format("no checkpoint was signed: {}", opened.error().message));
    }
  }
  if (global.json) {
    nlohmann::json out = {{"type", "vault_created"},
                          {"vault", result.vault_id},
                          {"path", directory.string()},
                          {"signing_key", result.signing_public},
                          {"creator", result.creator_key_id},
                          {"recovery", result.recovery_key_id}};
    if (!options.recovery_out.empty()) {
      out["recovery_identity"] = options.recovery_out;
    }
    fmt::print("{}\n", out.dump());
  } else {
    fmt::print("created vault {} in \"{}\"\n",
               result.vault_id,
               printable(directory.string()));
    fmt::print("vault signing key (lodge it outside the vault: with a lawyer, "
               "a partner, a public "
               "page):\n  {}\n",
               result.signing_public);
    fmt::print("legal members: {} (you), {} (recovery)\n",
               result.creator_key_id,
               result.recovery_key_id);
    if (!options.recovery_out.empty()) {
      fmt::print("recovery identity written to \"{}\": print it, store it "
                 "apart, and keep its "
                 "passphrase somewhere else\n",
                 printable(options.recovery_out));
    }
  }
  return Outcome::ok;
}

} // namespace

void
register_init(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto options = std::make_shared<InitOptions>();
  auto* sub = app.add_subcommand(
    "init", "Create a vault; you become its first legal member");
  sub->add_option(
    "--org", options->organisation, "Organisation name (stored encrypted)");
  sub->add_option("--places",
                  options->places,
                  "The organisation's districts and regions (YAML; see "
                  "examples/places.yaml)");
  sub->add_option("--name", options->name, "Your name (stored encrypted)");
  sub->add_option(
    "--recovery", options->recovery_card, "Card of a second legal member");
  sub->add_option("--recovery-out",
                  options->recovery_out,
                  "Write a new offline recovery identity here");
  sub->add_option("--recovery-passphrase-file",
                  options->recovery_passphrase_file,
                  "Passphrase file for the recovery identity");
  sub
    ->add_option("--work-factor",
                 options->work_factor,
                 "scrypt work factor of the recovery identity")
    ->capture_default_str();
  sub->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*sub, global);
  sub->callback([&global, &action, options] {
    action = [&global, options] { return run_init(global, *options); };
  });
}

} // namespace custody::cli
