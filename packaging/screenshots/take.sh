#!/usr/bin/env bash
# Re-take the README's screenshots on a virtual X display: the real tray app in a real
# tray (trayer), driven with xdotool, photographed by grab.py (Qt). Needs: xvfb trayer
# xdotool x11-xserver-utils. Wise runs in the usual folders of a throwaway HOME, so the
# shots show what most people see (a WISE_HOME would name itself in the menu).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=packaging/screenshots
export DISPLAY=:${SCREENSHOT_DISPLAY:-71}
export HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)
unset QT_QPA_PLATFORM WISE_HOME XDG_DATA_HOME XDG_CONFIG_HOME
tray= trayer=
Xvfb "$DISPLAY" -screen 0 1280x800x24 >/dev/null 2>&1 & xvfb=$!
trap 'kill $xvfb $tray $trayer 2>/dev/null || true; rm -rf "$HOME" "$XDG_RUNTIME_DIR"' EXIT
sleep 1
coproc GRAB { .venv/bin/python packaging/screenshots/grab.py; }
shot() {  # shot WIDTH HEIGHT X Y FILE
    echo "$3 $4 $1 $2 $out/$5" >&"${GRAB[1]}"
    read -r answer <&"${GRAB[0]}"
    [ "$answer" = ok ] || { echo "$answer" >&2; exit 1; }
}

trayer --edge top --align right --widthtype request --height 28 --transparent false \
    --tint 0x303030 --SetDockType true >/dev/null 2>&1 & trayer=$!
.venv/bin/wise goals add "Family" --why "I want to be there for them" >/dev/null
.venv/bin/wise goals add "Get fit again" --slug fitness --why "Energy for the kids" >/dev/null
.venv/bin/wise >/dev/null 2>&1 & tray=$!
sleep 3
xsetroot -solid '#3b4a57'
sleep 0.3

xdotool mousemove 1266 14 click 3
sleep 0.8
shot 300 200 980 0 tray-menu.png
xdotool key Escape

xdotool key ctrl+alt+space
sleep 0.8
xdotool type --delay 25 "call mum about the trip #"
sleep 0.8
shot 640 260 320 130 capture-completion.png
xdotool type --delay 25 "fa"
xdotool key Tab
xdotool type --delay 25 "tomorrow ~10m"
sleep 0.6
shot 640 150 320 130 capture-window.png
xdotool key Return
sleep 0.3
shot 640 150 320 130 capture-saved.png
sleep 1
echo "screenshots written to $out"
