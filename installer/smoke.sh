#!/usr/bin/env bash
# Linux smoke build: freeze installer/tisheng.spec and run the frozen programs offscreen
# through a school's year: version, demo, check, export, verify, open and close the window,
# and the frozen programs' cold start (window to first paint, --version, --help).
# Usage: bash installer/smoke.sh
#   (needs: python -m pip install -c requirements.lock -e ".[build]", the versions the tests passed on)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python tools/lock.py --check; then
    echo 'this environment differs from requirements.lock; run: python -m pip install -c requirements.lock -e ".[build]"'
    exit 1
fi
export QT_QPA_PLATFORM=offscreen
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

step() { printf '\n== %s\n' "$*"; }

step "build (PyInstaller one-folder)"
start=$(date +%s)
pyinstaller --noconfirm --log-level WARN --distpath "$WORK/dist" --workpath "$WORK/build" installer/tisheng.spec
echo "build took $(( $(date +%s) - start )) s"
APP="$WORK/dist/tisheng"
CLI="$APP/tisheng-cli"
echo "bundle size: $(du -sh "$APP" | cut -f1) ($(find "$APP" -type f | wc -l) files)"

step "--version"
"$CLI" --version

step "demo"
"$CLI" --data-dir "$WORK/data" demo

step "check (exit 1 expected: the demo has unmet requirements)"
set +e
"$CLI" --data-dir "$WORK/data" check --json > "$WORK/check.json"; rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "check exited $rc"; exit 1; }
python3 -c "import json,sys; d=json.load(open('$WORK/check.json')); print('blocking findings:', d['blocking'])"

step "export"
mkdir -p "$WORK/out"
"$CLI" --data-dir "$WORK/data" export "$WORK/out" --allow-incomplete
BAG="$(find "$WORK/out" -mindepth 1 -maxdepth 1 -type d | head -1)"
echo "bag: $(basename "$BAG"), $(du -sh "$BAG" | cut -f1)"

step "verify"
"$CLI" verify "$BAG"

step "export of a 150-teacher school: forms laid out by two worker processes (tisheng-cli --forms-worker)"
"$CLI" --data-dir "$WORK/big" demo --teachers 150 > /dev/null
mkdir -p "$WORK/out-big"
TISHENG_FORMS_PARTS=2 "$CLI" --data-dir "$WORK/big" export "$WORK/out-big" --allow-incomplete > /dev/null
BIG="$(find "$WORK/out-big" -mindepth 1 -maxdepth 1 -type d | head -1)"
"$CLI" verify "$BIG" > /dev/null
if grep -rq "could not start the forms layout process" "$WORK/big/logs" 2>/dev/null; then
    echo "the frozen program fell back to laying the forms out in a thread"; exit 1
fi
python3 - "$BIG/签字确认表.pdf" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read()
pages = len(re.findall(rb"/Type\s*/Page\b", data))
print(f"签字确认表.pdf: {pages} pages, {len(data) // 1024} KB")
assert pages > 150, pages
PY

step "window opens and closes (screenshots of every page)"
# (the offscreen platform warns once per window that it cannot propagate size hints: noise)
"$APP/tisheng" --data-dir "$WORK/data" gui --screenshot "$WORK/shots" 2> >(grep -v propagateSizeHints >&2)
ls "$WORK/shots" | tr '\n' ' '; echo
[ -f "$WORK/shots/首页.png" ]

step "cold start of the frozen programs (best of 5; the window until its first paint)"
# TISHENG_FIRST_PAINT_EXIT=1 makes the window print "first-paint" once painted and quit; the
# baseline is bench/baselines/bare_window.py (a bare PySide6 QMainWindow + QTableView) run by
# this machine's Python, unfrozen.
python3 - "$APP/tisheng" "$CLI" "$WORK/data" "$(pwd)/bench/baselines/bare_window.py" <<'PY'
import os, subprocess, sys, time
gui, cli, data, bare = sys.argv[1:5]
env = dict(os.environ, TISHENG_FIRST_PAINT_EXIT="1", QT_QPA_PLATFORM="offscreen")

def until_paint(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    for line in p.stdout:
        if line.startswith("first-paint"):
            t = time.perf_counter() - t0
            break
    else:
        raise SystemExit(f"no first paint from {cmd[0]}")
    p.wait()
    return t

def whole(cmd):
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0

ours = min(until_paint([gui, "--data-dir", data]) for _ in range(5))
try:
    base = min(until_paint([sys.executable, bare]) for _ in range(5))
    print(f"window to first paint: {ours:.3f} s; bare PySide6 window (unfrozen): {base:.3f} s; ratio {ours / base:.2f}")
except Exception as exc:  # no PySide6 for this python3
    print(f"window to first paint: {ours:.3f} s (no baseline: {exc})")
for flag in ("--version", "--help"):
    print(f"tisheng-cli {flag}: {min(whole([cli, flag]) for _ in range(5)):.3f} s (target 0.15 s)")
PY

step "smoke OK"
