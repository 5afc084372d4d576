# Sourced by take.sh and focus_tray.sh (from the checkout's root): a virtual X display
# with a tray (Xvfb + trayer), Wise in the usual folders of a throwaway HOME (a WISE_HOME
# would name itself in the menu), all ended and removed on exit, and
#   shot WIDTH HEIGHT X Y FILE
# to photograph a part of the screen into packaging/screenshots/ with grab.py (Qt).
# Needs: xvfb trayer xdotool x11-xserver-utils. SCREENSHOT_DISPLAY picks the display
# (the sourcing script's own number otherwise, given as the first argument).
out=packaging/screenshots
export DISPLAY=:${SCREENSHOT_DISPLAY:-$1}
export HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d)
chmod 700 "$XDG_RUNTIME_DIR"
unset QT_QPA_PLATFORM WISE_HOME XDG_DATA_HOME XDG_CONFIG_HOME
tray= trayer=
Xvfb "$DISPLAY" -screen 0 1280x800x24 >/dev/null 2>&1 & xvfb=$!
trap 'kill $xvfb $tray $trayer 2>/dev/null || true; rm -rf "$HOME" "$XDG_RUNTIME_DIR"' EXIT
sleep 1
trayer --edge top --align right --widthtype request --height 28 --transparent false \
    --tint 0x303030 --SetDockType true >/dev/null 2>&1 & trayer=$!
coproc GRAB { .venv/bin/python packaging/screenshots/grab.py; }
shot() {  # shot WIDTH HEIGHT X Y FILE
    echo "$3 $4 $1 $2 $out/$5" >&"${GRAB[1]}"
    read -r answer <&"${GRAB[0]}"
    [ "$answer" = ok ] || { echo "$answer" >&2; exit 1; }
}
