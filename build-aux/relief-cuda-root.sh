#!/bin/sh
# Prints the root of the CUDA toolkit an nvcc belongs to.  nvcc may be a wrapper script
# (/usr/local/bin/nvcc -> exec /usr/local/cuda-13.0/bin/nvcc), so its own path says nothing;
# nvcc's dry run reports the directory of the real binary as _HERE_.
nvcc="$1"
here=$("$nvcc" -dryrun -c -x cu /dev/null -o /dev/null 2>&1 | sed -n 's/^#\$ _HERE_=//p' | head -n 1)
if [ -z "$here" ]; then
  here=$(dirname "$(readlink -f "$nvcc")")
fi
cd "$here/.." && pwd -P
