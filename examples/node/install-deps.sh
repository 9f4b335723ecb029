#!/bin/sh
# Installs the Debian packages dtrain needs to build, test and run jobs.
# As root it installs what is missing; otherwise it names what to install and fails.
set -eu

packages="pkg-config libgit2-dev libarchive-dev libsqlite3-dev docker.io debootstrap
    openssh-server openssh-client git python3 zip"

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "dtrain: missing Debian packages:$missing" >&2
    echo "dtrain: as root, run: apt-get install -y$missing" >&2
    exit 1
fi
echo "==> installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
