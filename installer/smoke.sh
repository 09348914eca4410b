#!/usr/bin/env bash
# Linux smoke build: freeze installer/tisheng.spec and run the frozen programs offscreen
# through a school's year: version, demo, check, export, verify, open and close the window.
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

step "smoke OK"
