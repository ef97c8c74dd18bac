#!/usr/bin/env bash
# Runs every test of a configured build directory under a virtual X display (GUI tests
# skip with 77 where no display can be had) and ends with a `N passed, N failed` line.
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

log="$builddir/meson-logs/testlog.json"
if [ -f "$log" ]; then
  python3 - "$log" <<'PY' || true
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
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
else
  echo "0 passed, 1 failed"
  status=1
fi
exit $status
