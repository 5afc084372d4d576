#!/usr/bin/env bash
# Re-take the README's screenshots on a virtual X display: the real tray app in a real
# tray (trayer), driven with xdotool, photographed by grab.py (Qt). Needs: xvfb trayer
# xdotool x11-xserver-utils. Wise runs in the usual folders of a throwaway HOME, so the
# shots show what most people see (a WISE_HOME would name itself in the menu).
set -euo pipefail
cd "$(dirname "$0")/../.."
source packaging/screenshots/xsession.sh 71
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
