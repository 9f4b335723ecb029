#!/bin/sh
# Builds the job image dtrain/python:bookworm from Debian packages (no registry
# needed): debootstrap minbase + python3, numpy, scikit-learn and pip, then
# `docker import`. A second run finds the image and returns in seconds.
#
#   build-image.sh [--rebuild] [--save FILE]
#
#   --rebuild    build even if the image is already present
#   --save FILE  also `docker save` the image to FILE (gzip if FILE ends .gz),
#                to carry into an air-gapped lab and `docker load` there
#
# Needs root, debootstrap and a running Docker daemon (install-deps.sh and
# ensure-docker.sh provide both). Packages come from the same Debian mirror
# this machine's apt uses; the mirror's name is never printed.
set -eu

IMAGE="${DTRAIN_IMAGE:-dtrain/python:bookworm}"
SUITE=bookworm
PACKAGES="python3,python3-numpy,python3-sklearn,python3-pip,ca-certificates"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# Installed only because python3-scipy depends on python3-pythran; see below.
BUILD_ONLY="python3-pythran python3-beniget python3-gast python3-ply libxsimd-dev
    g++ g++-12 gcc gcc-12 cpp cpp-12 libgcc-12-dev libstdc++-12-dev libc6-dev libc-dev-bin
    linux-libc-dev libcrypt-dev libnsl-dev libtirpc-dev rpcsvc-proto binutils binutils-common
    binutils-x86-64-linux-gnu libbinutils libgprofng0 libctf0 libctf-nobfd0 libasan8 libtsan2
    liblsan0 libubsan1 libhwasan0 libitm1 libcc1-0 libisl23 libmpc3 libmpfr6 libboost-dev
    libboost1.74-dev libopenblas-dev libopenblas-pthread-dev libblas-dev liblapack-dev
    python3-all python3-all-dev python3-dev python3.11-dev libpython3-dev libpython3.11-dev
    libpython3-all-dev libexpat1-dev zlib1g-dev libjs-jquery libjs-underscore
    libjs-sphinxdoc javascript-common"

# Proves numpy, scipy's BLAS and scikit-learn work, then prints their versions.
SMOKE_TEST='
import sys, numpy, sklearn
from sklearn.datasets import load_digits
from sklearn.linear_model import RidgeClassifier
digits = load_digits()
assert RidgeClassifier().fit(digits.data, digits.target).score(digits.data, digits.target) > 0.9
print(sys.version.split()[0], numpy.__version__, sklearn.__version__)
'

say() { echo "==> job image: $*"; }
die() { echo "dtrain: build-image: $*" >&2; exit 1; }

rebuild=no
save_file=""
while [ $# -gt 0 ]; do
    case "$1" in
        --rebuild) rebuild=yes ;;
        --save) [ $# -ge 2 ] || die "--save needs a file name"; save_file="$2"; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
    shift
done

# Prints the Debian archive URI that apt uses for the main suite, read from
# deb822 .sources files first, then one-line .list files. Comment lines and
# the security archive are skipped.
apt_mirror() {
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk '
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            tolower($1) == "types:" { types = $0 }
            tolower($1) == "uris:" { uri = $2 }
            tolower($1) == "suites:" { suites = $0 }
            function flush() {
                if (uri != "" && types ~ /deb([ \t]|$)/ && suites !~ /security/ \
                    && !done) { print uri; done = 1 }
                uri = ""; types = ""; suites = ""
            }
            END { flush() }
        ' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1 == "deb" && $0 !~ /security/ {
                 for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) {
                     print $i; break
                 }
             }' "$f"
    done
}

present() { docker image inspect "$IMAGE" >/dev/null 2>&1; }

docker info >/dev/null 2>&1 || die "no Docker daemon answers (run ensure-docker.sh)"

if present && [ "$rebuild" = no ]; then
    say "$IMAGE already present"
