#!/usr/bin/env bash
# Re-take the README's screenshots on a virtual X display: the real tray app in a real
# tray (trayer), driven with xdotool. Needs: xvfb trayer xdotool imagemagick x11-xserver-utils.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=packaging/screenshots
export DISPLAY=:${SCREENSHOT_DISPLAY:-71}
export WISE_HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)
unset QT_QPA_PLATFORM
Xvfb "$DISPLAY" -screen 0 1280x800x24 >/dev/null 2>&1 & xvfb=$!
trap 'kill $xvfb $tray $trayer 2>/dev/null || true; rm -rf "$WISE_HOME" "$XDG_RUNTIME_DIR"' EXIT
sleep 1

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
import -window root -crop 300x200+980+0 +repage "$out/tray-menu.png"
xdotool key Escape

xdotool key ctrl+alt+space
sleep 0.8
xdotool type --delay 25 "call mum about the trip #fa"
sleep 0.8
import -window root -crop 640x230+320+130 +repage "$out/capture-completion.png"
xdotool key Tab
xdotool type --delay 25 "tomorrow ~10m"
sleep 0.6
import -window root -crop 640x150+320+130 +repage "$out/capture-window.png"
xdotool key Return
sleep 0.3
import -window root -crop 640x150+320+130 +repage "$out/capture-saved.png"
sleep 1
echo "screenshots written to $out"
