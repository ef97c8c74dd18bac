#!/usr/bin/env bash
# The readers' fuzz targets (tests/fuzz/): libFuzzer programs built with clang, AddressSanitizer
# and UndefinedBehaviorSanitizer.
#
#   build-aux/relief-fuzz.sh build                 configure and build them in build-fuzz/
#   build-aux/relief-fuzz.sh run TARGET SECONDS [LIBFUZZER FLAGS...]
#                                                  fuzz one target (idx, idx-gz, csv, run, surface,
#                                                  intdim, hessian, weights, regions) for SECONDS; new inputs go to
#                                                  build-fuzz/corpus-TARGET, crashes to
#                                                  build-fuzz/crashes-TARGET
#   build-aux/relief-fuzz.sh all SECONDS           every target in turn, SECONDS each
#   build-aux/relief-fuzz.sh seeds BUILDDIR        regenerate the seed corpus tests/fuzz/corpus/
#                                                  with BUILDDIR's relief (a normal build)
#   build-aux/relief-fuzz.sh pack-idx DIR OUT      pack an IDX folder into one fuzz input
#
# A crash found is replayed with build-fuzz/tests/fuzz/fuzz-TARGET FILE; copy it into
# tests/fuzz/regressions/TARGET/ once fixed, and the suite replays it on every run.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
builddir=${RELIEF_FUZZ_BUILDDIR:-build-fuzz}
targets=(idx idx-gz csv run surface intdim hessian weights regions)

pack_idx() {   # DIR OUT [SUFFIX]: the four files in fuzz-idx.h's order, each length-prefixed
  python3 - "$@" <<'PY'
import os, struct, sys
folder, out = sys.argv[1], sys.argv[2]
names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
blob = b""
for n in names:
    for p in (os.path.join(folder, n), os.path.join(folder, n + ".gz")):
        if os.path.exists(p):
            data = open(p, "rb").read()
            blob += struct.pack("<I", len(data)) + data
            break
    else:
        break
open(out, "wb").write(blob)
PY
}

build() {
  if [ ! -f "$builddir/build.ninja" ]; then
    CC=${CC:-clang} meson setup "$builddir" -Dfuzzing=true -Dgui=false -Dcuda=disabled -Dwerror=false \
      -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
  fi
  meson compile -C "$builddir" "${targets[@]/#/tests/fuzz/fuzz-}"
}

run() {   # TARGET SECONDS [LIBFUZZER FLAGS...]
  local t=$1 secs=$2
  shift 2
  mkdir -p "$builddir/corpus-$t" "$builddir/crashes-$t"
  # Only this target's own seeds and regressions start it; what it finds stays in build-fuzz.
  # As in the test script: libhdf5 gets NULL for the huge allocations a damaged size asks
  # for and reports them itself (so no -malloc_limit_mb either), and its own overreads on
  # damaged object headers and its leaks after a failed open are suppressed
  # (tests/fuzz/asan.supp, lsan.supp); GLib's allocations abort.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:suppressions=$top/tests/fuzz/asan.supp} \
  LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/tests/fuzz/lsan.supp} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$builddir/tests/fuzz/fuzz-$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
      -malloc_limit_mb=1000000000 -print_final_stats=1 \
      -artifact_prefix="$builddir/crashes-$t/" "$@" "$builddir/corpus-$t" \
      "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t"
}

seeds() {   # BUILDDIR: small valid files of every kind
  local relief=$1/app/relief c=tests/fuzz/corpus tmp
  tmp=$(mktemp -d)
  mkdir -p "$c"/{idx,idx-gz,csv,run,surface,intdim,hessian,weights,regions}
  "$relief" train --dataset spiral --samples 40 --hidden 3 --epochs 2 -o "$c/run/spiral.h5" >/dev/null 2>&1
  "$relief" train --dataset xor --samples 20 --test-fraction 0 --hidden 2 --epochs 1 -o "$c/run/xor-notest.h5" >/dev/null 2>&1
  "$relief" surface "$c/run/spiral.h5" --x=-1:1:3 --y=-1:1:3 -o "$c/surface/plane.h5" >/dev/null 2>&1
  "$relief" surface "$c/run/spiral.h5" --x=-1:1:4 -o "$c/surface/line.h5" >/dev/null 2>&1 || \
    "$relief" surface "$c/run/spiral.h5" --directions line --checkpoint 0 --to last --x=-0.5:1.5:4 \
      -o "$c/surface/line.h5" >/dev/null 2>&1
  "$relief" intdim --dataset xor --samples 40 --hidden 2 --dims 2,4 --epochs 1 -o "$c/intdim/sweep.h5" >/dev/null 2>&1
  "$relief" hessian "$c/run/spiral.h5" --top 2 --smallest --trace --density --slq-starts 2 --slq-steps 4 \
    -o "$c/hessian/spectrum.h5" >/dev/null 2>&1
  "$relief" weights "$c/run/spiral.h5" --checkpoint all -o "$c/weights/spiral-all.h5" >/dev/null 2>&1
  "$relief" weights "$c/run/xor-notest.h5" -o "$c/weights/xor.h5" >/dev/null 2>&1
  "$relief" regions "$c/run/spiral.h5" --checkpoint all -o "$c/regions/spiral-all.h5" >/dev/null 2>&1
  printf 'x1,x2,label\n0.5,1,0\n-1,2.5e-3,1\n3,-4,2\n1e3,0,1\n' > "$c/csv/small.csv"
  printf '"a", "b" ,label\r\n1,2,0\r\n3,4,1\r\n' > "$c/csv/quoted-crlf.csv"
  python3 - "$tmp" <<'PY'
import gzip, os, struct, sys
tmp = sys.argv[1]
def images(n, r, c, first):
    return struct.pack(">IIII", 0x803, n, r, c) + bytes((17 * (first + k) + 5 * i) % 256 for k in range(n) for i in range(r * c))
def labels(n, first):
    return struct.pack(">II", 0x801, n) + bytes((first + k) % 7 for k in range(n))
for name, files in (("plain", [images(6, 2, 3, 0), labels(6, 0), images(2, 2, 3, 9), labels(2, 9)]),
                    ("train-only", [images(4, 3, 3, 1), labels(4, 1)])):
    for gz in (False, True):
        d = os.path.join(tmp, name + ("-gz" if gz else ""))
        os.makedirs(d)
        for base, data in zip(["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                               "t10k-labels-idx1-ubyte"], files):
            path = os.path.join(d, base + (".gz" if gz else ""))
            open(path, "wb").write(gzip.compress(data, mtime=0) if gz else data)
PY
  for d in plain train-only; do
    pack_idx "$tmp/$d" "$c/idx/$d.bin"
    pack_idx "$tmp/$d-gz" "$c/idx-gz/$d.bin"
  done
  rm -rf "$tmp"
  du -sh "$c"
}

case "${1:-}" in
  build) build ;;
  run) build; run "${@:2}" ;;
  all) build; for t in "${targets[@]}"; do run "$t" "$2"; done ;;
  seeds) seeds "$2" ;;
  pack-idx) pack_idx "$2" "$3" ;;
  *) sed -n '2,21p' "$0" >&2; exit 2 ;;
esac