else
    [ "$(id -u)" -eq 0 ] || die "building the image needs root (debootstrap)"
    command -v debootstrap >/dev/null || die "debootstrap missing (run install-deps.sh)"
    mirror="$(apt_mirror | head -n 1)"
    [ -n "$mirror" ] || die "found no Debian mirror in /etc/apt/sources.list{,.d}"
    started=$(date +%s)
    previous="$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)"

    # debootstrap needs a filesystem that allows device nodes and exec;
    # /var/tmp is on disk (not a noexec tmpfs) on a stock Debian machine.
    root="$(mktemp -d /var/tmp/dtrain-image.XXXXXX)"
    trap '[ -z "${pid:-}" ] || kill "$pid" 2>/dev/null; rm -rf "$root" "$root.log"' \
        EXIT INT TERM
    say "debootstrap $SUITE (minbase) from this machine's apt mirror into $root"
    say "  packages: $PACKAGES"
    keyring_opt=""
    [ -f "$KEYRING" ] && keyring_opt="--keyring=$KEYRING"
    # shellcheck disable=SC2086
    debootstrap --variant=minbase --include="$PACKAGES" $keyring_opt \
        "$SUITE" "$root" "$mirror" >"$root.log" 2>&1 &
    pid=$!

    # Report each new stage ("I: Retrieving ...") by its verb only: the rest of
    # a debootstrap line may name the mirror.
    stage=""
    while kill -0 "$pid" 2>/dev/null; do
        sleep 3
        now="$(grep '^I: ' "$root.log" | tail -n 1 | cut -d' ' -f2 | tr -cd 'A-Za-z')"
        if [ -n "$now" ] && [ "$now" != "$stage" ]; then
            stage="$now"
            say "  debootstrap: $stage ($(( $(date +%s) - started )) s)"
        fi
    done
    if ! wait "$pid"; then
        tail -n 20 "$root.log" | sed -E 's#[a-z]+://[^/ ]+#<mirror>#g' >&2
        die "debootstrap failed (last lines above)"
    fi
    rm -f "$root.log"
    say "debootstrap done after $(( $(date +%s) - started )) s"

    # bookworm's scipy hard-depends on pythran, which drags in a C++ toolchain,
    # Boost and -dev packages (about half the image) that are only needed to
    # compile pythran code, never to run scikit-learn. Purge them, ignoring the
    # now-unmet dependency; the import check below proves the rest still works.
    say "purging the compiler toolchain pythran pulled in"
    toolchain=""
    for p in $BUILD_ONLY; do
        chroot "$root" dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
            && toolchain="$toolchain $p"
    done
    # shellcheck disable=SC2086
    [ -z "$toolchain" ] || chroot "$root" dpkg --purge --force-depends $toolchain \
        >/dev/null 2>&1 || die "dpkg --purge of the build-only packages failed"

    # Drop what a job never needs: apt caches, lists, docs, man pages, and the
    # build machine's mirror, which means nothing inside an offline job.
    say "cleaning apt caches and docs"
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin \
        "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
        "$root"/usr/share/info/* "$root"/var/log/*.log "$root"/debootstrap
    : >"$root/etc/apt/sources.list"
    python_version="$(chroot "$root" python3 -c "$SMOKE_TEST")" \
        || die "python3/numpy/sklearn do not work inside the new root"
    say "image is $(du -sxm "$root" | cut -f1) MB"
    say "python numpy sklearn: $python_version"

    # Import as one layer; the job runs as nobody with a writable HOME in /tmp.
    say "docker import as $IMAGE"
    created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    tar -C "$root" --numeric-owner -c . | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'ENV HOME=/tmp' \
        --change 'ENV PYTHONDONTWRITEBYTECODE=1' \
        --change 'ENV PYTHONUNBUFFERED=1' \
        --change 'WORKDIR /job' \
        --change 'CMD ["python3"]' \
        --change "LABEL org.opencontainers.image.title=dtrain-python" \
        --change "LABEL org.opencontainers.image.created=$created" \
        --change "LABEL dtrain.image.suite=$SUITE" \
        --change "LABEL dtrain.image.python=\"$python_version\"" \
        - "$IMAGE" >/dev/null
    rm -rf "$root"
    trap - EXIT INT TERM

    # A rebuild leaves the previous image untagged; free its space if unused.
    if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect -f '{{.Id}}' "$IMAGE")" ]
    then
        docker rmi "$previous" >/dev/null 2>&1 || say "old image $previous is still in use"
    fi
    say "built $IMAGE in $(( $(date +%s) - started )) s"
fi

if [ -n "$save_file" ]; then
    say "saving $IMAGE to $save_file"
    case "$save_file" in
        *.gz) docker save "$IMAGE" | gzip -1 >"$save_file" ;;
        *) docker save -o "$save_file" "$IMAGE" ;;
    esac
    say "saved; on the lab machine: docker load -i $save_file"
fi
