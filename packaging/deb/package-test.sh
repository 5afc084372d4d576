#!/usr/bin/env bash
# `make package-test`: install the .deb with apt-get on this machine as a person would,
# test the installed Wise from outside (tests/package), then remove it and check that
# nothing it installed is left. Needs root (or sudo); the tests run in a network namespace
# with only loopback where one can be made, so nothing at run time may reach the network.
set -euo pipefail
deb=$(realpath "$1")
cd "$(dirname "$0")/../.."

sudo=()
[[ $(id -u) == 0 ]] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
apt_install() { "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }

if dpkg-query -W -f='${Status}' wise 2>/dev/null | grep -q "install ok installed"; then
    if [[ ${CI:-} != true ]]; then
        echo "package-test: a wise package is installed already; remove it first" >&2
        exit 1
    fi
    echo "package-test: removing the wise package an earlier run left installed"
    "${sudo[@]}" apt-get remove -y -qq wise >/dev/null
fi
echo "package-test: apt-get install $deb"
apt_install "$deb" || { "${sudo[@]}" apt-get update -qq && apt_install "$deb"; }
mapfile -t listed < <(dpkg-query -L wise)

tests=(.venv/bin/python -m pytest tests/package/test_installed.py tests/package/test_deb.py
       -p no:cacheprovider -q)
status=0
if unshare --net --map-root-user true 2>/dev/null; then
    WISE_INSTALLED=/usr/bin/wise unshare --net --map-root-user \
        sh -c 'ip link set lo up && exec "$@"' sh "${tests[@]}" || status=$?
else
    echo "package-test: no network namespace here, so the tests run with the network"
    WISE_INSTALLED=/usr/bin/wise "${tests[@]}" || status=$?
fi

echo "package-test: apt-get remove wise"
"${sudo[@]}" apt-get remove -y -qq wise >/dev/null
left=()
for path in "${listed[@]}"; do
    # Shared folders (/usr/share/icons/...) stay; anything of Wise's own must be gone.
    if [[ -e $path || -L $path ]] && { [[ ! -d $path ]] || [[ $path == /opt/wise* ]]; }; then
        left+=("$path")
    fi
done
if ((${#left[@]})); then
    echo "package-test: apt-get remove left ${#left[@]} paths behind, e.g. ${left[*]:0:5}" >&2
    status=1
fi
[[ $status == 0 ]] && echo "package-test: installed, tested and removed cleanly"
exit $status
