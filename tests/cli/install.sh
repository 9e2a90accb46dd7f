# `cmake --install` (the README's way) puts the binary, its keyless media child, every man page and
# both shell completions under the prefix, and the installed binary runs, finds its child (an
# attachment's media facts are read) and its man pages render.
. "$(dirname "$0")/lib.sh"

build=$(cd "$(dirname "$CUSTODY_BIN")/.." && pwd)
[ -f "$build/cmake_install.cmake" ] || fail "no cmake_install.cmake in $build"
cmake --install "$build" --prefix "$T/inst" >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "cmake --install"; }

[ -x "$T/inst/bin/custody" ] || fail "bin/custody not installed"
"$T/inst/bin/custody" --version >"$T/out" || fail "the installed custody does not run"
expect_contains "$T/out" "custody "
[ -x "$T/inst/libexec/custody/custody-media" ] || fail "libexec/custody/custody-media not installed"
[ ! -e "$T/inst/bin/custody-media" ] || fail "custody-media is on PATH: it is internal"
CUSTODY_BIN="$T/inst/bin/custody"
make_vault
as_creator record --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml" >"$T/id" \
  || fail "record with the installed custody"
expect_status 0 as_creator attach "$(cut -d' ' -f1 "$T/id")" "$CUSTODY_SOURCE/examples/media/injury.jpg" --json
expect_not_contains "$T/err" "could not be read"
for page in "$CUSTODY_SOURCE"/man/*.1; do
  [ -f "$T/inst/share/man/man1/$(basename "$page")" ] || fail "man1/$(basename "$page") not installed"
done
[ -f "$T/inst/share/man/man5/custody-vault.5" ] || fail "man5/custody-vault.5 not installed"
! ls "$T/inst/share/man/man1/"*.5 >/dev/null 2>&1 || fail "a section 5 page went to man1"
cmp "$T/inst/share/bash-completion/completions/custody" "$CUSTODY_SOURCE/completions/custody.bash" \
  || fail "the bash completion is not installed as share/bash-completion/completions/custody"
cmp "$T/inst/share/zsh/vendor-completions/_custody" "$CUSTODY_SOURCE/completions/_custody" \
  || fail "the zsh completion is not installed as share/zsh/vendor-completions/_custody"
# man finds the installed pages through the prefix
MANPATH="$T/inst/share/man" MANWIDTH=80 man custody-agent >"$T/man.out" 2>&1 \
  || { cat "$T/man.out"; fail "man custody-agent from the prefix"; }
expect_contains "$T/man.out" "custody agent"
echo ok
