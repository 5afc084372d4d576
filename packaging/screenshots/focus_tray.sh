#!/usr/bin/env bash
# The focus session on a real tray (Xvfb + trayer), as a user sees it: a step started from
# the shell puts the ring on the owl and the timer window on screen at once. Writes
# packaging/screenshots/focus-tray-panel.png (the ring on the owl in the panel) and
# focus-tray-window.png (the timer window in its corner).
# Needs: xvfb trayer xdotool x11-xserver-utils.
set -euo pipefail
cd "$(dirname "$0")/../.."
source packaging/screenshots/xsession.sh 72
.venv/bin/wise capture "[ ] write the first paragraph of the intro ~10m" >/dev/null
.venv/bin/wise >/dev/null 2>&1 & tray=$!
sleep 4
xsetroot -solid '#3b4a57'
.venv/bin/wise focus start 1
sleep 5
shot 160 28 1120 0 focus-tray-panel.png  # the panel, the ring on the owl
shot 400 130 880 670 focus-tray-window.png  # the timer window in its corner
.venv/bin/wise focus status
.venv/bin/wise focus done
sleep 1
.venv/bin/wise today
