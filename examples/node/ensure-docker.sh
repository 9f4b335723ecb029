#!/bin/sh
# Makes sure a Docker daemon answers; starts dockerd when run as root and none is running.
set -eu

docker info >/dev/null 2>&1 && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "dtrain: no Docker daemon answers and only root can start one here." >&2
    echo "dtrain: start it (e.g. 'sudo systemctl start docker') and try again." >&2
    exit 1
fi
echo "==> starting dockerd (log: /var/log/dtrain-dockerd.log)"
nohup dockerd >/var/log/dtrain-dockerd.log 2>&1 &
for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && exit 0
    sleep 1
done
echo "dtrain: dockerd did not come up within 60 s; see /var/log/dtrain-dockerd.log" >&2
exit 1
