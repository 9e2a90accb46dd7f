// Unknown commands and options with "did you mean", and the global options in
// every command's help.
#include "usage.hpp"

#include <custody/schema/schema.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <string_view>
#include <vector>

namespace custody::cli {

namespace {

// The subcommands a person can type here: hidden ones (an empty group, such
// as the media child) are not offered.
std::vector<const CLI::App*>
visible_subcommands(const CLI::App& app)
{
  return app.get_subcommands(
    [](const CLI::App* sub) { return !sub->get_group().empty(); });
}

const CLI::App*
subcommand_named(const CLI::App& app, std::string_view name)
{
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->check_name(std::string(name))) {
      return sub;
    }
  }
  return nullptr;
}

// An option of `app` or of the apps above it: global options are the root's,
// and CLI11 lets them follow the command.
const CLI::Option*
option_named(const CLI::App& app, const std::string& name)
{
  for (const CLI::App* level = &app; level != nullptr;
       level = level->get_parent()) {
    if (const CLI::Option* option = level->get_option_no_throw(name);
        option != nullptr && option->nonpositional()) {
      return option;
    }
  }
  return nullptr;
}

// Whether some command below `app` has the option `name` (--json is each
// command's own, so it goes after the command).
bool
belongs_to_a_command(const CLI::App& app, const std::string& name)
{
  return std::ranges::any_of(
    visible_subcommands(app), [&name](const CLI::App* sub) {
      const CLI::Option* option = sub->get_option_no_throw(name);
      return (option != nullptr && option->nonpositional())
             || belongs_to_a_command(*sub, name);
    });
}

std::vector<std::string>
option_names(const CLI::App& app)
{
  std::vector<std::string> names;
  for (const CLI::App* level = &app; level != nullptr;
       level = level->get_parent()) {
    for (const CLI::Option* option : level->get_options()) {
      for (const auto& name : option->get_lnames()) {
        names.push_back("--" + name);
      }
      for (const auto& name : option->get_snames()) {
        names.push_back("-" + name);
      }
    }
  }
  return names;
}

std::string
suggestion(const std::string& typed,
           const std::vector<std::string>& candidates,
           const std::string& prefix)
{
  const auto guess = schema::closest(typed, candidates);
  return guess ? fmt::format("; did you mean \"{}{}\"?", prefix, *guess) : "";
}

} // namespace

std::optional<Error>
unknown_name(const CLI::App& root, int argc, const char* const* argv)
{
  const CLI::App* current = &root;
  std::string path; // the command words so far, each followed by a space
  for (int i = 1; i < argc; ++i) {
    const std::string_view argument(argv[i]);
    if (argument == "--") {
      return std::nullopt;
    }
    // "-" alone is a value (standard output, as in `extract -o -`).
    if (argument.size() > 1 && argument[0] == '-') {
      const bool is_long = argument.starts_with("--");
      const std::string name(is_long ? argument.substr(0, argument.find('='))
                                     : argument.substr(0, 2));
      const CLI::Option* option = option_named(*current, name);
      if (option == nullptr && current->get_parent() == nullptr
          && belongs_to_a_command(*current, name)) {
        return Error{Errc::usage,
                     fmt::format("\"{}\" is an option of a command, not a "
                                 "global one",
                                 name),
                     "put it after the command (`custody log --json`)"};
      }
      if (option == nullptr) {
        return Error{Errc::usage,
                     fmt::format("unknown option \"{}\"{}",
                                 name,
                                 suggestion(name, option_names(*current), "")),
                     fmt::format("`custody {}--help` lists the options", path)};
      }
      // Its value is the next argument unless it is attached (--wait=3, -n3).
      if (option->get_items_expected_min() > 0
          && name.size() == argument.size()) {
        ++i;
      }
      continue;
    }
    if (visible_subcommands(*current).empty()) {
      continue; // a positional argument of the command
    }
    if (const CLI::App* sub = subcommand_named(*current, argument)) {
      current = sub;
      path += sub->get_name() + " ";
      continue;
    }
    std::vector<std::string> commands;
    for (const CLI::App* sub : visible_subcommands(*current)) {
      commands.push_back(sub->get_name());
    }
    const std::string typed(argument);
    return Error{Errc::usage,
                 fmt::format("unknown command \"{}{}\"{}",
                             path,
                             typed,
                             suggestion(typed, commands, path)),
                 fmt::format("`custody {}--help` lists the commands", path)};
  }
  return std::nullopt;
}

void
show_global_options(CLI::App& root)
{
  const CLI::App& shown = root;
  const std::vector<const CLI::Option*> globals =
    shown.get_options([&shown](const CLI::Option* option) {
      return option != shown.get_help_ptr()
             && option != shown.get_version_ptr();
    });
  CLI::Formatter formatter;
  formatter.column_width(root.get_formatter()->get_column_width());
  const std::string block = formatter.make_group(
    "Global options (before or after the command; see custody(1))",
    false,
    globals);
  std::vector<CLI::App*> pending =
    root.get_subcommands([](CLI::App*) { return true; });
  while (!pending.empty()) {
    CLI::App* sub = pending.back();
    pending.pop_back();
    if (sub->get_group().empty()) {
      continue;
    }
    sub->footer(block.substr(block.find_first_not_of('\n')) + "\n"
                + sub->get_footer());
    for (CLI::App* inner :
         sub->get_subcommands([](CLI::App*) { return true; })) {
      pending.push_back(inner);
    }
  }
}

std::string
parsed_command(const CLI::App& root)
{
  std::string words;
  for (const CLI::App* level = &root;;) {
    const auto parsed = level->get_subcommands();
    if (parsed.empty()) {
      return words;
    }
    level = parsed.front();
    words += words.empty() ? level->get_name() : " " + level->get_name();
  }
}

} // namespace custody::cli
