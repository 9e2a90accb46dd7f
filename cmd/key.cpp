// custody key new | show | add: member identities, their cards, and admitting
// members.
#include "commands.hpp"
#include "session.hpp"
#include "terminal.hpp"

#include <custody/keys/identity.hpp>
#include <custody/keys/passphrase.hpp>
#include <custody/sys/fs.hpp>
#include <custody/vault/vault.hpp>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace custody::cli {

namespace {

struct KeyNewOptions
{
  std::string out;
  int work_factor = identity::k_default_work_factor;
};

Result<Outcome>
run_key_new(const GlobalOptions& global, const KeyNewOptions& options)
{
  const std::filesystem::path out(options.out);
  const std::filesystem::path card_path(options.out + ".card");
  CUSTODY_TRY(check_work_factor(options.work_factor));
  for (const auto& path : {out, card_path}) {
    if (std::filesystem::exists(path)) {
      return make_error(
        Errc::invalid_input,
        fmt::format("\"{}\" already exists", path.string()),
        "an identity is never overwritten; choose another --out");
    }
  }
  CUSTODY_ASSIGN(passphrase,
                 get_passphrase(global.passphrase_file,
                                "Passphrase for the new identity",
                                Confirm::yes));
  if (const std::size_t length = passphrase::characters(passphrase.view());
      length < passphrase::k_short_passphrase) {
    warn(fmt::format(
      "the passphrase is short ({} characters): whoever takes the identity "
      "file can guess at it offline, as fast as their computers allow; {} or "
      "more characters, such as five random words, hold out far longer",
      length,
      passphrase::k_short_passphrase));
  }
  CUSTODY_ASSIGN(created,
                 identity::create(passphrase.view(), options.work_factor));
  CUSTODY_TRY(fs::create_file_durably(out, created.file));
  CUSTODY_TRY(fs::create_file_durably(
    card_path, as_bytes(created.member.card().encode())));
  const auto& card = created.member.card();
  if (global.json) {
    fmt::print("{}\n",
               nlohmann::json{{"type", "identity"},
                              {"identity", out.string()},
                              {"card", card_path.string()},
                              {"recipient", card.age_recipient},
                              {"key_id", card.key_id()}}
                 .dump());
  } else {
    fmt::print("{}\n", card.age_recipient);
    note(fmt::format("wrote identity \"{}\" and member card \"{}\" (key id {})",
                     out.string(),
                     card_path.string(),
                     card.key_id()));
  }
  return Outcome::ok;
}

Result<Outcome>
run_key_show(const GlobalOptions& global, const std::string& file)
{
  CUSTODY_ASSIGN(member, unlock_identity(file, global.passphrase_file));
  const auto& card = member.card();
  if (global.json) {
    fmt::print("{}\n",
               nlohmann::json{
                 {"type", "card"},
                 {"card", card.encode().substr(0, card.encode().size() - 1)},
                 {"recipient", card.age_recipient},
                 {"ed25519", card.ed25519_base64()},
                 {"key_id", card.key_id()}}
                 .dump());
  } else {
    fmt::print("{}", card.encode());
  }
  return Outcome::ok;
}

struct KeyAddOptions
{
  std::string role;
  std::string card;
  std::string name;
};

Result<identity::Card>
read_card_argument(const std::string& argument)
{
  if (argument.starts_with("custody-card-v1 ")) {
    return identity::parse_card(argument);
  }
  CUSTODY_ASSIGN_CTX(
    bytes, fs::read_file(argument, 64 * 1024, fs::Origin::user), "member card");
  auto card = identity::parse_card(as_text(bytes));
  if (!card) {
    return tl::unexpected(
      with_context(card.error(), fmt::format("\"{}\"", argument)));
  }
  return card;
}

Result<Outcome>
run_key_add(const GlobalOptions& global, const KeyAddOptions& options)
{
  CUSTODY_ASSIGN(role, vault::parse_role(options.role));
  CUSTODY_ASSIGN(card, read_card_argument(options.card));
  CUSTODY_ASSIGN(session, open_session(global, vault::Access::write));
  vault::Vault* opened = &session.vault;
  CUSTODY_ASSIGN(added, opened->add_member(card, role, options.name));
  end_with_checkpoint(global, *opened);
  if (global.json) {
    fmt::print("{}\n",
               nlohmann::json{{"type", "member_added"},
                              {"key_id", added.key_id},
                              {"role", options.role},
                              {"seq", added.seq},
                              {"vault", opened->state().vault_id},
                              {"signing_key", opened->state().signing_public}}
                 .dump());
  } else {
    fmt::print(
      "admitted {} as {} (entry {})\n", added.key_id, options.role, added.seq);
    fmt::print("vault {} signing key {}\n",
               opened->state().vault_id,
               opened->state().signing_public);
  }
  return Outcome::ok;
}

} // namespace

void
register_key(CLI::App& app, GlobalOptions& global, Action& action)
{
  auto* key =
    app.add_subcommand("key", "Member identities, cards and admission");
  key->require_subcommand(1);

  auto new_options = std::make_shared<KeyNewOptions>();
  auto* key_new =
    key->add_subcommand("new", "Create a member identity and its card");
  key_new
    ->add_option(
      "--out", new_options->out, "Identity file to write (FILE.card beside it)")
    ->required();
  key_new
    ->add_option(
      "--work-factor", new_options->work_factor, "log2 of scrypt's N (10-22)")
    ->capture_default_str();
  key_new->add_flag("--json", global.json, "Print JSON");
  key_new->callback([&global, &action, new_options] {
    action = [&global, new_options] {
      return run_key_new(global, *new_options);
    };
  });

  auto show_file = std::make_shared<std::string>();
  auto* key_show =
    key->add_subcommand("show", "Print the member card of an identity");
  key_show->add_option("FILE", *show_file, "Identity file")->required();
  key_show->add_flag("--json", global.json, "Print JSON");
  key_show->callback([&global, &action, show_file] {
    action = [&global, show_file] { return run_key_show(global, *show_file); };
  });

  auto add_options = std::make_shared<KeyAddOptions>();
  auto* key_add = key->add_subcommand("add", "Admit a member to the vault");
  key_add
    ->add_option("--role", add_options->role, "legal, data, advocacy or intake")
    ->required();
  key_add->add_option(
    "--name", add_options->name, "The member's name (stored encrypted)");
  key_add
    ->add_option("CARD", add_options->card, "A member card file, or its text")
    ->required();
  key_add->add_flag("--json", global.json, "Print JSON");
  add_no_checkpoint_flag(*key_add, global);
  key_add->callback([&global, &action, add_options] {
    action = [&global, add_options] {
      return run_key_add(global, *add_options);
    };
  });
}

} // namespace custody::cli
