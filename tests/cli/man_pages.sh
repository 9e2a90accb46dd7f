# The man pages stay honest: every option the binary's --help prints is in the page, every option a
# page lists is one the binary knows, every page renders without a groff warning and has the
# sections CONTRIBUTING.md fixes, and custody.1's exit status table is the one `custody --help` prints.
. "$(dirname "$0")/lib.sh"

man_dir=$CUSTODY_SOURCE/man
command -v groff >/dev/null \
  || fail "groff is not installed (Debian package groff-base; add it to scripts/setup)"

# A page's source with roff escapes turned back into what they print (\-\-work\-factor is
# --work-factor), so that options can be matched as plain text.
normalise() { # PAGE
  sed -e 's/\\f\[[^]]*\]//g' -e 's/\\f([A-Za-z0-9][A-Za-z0-9]//g' -e 's/\\f[A-Za-z0-9]//g' \
    -e 's/\\-/-/g' -e 's/\\(hy/-/g' -e 's/\\(en/-/g' -e 's/\\(em/-/g' -e 's/\\&//g' -e 's/\\%//g' \
    -e 's/\\e/\\/g' "$1"
}

# The lines of one section (.SH NAME up to the next .SH) of a normalised page.
section() { # NORMALISED-FILE NAME
  awk -v want="$2" '
    /^\.SH[ \t]/ { name = $0; sub(/^\.SH[ \t]+/, "", name); gsub(/"/, "", name); inside = (name == want); next }
    inside { print }' "$1"
}

# The tags of the list items of a section: the line after each .TP or .TQ, and .IP's argument.
tp_tags() {
  awk '/^\.(TP|TQ)([ \t]|$)/ { tag = 1; next } tag { print; tag = 0; next } /^\.IP[ \t]/ { print }'
}

long_options() { # reads text, prints each --option once
  grep -oE -- '--[A-Za-z0-9][A-Za-z0-9-]*' | sort -u || true
}

# The options a CLI11 help text declares: the first column of its option lines (so an option that a
# description merely mentions, "`record --amend`", is not taken for one of this command's). A
# command's help ends with the global options, which custody.1 documents: they stop the list.
declared_options() { # reads a --help text
  awk '/^Global options/ { skip = 1; next } skip && /^[^ ]/ { skip = 0 } !skip && /^ +-/ { print $1 }' \
    | tr ',' '\n' | long_options
}

# The global options a command's help shows after its own.
global_options() { # reads a --help text
  awk '/^Global options/ { inside = 1; next } inside && /^[^ ]/ { inside = 0 }
       inside && /^ +-/ { print $1 }' | tr ',' '\n' | long_options
}

# The subcommands a CLI11 help text lists under "Subcommands:".
subcommands() { # HELP-FILE
  awk '/^Subcommands:/ { inside = 1; next } inside && /^[^ ]/ { inside = 0 } inside && /^  [a-z]/ { print $1 }' "$1"
}

help_of() { # OUT-FILE ARGS...: custody ARGS --help, which must exit 0
  local out=$1
  shift
  expect_status 0 custody "$@" --help
  [ -s "$T/out" ] || fail "custody $* --help printed nothing"
  cp "$T/out" "$out"
}

# 1. Which page documents which --help texts: custody.1 the root, custody-<command>.1 the command
#    and its sub-subcommands (custody-key.1 covers key new, key show and key add).
help_of "$T/help.root"
pages=(custody)
cp "$T/help.root" "$T/help.custody"
commands=$(subcommands "$T/help.root")
for required in init key log verify; do
  grep -qx "$required" <<<"$commands" || fail "custody --help does not list the command $required"
done
for command in $commands; do
  page=custody-$command
  pages+=("$page")
  help_of "$T/help.$page" "$command"
  for sub in $(subcommands "$T/help.$page"); do
    help_of "$T/help.$page.$sub" "$command" "$sub"
    cat "$T/help.$page.$sub" >>"$T/help.$page"
  done
done
for sub in new show add; do
  [ -s "$T/help.custody-key.$sub" ] || fail "custody key --help does not list key $sub"
done

problems=0
problem() {
  echo "man_pages: $*" >&2
  problems=$((problems + 1))
}

for page in "${pages[@]}"; do
  file=$man_dir/$page.1
  if [ ! -f "$file" ]; then
    problem "man/$page.1 is missing (every command has a man page)"
    continue
  fi
  normalise "$file" >"$T/$page.norm"

  # 2. Every long option the binary prints in --help is an item of the page's OPTIONS section.
  declared_options <"$T/help.$page" >"$T/$page.help-options"
  section "$T/$page.norm" OPTIONS | tp_tags | long_options >"$T/$page.page-options"
  while IFS= read -r option; do
    grep -qx -- "$option" "$T/$page.page-options" \
      || problem "man/$page.1 has no OPTIONS item for $option (it is in \`${page//-/ } --help\`)"
  done <"$T/$page.help-options"

  # 2b. Every command's help shows every global option of the root, after its own.
  if [ "$page" != custody ]; then
    declared_options <"$T/help.root" | grep -vxE -- "--help|--version" >"$T/root.options"
    global_options <"$T/help.$page" | sort -u >"$T/$page.globals"
    while IFS= read -r option; do
      grep -qx -- "$option" "$T/$page.globals" \
        || problem "\`${page//-/ } --help\` does not show the global option $option"
    done <"$T/root.options"
  fi

  # 3. Every option the page lists under OPTIONS is one the binary knows (its own or a global one).
  cat "$T/$page.help-options" "$T/help.root" | long_options >"$T/$page.known-options"
  while IFS= read -r option; do
    grep -qx -- "$option" "$T/$page.known-options" \
      || problem "man/$page.1 lists $option under OPTIONS, but \`${page//-/ } --help\` does not know it"
  done <"$T/$page.page-options"

  # 4. The sections of CONTRIBUTING.md, in the page.
  for name in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
    grep -qE "^\.SH[ \t]+\"?$name\"?[ \t]*\$" "$file" || problem "man/$page.1 has no section $name"
  done

  # 5. The exit codes a page lists are codes of the global table.
  section "$T/$page.norm" "EXIT STATUS" | tp_tags | sed -e 's/^\.[A-Z]*[ \t]*//' -e 's/[ \t].*//' \
    >"$T/$page.codes"
  [ -s "$T/$page.codes" ] || problem "man/$page.1 lists no exit codes under EXIT STATUS"
  awk '/^Exit status:/ { inside = 1; next } inside && /^  *[0-9]/ { print $1 }' "$T/help.root" \
    >"$T/root.codes"
  while IFS= read -r code; do
    grep -qx -- "$code" "$T/root.codes" \
      || problem "man/$page.1 lists exit status $code, which \`custody --help\` does not"
  done <"$T/$page.codes"

  # custody.1 names every command's page.
  if [ "$page" != custody ]; then
    grep -qE "^\.BR $page \(1\)" "$T/custody.norm" || problem "man/custody.1 does not refer to $page(1)"
  fi
done

# 6. custody.1's exit status table is exactly the one --help prints.
if ! diff <(sort -n "$T/root.codes") <(sort -n "$T/custody.codes") >"$T/codes.diff"; then
  problem "the exit codes of man/custody.1 differ from \`custody --help\` (< help, > page):"
  cat "$T/codes.diff" >&2
fi
grep -q . "$T/root.codes" || problem "\`custody --help\` prints no exit status table"

# 7. Every page, custody-vault.5 included, renders without a warning.
for file in "$man_dir"/*.[1-9]; do
  if ! LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$file" >"$T/groff.err" 2>&1 || [ -s "$T/groff.err" ]; then
    problem "man/$(basename "$file") does not render cleanly with groff -man -ww:"
    cat "$T/groff.err" >&2
  fi
  if command -v man >/dev/null; then
    if ! LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$file" >"$T/man.out" 2>"$T/man.err" \
      || [ -s "$T/man.err" ] || [ ! -s "$T/man.out" ]; then
      problem "man -l man/$(basename "$file") does not render cleanly:"
      cat "$T/man.err" >&2
    fi
  fi
done
for name in NAME DESCRIPTION INVARIANTS "SEE ALSO"; do
  grep -qE "^\.SH[ \t]+\"?$name\"?[ \t]*\$" "$man_dir/custody-vault.5" \
    || problem "man/custody-vault.5 has no section $name"
done

[ "$problems" -eq 0 ] || fail "$problems problem(s) in the man pages"
echo "man pages: ${#pages[@]} command pages match --help and render cleanly"
