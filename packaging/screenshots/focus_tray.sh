#!/usr/bin/env bash
# The focus session on a real tray (Xvfb + trayer), as a user sees it: a step started from
# the shell puts the ring on the owl and the timer window on screen at once. Writes
# packaging/screenshots/focus-tray-panel.png (the ring on the owl in the panel) and
# focus-tray-window.png (the timer window in its corner).
# Needs: xvfb trayer xdotool x11-xserver-utils.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=packaging/screenshots
export DISPLAY=:${SCREENSHOT_DISPLAY:-72}
export HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)
chmod 700 "$XDG_RUNTIME_DIR"
unset QT_QPA_PLATFORM WISE_HOME XDG_DATA_HOME XDG_CONFIG_HOME
tray= trayer=
Xvfb "$DISPLAY" -screen 0 1280x800x24 >/dev/null 2>&1 & xvfb=$!
trap 'kill $xvfb $tray $trayer 2>/dev/null || true; rm -rf "$HOME" "$XDG_RUNTIME_DIR"' EXIT
sleep 1
trayer --edge top --align right --widthtype request --height 28 --transparent false \
    --tint 0x303030 --SetDockType true >/dev/null 2>&1 & trayer=$!
.venv/bin/wise capture "[ ] write the first paragraph of the intro ~10m" >/dev/null
.venv/bin/wise >/dev/null 2>&1 & tray=$!
sleep 4
xsetroot -solid '#3b4a57'
.venv/bin/wise focus start 1
sleep 5
coproc GRAB { .venv/bin/python packaging/screenshots/grab.py; }
shot() {  # shot WIDTH HEIGHT X Y FILE
    echo "$3 $4 $1 $2 $out/$5" >&"${GRAB[1]}"
    read -r answer <&"${GRAB[0]}"
    [ "$answer" = ok ] || { echo "$answer" >&2; exit 1; }
}
shot 160 28 1120 0 focus-tray-panel.png  # the panel, the ring on the owl
shot 400 130 880 670 focus-tray-window.png  # the timer window in its corner
.venv/bin/wise focus status
.venv/bin/wise focus done
sleep 1
.venv/bin/wise today
