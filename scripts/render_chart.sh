#!/usr/bin/env bash
# render_chart.sh: look at a sweep chart the way a reader's browser would.
#
#   scripts/render_chart.sh [SVG] [PNG]
#
# Renders SVG (default out/sweep.svg) to PNG (default: next to it, .png) with
# rsvg-convert (librsvg, the renderer GNOME and many wikis use), after checking
# that the file is well-formed XML (xmllint). Open the PNG and look at it:
# titles, axis labels, legend, nothing clipped or overlapping.
#
# rsvg-convert and xmllint come from Debian's librsvg2-bin and libxml2-utils.
# If they are missing, the script installs them with apt-get (as root, or with
# sudo); they are only needed here, never to build or test racelab.
#
# With --make, it first runs a small real sweep into out/ so there is an SVG:
#   scripts/render_chart.sh --make
# Exits 1 if the SVG is not well-formed or does not render.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ${1:-} == --make ]]; then
    shift
    swift build -c release >&2
    "$(swift build -c release --show-bin-path)/racelab" sweep counter --threads 1,2,4 --runs 3 --out out >/dev/null
fi
svg="${1:-out/sweep.svg}"
png="${2:-${svg%.svg}.png}"
[[ -f $svg ]] || { echo "render_chart: no such file: $svg (run a sweep with --out first, or pass --make)" >&2; exit 64; }

install_tools() {
    local apt=(apt-get)
    [[ $(id -u) -eq 0 ]] || apt=(sudo apt-get)
    echo "render_chart: installing librsvg2-bin and libxml2-utils from Debian's packages..." >&2
    "${apt[@]}" install -y -qq librsvg2-bin libxml2-utils >/dev/null 2>&1 ||
        { "${apt[@]}" update -qq >/dev/null 2>&1 && "${apt[@]}" install -y -qq librsvg2-bin libxml2-utils >/dev/null 2>&1; }
}
if ! command -v rsvg-convert >/dev/null || ! command -v xmllint >/dev/null; then
    install_tools || { echo "render_chart: could not install rsvg-convert/xmllint (apt-get failed)" >&2; exit 69; }
fi

xmllint --noout "$svg" || { echo "render_chart: $svg is not well-formed XML" >&2; exit 1; }
rsvg-convert --format png --output "$png" "$svg" || { echo "render_chart: rsvg-convert could not render $svg" >&2; exit 1; }
size=$(python3 -c 'import struct, sys
with open(sys.argv[1], "rb") as f:
    head = f.read(24)
w, h = struct.unpack(">II", head[16:24])
print(f"{w}x{h}")' "$png")
echo "render_chart: $svg is well-formed and rendered to $png ($size px)"
