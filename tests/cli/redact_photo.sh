# custody redact RECORD N --profile photo (issue 17): a photo attached with GPS, a thumbnail of
# another picture and bytes after its end, redacted by the keyless child: the faces and a drawn
# region covered, nothing of the metadata left (exiftool), the original unchanged byte for byte;
# --preview stores nothing; refusals (not a photo, no such attachment, a region outside the image,
# a role without the keys) write nothing; extract --redacted gives the derivative, checked, to
# legal members always and to advocacy only when reviewed and consented.
. "$(dirname "$0")/lib.sh"

command -v exiftool >/dev/null || fail "exiftool is not installed (libimage-exiftool-perl; scripts/setup)"
fixtures=$CUSTODY_SOURCE/tests/fixtures/photos
make_vault
admit advocacy adv
admit data dat

# The astronaut (public domain, a frontal face) as a JPEG with GPS, an author, a thumbnail of the
# camera photo and bytes after its end: what a phone and a careless editor leave.
ffmpeg -loglevel error -i "$fixtures/astronaut.png" -q:v 3 "$T/plain.jpg"
ffmpeg -loglevel error -i "$fixtures/camera.png" -vf scale=160:-1 "$T/thumb.jpg"
cp "$T/plain.jpg" "$T/astronaut.jpg"
exiftool -q -overwrite_original -GPSLatitude=51.5007 -GPSLatitudeRef=N -GPSLongitude=0.1246 \
  -GPSLongitudeRef=W -Artist="Jane Doe" "-ThumbnailImage<=$T/thumb.jpg" "$T/astronaut.jpg"
printf 'TRAILER-07700-900123' >>"$T/astronaut.jpg"
exiftool -j "$T/astronaut.jpg" | grep -q GPSLatitude || fail "the fixture has GPS"
original=$(sha256sum "$T/astronaut.jpg" | cut -c1-64)

sed -e 's/"Imani Chebet"/"Jane Doe"/' "$CUSTODY_SOURCE/examples/incidents/02-unlawful-arrest-condoms.yaml" >"$T/form.yaml"
as_creator record --form "$T/form.yaml" >"$T/one" 2>/dev/null || fail "record"
one=$(cut -d" " -f1 "$T/one")
printf 'notes' >"$T/notes.txt"
expect_status 0 as_creator attach "$one" "$T/astronaut.jpg" "$T/notes.txt"

# Refusals: nothing written. (Each member's first command saves her state cache: done first.)
as_member dat list >/dev/null 2>&1 || fail "list as data"
as_member adv list >/dev/null 2>&1 || fail "list as advocacy"
before=$(snapshot "$T/vault")
expect_status 2 as_creator redact "$one" 1 --profile photo
expect_contains "$T/err" "--preview"
expect_status 2 as_creator redact "$one" --profile photo --approve
expect_status 2 as_creator redact "$one" 1 --profile photo --text --approve
expect_status 2 as_creator redact "$one" 1 --profile photo --region 1,2,3 --approve
expect_status 3 as_creator redact "$one" 3 --profile photo --approve
expect_status 3 as_creator redact "$one" 2 --profile photo --approve
expect_contains "$T/err" "not a photo"
expect_status 3 as_creator redact "$one" 1 --profile photo --region 500,500,100,100 --approve
expect_contains "$T/err" "region"
expect_status 5 as_member dat redact "$one" 1 --profile photo --approve
expect_status 5 as_member adv redact "$one" 1 --profile photo --approve
snapshot "$T/vault" >"$T/after"; echo "$before" >"$T/before"; diff "$T/before" "$T/after" >&2 || fail "a refused photo redaction changed the vault"

# --preview: the redacted photo outside the vault, nothing stored.
ledger_and_objects() { snapshot "$T/vault/ledger"; snapshot "$T/vault/objects"; }
stored=$(ledger_and_objects)
expect_status 0 as_creator redact "$one" 1 --profile photo --preview "$T/preview.jpg"
expect_contains "$T/err" "plaintext image outside the vault"
[ "$(ledger_and_objects)" = "$stored" ] || fail "--preview stored something"
[ -s "$T/preview.jpg" ] || fail "the preview was written"

