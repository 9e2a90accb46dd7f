# The shell completions: completions/custody.bash and completions/_custody are what
# scripts/completions writes from this binary's --help (so they list every command and option),
# bash completes commands, subcommands, options and --vault's directories, and zsh reads the file.
. "$(dirname "$0")/lib.sh"

source_dir=$CUSTODY_SOURCE/completions
/usr/bin/python3 "$CUSTODY_SOURCE/scripts/completions" "$CUSTODY_BIN" "$T/generated" \
  || fail "scripts/completions failed"
for file in custody.bash _custody; do
  diff -u "$source_dir/$file" "$T/generated/$file" >"$T/diff" \
    || { cat "$T/diff" >&2; fail "completions/$file is not current: run scripts/completions"; }
done

# every command and every option of every command's --help is in both files
expect_status 0 custody --help
commands=$(awk '/^Subcommands:/ { inside = 1; next } inside && /^[^ ]/ { inside = 0 }
                inside && /^  [a-z]/ { print $1 }' "$T/out")
[ "$(wc -w <<<"$commands")" -ge 14 ] || fail "custody --help lists too few commands: $commands"
for command in $commands; do
  for file in custody.bash _custody; do
    grep -qw -- "$command" "$source_dir/$file" || fail "completions/$file does not know the command $command"
  done
  expect_status 0 custody "$command" --help
  for option in $(awk '/^Global options/ { exit } /^ +-/ { print $1 }' "$T/out" | tr ',' '\n' \
                  | grep -E '^--?[a-z]' | grep -vxE -- '-h|--help'); do
    for file in custody.bash _custody; do
      grep -q -- "$option" "$source_dir/$file" \
        || fail "completions/$file does not know $command $option"
    done
  done
done

# bash: complete as a person would press TAB
complete_words() { # WORD... (the last is the one being completed)
  bash -c '
    source "$1"; shift
    COMP_WORDS=(custody "$@"); COMP_CWORD=$#
    _custody
    printf "%s\n" "${COMPREPLY[@]}"' _ "$source_dir/custody.bash" "$@"
}
complete_words "" >"$T/got"
for command in $commands; do grep -qx "$command" "$T/got" || fail "custody <TAB> does not offer $command"; done
[ "$(complete_words li)" = list ] || fail "custody li<TAB> must complete to list"
[ "$(complete_words key n)" = new ] || fail "custody key n<TAB> must complete to new"
complete_words list --j >"$T/got"
grep -qx -- --json "$T/got" || fail "custody list --j<TAB> must offer --json"
complete_words --vault "$T/vault" log -- >"$T/got"
grep -qx -- --last "$T/got" || fail "custody log --<TAB> must offer --last"
grep -qx -- --identity "$T/got" || fail "custody log --<TAB> must offer the global --identity"
mkdir -p "$T/vaults/one"
touch "$T/vaults/file"
complete_words --vault "$T/vaults/" >"$T/got"
grep -qx "$T/vaults/one" "$T/got" || fail "--vault <TAB> must offer directories"
! grep -qx "$T/vaults/file" "$T/got" || fail "--vault <TAB> must not offer files"
[ -z "$(complete_words --identity "$T/vaults/f")" ] || fail "--identity <TAB> must leave file names to bash"
complete_words --identity me.age list --period 2025 -- >"$T/got"
grep -qx -- --district "$T/got" || fail "options after a value must still complete"

# zsh reads the file (syntax), when zsh is there (scripts/setup installs it)
command -v zsh >/dev/null || fail "zsh is not installed (scripts/setup installs it)"
zsh -n "$source_dir/_custody" || fail "completions/_custody is not valid zsh"
head -n1 "$source_dir/_custody" | grep -qx '#compdef custody' || fail "_custody must start with #compdef custody"
echo ok
