#!/usr/bin/env bash
# Regenerates the example media of this directory with public tools only (Debian 12: ffmpeg,
# libimage-exiftool-perl, espeak-ng). Everything is synthetic and fictional: test patterns, a sine
# tone, a synthetic voice reading an invented threat, and capture metadata (times, a device, GPS
# positions in the open Indian Ocean) chosen to identify nobody.
#
#   bash examples/media/make-media.sh [OUTDIR]     # default: the directory of this script
#
# Deterministic with the Debian 12 versions (ffmpeg 5.1, exiftool 12.57, espeak-ng 1.51):
# bit-exact encoder flags, one x264 thread, no muxer dates, no random Ogg serial numbers.
# tests/unit/media/test_media.cpp checks the facts custody reads from these files, not their hashes, so
# other tool versions only need to produce the same facts.
set -euo pipefail

out=${1:-$(dirname "$0")}
for tool in ffmpeg exiftool espeak-ng; do
  command -v "$tool" >/dev/null || {
    echo "make-media: $tool is missing (bash scripts/setup installs it)" >&2
    exit 2
  }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
quiet=(-hide_banner -loglevel error -nostdin -y)
exact=(-map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact)

# arrest.mp4: 3 s of ffmpeg's test pattern (320x240, 15 fps, H.264) with a 440 Hz tone (AAC, mono),
# then the capture metadata a phone writes: the movie header's creation time (UTC), the device in
# QuickTime Keys, and the position as ISO 6709 in the user-data atom (libavformat reports it as the
# `location` tag; Keys:GPSCoordinates would come out as com.apple.quicktime.location.ISO6709).
ffmpeg "${quiet[@]}" \
  -f lavfi -i testsrc=size=320x240:rate=15:duration=3 \
  -f lavfi -i sine=frequency=440:sample_rate=44100:duration=3 \
  -c:v libx264 -threads 1 -preset veryfast -crf 35 -pix_fmt yuv420p \
  -c:a aac -b:a 48k -ac 1 -shortest "${exact[@]}" "$work/arrest.mp4"
exiftool -q -overwrite_original -api QuickTimeUTC=1 \
  '-QuickTime:CreateDate=2025:03:14 21:40:00' \
  '-QuickTime:MediaCreateDate=2025:03:14 21:40:00' \
  '-UserData:GPSCoordinates=-20.1234, 75.4321, 12.5' \
  '-Keys:Make=Fictional Devices' '-Keys:Model=FD Phone 7' \
  "$work/arrest.mp4"

# threat.ogg: a synthetic voice (espeak-ng) reading an invented threat, as Opus in Ogg, as a
# messaging app would send it. It carries no capture metadata: custody reports `capture: {}`.
espeak-ng -v en -s 150 -w "$work/voice.wav" \
  "This is a fictional voice note made for testing. If you go to the clinic again, we will arrest you. Pay us or you sleep in the cells tonight."
ffmpeg "${quiet[@]}" -i "$work/voice.wav" \
  -c:a libopus -b:a 24k -ac 1 "${exact[@]}" "$work/threat.ogg"

# injury.jpg: one 640x480 frame of the test pattern as a JPEG, with the EXIF a phone camera
# writes: DateTimeOriginal and its UTC offset, Make, Model, Orientation, GPS position and altitude.
ffmpeg "${quiet[@]}" -f lavfi -i testsrc=size=640x480:rate=1 -frames:v 1 -q:v 5 \
  "${exact[@]}" "$work/injury.jpg"
exiftool -q -overwrite_original \
  '-EXIF:DateTimeOriginal=2025:03:15 09:12:30' '-EXIF:OffsetTimeOriginal=+03:00' \
  '-EXIF:Make=Fictional Devices' '-EXIF:Model=FD Phone 7' '-EXIF:Orientation#=1' \
  '-GPSLatitude=20.13' '-GPSLatitudeRef=S' '-GPSLongitude=75.44' '-GPSLongitudeRef=E' \
  '-GPSAltitude=8' '-GPSAltitudeRef=0' \
  "$work/injury.jpg"

for f in arrest.mp4 threat.ogg injury.jpg; do
  cp "$work/$f" "$out/$f"
done
(cd "$out" && sha256sum arrest.mp4 threat.ogg injury.jpg)
