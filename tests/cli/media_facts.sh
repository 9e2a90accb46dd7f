# `custody-media facts FILE` (docs/media.md), the keyless child custody runs: prints one canonical
# JSON line valid against schemas/output/media_facts.json (checked with python3-jsonschema) whose
# facts agree with ffprobe's and exiftool's (tools nobody on this team wrote); never changes the
# file; exit 3 for a missing file, a directory or a FIFO (without waiting for a writer). custody
# itself loads none of the media parsers, and refuses to attach without its child.
. "$(dirname "$0")/lib.sh"

media=$CUSTODY_SOURCE/examples/media
for tool in ffprobe exiftool; do
  command -v "$tool" >/dev/null || fail "$tool is missing (bash scripts/setup installs it)"
done

expect_status 0 custody --help
expect_not_contains "$T/out" "media-facts"
expect_not_contains "$T/out" "redact-photo"
# The process that holds keys loads no parser of untrusted files: the child alone does.
ldd "$CUSTODY_BIN" >"$T/ldd" || fail "ldd custody"
for library in libavformat libavcodec libexiv2 libmagic libopencv; do
  expect_not_contains "$T/ldd" "$library"
done
ldd "$CUSTODY_MEDIA_BIN" >"$T/ldd" || fail "ldd custody-media"
for library in libavformat libexiv2 libmagic libopencv_imgcodecs; do
  expect_contains "$T/ldd" "$library"
done
# nor has it the child's commands
expect_status 2 custody __media-facts "$media/injury.jpg"
expect_status 2 custody_media
expect_contains "$T/err" "usage: custody-media"

for f in arrest.mp4 threat.ogg injury.jpg; do
  before=$(sha256sum <"$media/$f")
  expect_status 0 custody_media facts "$media/$f"
  [ ! -s "$T/err" ] || fail "custody-media facts $f wrote to stderr"
  [ "$(wc -l <"$T/out")" -eq 1 ] || fail "custody-media facts $f printed more than one line"
  cp "$T/out" "$T/$f.json"
  [ "$(sha256sum <"$media/$f")" = "$before" ] || fail "custody-media facts changed $f"
  # On standard input, ffprobe like custody goes by the content alone, not the name (by name a
  # .jpg is image2, which custody does not allow).
  ffprobe -v quiet -print_format json -show_format - <"$media/$f" >"$T/$f.ffprobe.json"
  exiftool -json -n -GPSLatitude -GPSLongitude -GPSAltitude -Make -Model "$media/$f" >"$T/$f.exiftool.json"
done

/usr/bin/python3 - "$CUSTODY_SOURCE/schemas/output/media_facts.json" "$T" <<'PY' || fail "media facts disagree (see above)"
import json, os, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
t = sys.argv[2]
problems = []
for name in ["arrest.mp4", "threat.ogg", "injury.jpg"]:
    text = open(os.path.join(t, name + ".json")).read()
    facts = json.loads(text)
    jsonschema.Draft202012Validator(schema).validate(facts)
    canonical = json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    if text != canonical:
        problems.append(f"{name}: not canonical JSON")
    fmt = json.load(open(os.path.join(t, name + ".ffprobe.json")))["format"]
    if facts.get("container") != fmt["format_name"]:
        problems.append(f"{name}: container {facts.get('container')} != ffprobe {fmt['format_name']}")
    # (From a pipe ffprobe cannot seek to an Ogg file's end for its duration.)
    if "duration" in fmt and abs(float(facts["duration_seconds"]) - float(fmt["duration"])) > 0.001:
        problems.append(f"{name}: duration {facts['duration_seconds']} != ffprobe {fmt['duration']}")
    exif = json.load(open(os.path.join(t, name + ".exiftool.json")))[0]
    capture = facts["capture"]
    for key, tag in [("latitude", "GPSLatitude"), ("longitude", "GPSLongitude"), ("altitude", "GPSAltitude")]:
        if tag in exif:
            got = float(capture["gps"][key])
            if abs(got - float(exif[tag])) > 1e-4:
                problems.append(f"{name}: {key} {got} != exiftool {exif[tag]}")
        elif key in capture.get("gps", {}):
            problems.append(f"{name}: {key} that exiftool does not see")
    for key, tag in [("make", "Make"), ("model", "Model")]:
        if capture.get(key) != exif.get(tag):
            problems.append(f"{name}: {key} {capture.get(key)!r} != exiftool {exif.get(tag)!r}")
for p in problems:
    print(p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY

expect_status 3 custody_media facts "$T/missing.mp4"
expect_contains "$T/err" "missing.mp4"
[ ! -s "$T/out" ] || fail "a failed custody-media facts printed facts"
expect_status 3 custody_media facts "$T"
mkfifo "$T/pipe"
expect_status 3 timeout 20 "$CUSTODY_MEDIA_BIN" facts "$T/pipe"
expect_contains "$T/err" "not a regular file"
if [ "$(id -u)" -ne 0 ]; then
  echo secret >"$T/unreadable.mp4"
  chmod 000 "$T/unreadable.mp4"
  expect_status 3 custody_media facts "$T/unreadable.mp4"
fi
expect_status 2 custody_media facts

# A custody without its child beside it refuses to attach, saying where it looked, and the vault
# is as it was.
make_vault
as_creator record --form "$CUSTODY_SOURCE/examples/incidents/01-police-extortion-harbour.yaml" >"$T/id" \
  || fail "record"
mkdir "$T/alone"
cp "$CUSTODY_BIN" "$T/alone/custody"
snapshot "$T/vault" >"$T/before"
expect_status 70 "$T/alone/custody" --vault "$T/vault" --identity "$T/creator.age" \
  --passphrase-file "$T/creator.pass" attach "$(cut -d' ' -f1 "$T/id")" "$media/injury.jpg"
expect_contains "$T/err" "custody-media is not at $T/libexec/custody/custody-media"
expect_contains "$T/err" "install custody again"
snapshot "$T/vault" | cmp -s - "$T/before" || fail "a refused attach changed the vault"
