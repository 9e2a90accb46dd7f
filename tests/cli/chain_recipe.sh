# The standard-tools recipe of docs/formats.md 4.6, run as written against a real vault.
. "$(dirname "$0")/lib.sh"

make_vault
make_identity data
as_creator key add --role data "$T/data.age.card" >/dev/null 2>&1 || fail "key add"
# extract the recipe from the document, so the document cannot rot
sed -n '/^### 4.6/,/^```$/p' "$CUSTODY_SOURCE/docs/formats.md" | sed -n '/^```sh$/,/^```$/p' | sed '1d;$d' >"$T/recipe.sh"
[ -s "$T/recipe.sh" ] || fail "no recipe found in docs/formats.md 4.6"
sed -i "s|/tmp/ledger.all|$T/ledger.all|" "$T/recipe.sh"

(cd "$T/vault" && sh "$T/recipe.sh") >"$T/out" 2>&1 || true
expect_contains "$T/out" "chain ok: 4 entries"
expect_not_contains "$T/out" "does not match"

# a flipped byte in the first line breaks it at entry 1
sed -i '1s/"seq":0/"seq":0 /; 1s/"seq":0 /"seq":0/; 1s/"kind":"admin"/"kind":"admiN"/' "$T/vault/ledger/000000.jsonl"
(cd "$T/vault" && sh "$T/recipe.sh") >"$T/out" 2>&1 || true
expect_contains "$T/out" "chain broken at entry 1"
# an altered object is named
obj=$(find "$T/vault/objects" -type f | head -1)
printf 'x' >>"$obj"
(cd "$T/vault" && sh "$T/recipe.sh") >"$T/out" 2>&1 || true
expect_contains "$T/out" "does not match its name"
echo ok
