#!/usr/bin/env bash
# One-go check of the CUDA backend on a machine with an NVIDIA GPU, run from the
# repository root:  tests/bench/device-check.sh
# Configures a GUI-less build (build-device), builds, runs the cuda and compute test
# suites (the cuda suite holds test-cuda, test-cuda-train and test-cuda-hessian: the
# Hessian-vector products, Lanczos and trace against the CPU; the compute suite's
# test-regions compares local complexity on CUDA with the CPU's) and the MNIST benchmarks
# (training epoch, 51x51 surface against batched PyTorch, subspace steps, Hessian-vector
# product against a gradient, linear regions and local complexity), and writes every log to $OUT (default ./device-check-out).
#
# HDF5's development files may be missing there: unpacked Debian packages (libhdf5-dev
# and its libraries, `dpkg-deb -x`) in hdf5-root/ at the repository root are used instead.
# MNIST is read from $RELIEF_MNIST_DIR (default data-cache/mnist).
set -x
root=$(pwd)
out=${OUT:-$root/device-check-out}
mkdir -p "$out"
build=build-device
mnist=${RELIEF_MNIST_DIR:-data-cache/mnist}

hdf5=$root/hdf5-root
if [ -d "$hdf5" ]; then
  # Debian's .pc files name /usr/... literally: point copies of them into hdf5-root.
  pcdir=$out/hdf5-pkgconfig
  mkdir -p "$pcdir"
  for pc in $(find "$hdf5" -name '*hdf5*.pc'); do
    sed "s|/usr/|$hdf5/usr/|g" "$pc" > "$pcdir/$(basename "$pc")"
  done
  [ -f "$pcdir/hdf5.pc" ] || cp "$pcdir/hdf5-serial.pc" "$pcdir/hdf5.pc"
  libdirs=$hdf5/usr/lib/x86_64-linux-gnu:$hdf5/usr/lib/x86_64-linux-gnu/hdf5/serial
  export PKG_CONFIG_PATH=$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
  export CPATH=$hdf5/usr/include/hdf5/serial:$hdf5/usr/include${CPATH:+:$CPATH}
  export LIBRARY_PATH=$libdirs${LIBRARY_PATH:+:$LIBRARY_PATH}
  export LD_LIBRARY_PATH=$libdirs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi

{ nvidia-smi; nvcc --version || /usr/local/cuda/bin/nvcc --version; } > "$out/device.txt" 2>&1

timeout 300 meson setup "$build" -Dgui=false -Dcuda=enabled > "$out/setup.log" 2>&1 ||
  timeout 300 meson setup --reconfigure "$build" -Dgui=false -Dcuda=enabled >> "$out/setup.log" 2>&1 ||
  { echo "setup failed"; exit 1; }
timeout 600 meson compile -C "$build" > "$out/compile.log" 2>&1 || { echo "build failed"; exit 1; }
ldd "$build/app/relief" > "$out/ldd.txt" 2>&1

timeout 300 meson test -C "$build" --suite cuda --print-errorlogs --verbose > "$out/test-cuda.log" 2>&1
echo "cuda suite exit $?" >> "$out/summary.txt"
# A skip (exit 77: no usable device, e.g. a driver older than the CUDA 13 runtime) is not a pass.
grep -E '^ *[0-9]+/[0-9]+ ' "$out/test-cuda.log" >> "$out/summary.txt"
cp "$build/meson-logs/testlog.txt" "$out/testlog-cuda.txt" 2>/dev/null
timeout 300 meson test -C "$build" --suite compute --print-errorlogs > "$out/test-compute.log" 2>&1
echo "compute suite exit $?" >> "$out/summary.txt"
cp "$build/meson-logs/testlog.txt" "$out/testlog-compute.txt" 2>/dev/null

timeout 120 "$build/tests/bench/bench-train-mlp" "$mnist" > "$out/bench.log" 2>&1
echo "bench-train-mlp exit $?" >> "$out/summary.txt"
export RELIEF_DATA_DIR=$(dirname "$(readlink -f "$mnist")")
timeout 180 "$build/tests/bench/bench-surface" --backend cuda --baseline tests/bench/torch_surface_baseline.py \
  > "$out/bench-surface.log" 2>&1
echo "bench-surface exit $?" >> "$out/summary.txt"
timeout 150 "$build/tests/bench/bench-subspace" --mnist "$mnist" --backend cuda --seconds 1 \
  > "$out/bench-subspace.log" 2>&1
echo "bench-subspace exit $?" >> "$out/summary.txt"
timeout 120 "$build/tests/bench/bench-hvp" --mnist "$mnist" --backend cuda > "$out/bench-hvp.log" 2>&1
echo "bench-hvp exit $?" >> "$out/summary.txt"
timeout 120 "$build/tests/bench/bench-regions" --mnist "$mnist" --backend cuda > "$out/bench-regions.log" 2>&1
echo "bench-regions exit $?" >> "$out/summary.txt"
cat "$out/summary.txt" "$out/bench.log" "$out/bench-surface.log" "$out/bench-subspace.log" "$out/bench-hvp.log" \
  "$out/bench-regions.log"
