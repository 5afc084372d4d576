#!/usr/bin/env bash
# The README's pictures of the eval report: `wise eval report` of the runs in WISE_HOME,
# photographed by headless Chromium in light and dark (the page follows the system theme).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=packaging/screenshots
report=$(mktemp -d)/report.html
.venv/bin/wise eval report -o "$report" >/dev/null
for theme in light dark; do
    flags=()
    [ "$theme" = dark ] && flags=(--force-dark-mode --blink-settings=preferredColorScheme=0)
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "${flags[@]}" \
        --window-size=1100,1500 --screenshot="$out/eval-report-$theme.png" "file://$report" \
        >/dev/null 2>&1
done
