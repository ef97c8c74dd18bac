#!/usr/bin/env bash
# Runs every test of a configured build directory under a virtual X display (GUI tests
# skip with 77 where no display can be had), then the data tests (the readers, and the
# fuzz targets replaying their seeds and regression inputs) once more under
# AddressSanitizer and UndefinedBehaviorSanitizer in a second build directory, BUILDDIR-asan
# (configured and built here as needed; RELIEF_ASAN=0 skips it).  Ends with one
# `N passed, N failed` line counting both.
#
#   build-aux/relief-run-tests.sh [BUILDDIR [MESON TEST ARGS...]]
# With test arguments (one test, a suite) only those run, in BUILDDIR alone.
set -uo pipefail

builddir=${1:-build}
export GTK_A11Y=none GSETTINGS_BACKEND=memory NO_AT_BRIDGE=1
# The GLib tests isolate their own folders (G_TEST_OPTION_ISOLATE_DIRS); this keeps
# anything else the run starts out of the user's folders too, and removes what it left.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export XDG_DATA_HOME=$scratch/data XDG_CACHE_HOME=$scratch/cache XDG_CONFIG_HOME=$scratch/config

runner=()
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null 2>&1; then
  runner=(xvfb-run -a -s "-screen 0 1280x1024x24")
fi

"${runner[@]}" meson test -C "$builddir" --print-errorlogs --num-processes "$(nproc)" "${@:2}"
status=$?
logs=("$builddir/meson-logs/testlog.json")

if [ $# -le 1 ] && [ "${RELIEF_ASAN:-1}" != 0 ]; then
  asandir="$builddir-asan"
  asan_ok=1
  asanlog=$(mktemp)
  if [ ! -f "$asandir/build.ninja" ]; then
    meson setup "$asandir" -Dgui=false -Dcuda=disabled -Db_sanitize=address,undefined -Db_lundef=false \
      >"$asanlog" 2>&1 || { cat "$asanlog"; asan_ok=0; }
  fi
  if [ $asan_ok = 1 ]; then
    # A folder configured before meson.build files changed lists the tests it had then:
    # bring build.ninja (and so the introspection) up to date first.
    ninja -C "$asandir" build.ninja >"$asanlog" 2>&1 || { tail -40 "$asanlog"; asan_ok=0; }
  fi
  if [ $asan_ok = 1 ]; then
    # Only what the data suite runs is built: the readers and their tests, not the app.
    mapfile -t targets < <(meson introspect "$asandir" --tests | python3 -c '
import json, os, sys
root = os.path.realpath(sys.argv[1])
for t in json.load(sys.stdin):
    if "data" in t["suite"] or any(s.endswith(":data") for s in t["suite"]):
        print(os.path.relpath(os.path.realpath(t["cmd"][0]), root))' "$asandir")
    meson compile -C "$asandir" "${targets[@]}" >"$asanlog" 2>&1 || { tail -40 "$asanlog"; asan_ok=0; }
  fi
  rm -f "$asanlog"
  if [ $asan_ok = 1 ]; then
    # libhdf5 handles a failed allocation itself (a damaged size): let malloc return NULL
    # to it as it does without ASan; GLib's allocations still abort on one.
    supp="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/fuzz/asan.supp"
    ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:abort_on_error=1:allocator_may_return_null=1:suppressions=$supp \
    LSAN_OPTIONS=suppressions=${supp%asan.supp}lsan.supp UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      meson test -C "$asandir" --no-rebuild --print-errorlogs --num-processes "$(nproc)" --suite data
    [ $? = 0 ] || status=1
    logs+=("$asandir/meson-logs/testlog.json")
  else
    echo "relief-run-tests: the sanitizer build in $asandir failed"
    status=1
  fi
fi

python3 - "${logs[@]}" <<'PY'
import json, os, sys
passed = failed = skipped = 0
for log in sys.argv[1:]:
    if not os.path.exists(log):
        failed += 1
        continue
    for line in open(log):
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)["result"]
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