# Approved unreviewed, with a drawn region: stored for legal members only.
expect_status 0 as_creator redact "$one" 1 --profile photo --region 10,10,40,30 --approve --json
cp "$T/out" "$T/approved.json"
[ "$(jq -r .review "$T/approved.json")" = unreviewed ] || fail "--approve is unreviewed"
[ "$(jq '.report.masks | length' "$T/approved.json")" -ge 2 ] || fail "a face and the region masked"
[ "$(jq '[.report.detectors[].boxes | length] | add' "$T/approved.json")" -ge 1 ] || fail "a face found"
expect_status 0 as_creator extract "$one" 1 --redacted -o "$T/redacted.jpg" --json
[ "$(jq -r .sha256 "$T/out")" = "$(jq -r .output_sha256 "$T/approved.json")" ] || fail "extract gives the derivative"
[ "$(sha256sum "$T/redacted.jpg" | cut -c1-64)" = "$(jq -r .output_sha256 "$T/approved.json")" ] \
  || fail "sha256sum agrees with the derivative's hash"
exiftool -j -a -u -G1 -ee "$T/redacted.jpg" >"$T/tags.json"
for planted in GPS Artist "Jane Doe" Thumbnail 51.5007 TRAILER; do
  expect_not_contains "$T/tags.json" "$planted"
done
! grep -qaF "TRAILER" "$T/redacted.jpg" || fail "bytes after the image survived"
! grep -qaF "Jane Doe" "$T/redacted.jpg" || fail "the author survived"
# The original is unchanged, byte for byte.
expect_status 0 as_creator extract "$one" 1 -o "$T/original.jpg"
[ "$(sha256sum "$T/original.jpg" | cut -c1-64)" = "$original" ] || fail "the original changed"
# Not released: advocacy reads nothing of it.
expect_status 3 as_member adv extract "$one" 1 --redacted -o "$T/adv.jpg"
[ ! -e "$T/adv.jpg" ] || fail "advocacy got an unreleased derivative"
! grep -rqaF "TRAILER" "$T/vault" || fail "plaintext on disk"

# Reviewed on a terminal, of a record consenting to publish: released to advocacy.
printf 'expect Store this redacted photo?\nsend y\n' >"$T/store.steps"
on_pty store "$CUSTODY_BIN" --vault "$T/vault" --identity "$T/creator.age" \
  --passphrase-file "$T/creator.pass" redact "$one" 1 --profile photo --png
[ "$pty_status" -eq 0 ] || { cat "$T/store.out" >&2; fail "the reviewed photo redaction exits 0, got $pty_status"; }
expect_contains "$T/store.out" "released to advocacy"
expect_status 0 as_member adv extract "$one" 1 --redacted -o "$T/adv.png" --json
[ "$(jq -r .format "$T/out")" = png ] || fail "the latest derivative is the PNG"
[ "$(head -c 8 "$T/adv.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "a PNG"
expect_status 5 as_member adv extract "$one" 1 -o "$T/adv-original.jpg"

# A check that fails stores nothing and exits 1: an alias of "JFIF", which every JPEG OpenCV
# writes holds, stands for an identity value that survived into the output.
sed -e 's/"Vale"/"JFIF"/' -e 's/P-0112/P-0113/' "$T/form.yaml" >"$T/jfif.yaml"
as_creator record --form "$T/jfif.yaml" >"$T/two" 2>/dev/null || fail "record two"
two=$(cut -d" " -f1 "$T/two")
expect_status 0 as_creator attach "$two" "$T/astronaut.jpg"
stored=$(ledger_and_objects)
expect_status 1 as_creator redact "$two" 1 --profile photo --approve
expect_contains "$T/err" "failed the check"
expect_not_contains "$T/err" "JFIF"
[ "$(ledger_and_objects)" = "$stored" ] || fail "a failed check stored something"

expect_status 0 as_creator verify --index --deep
expect_status 0 as_member adv verify --index --deep
