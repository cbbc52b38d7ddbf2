#!/usr/bin/env bash
# Install (tools/setup_env.sh), then run every test: the notebooks (nbdev_test) and tests/ (pytest).
# Last line: "N passed, M failed" (notebooks count one each, plus every pytest test, plus the stored-outputs check).
set -uo pipefail
cd "$(dirname "$0")/.."
export VENV=${VENV:-.venv}
bash tools/setup_env.sh || { echo "install failed"; echo "0 passed, 1 failed"; exit 1; }
export PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$(cd "$VENV" && pwd)" MPLBACKEND=Agg
log=$(mktemp -d)
n_nbs=$(ls nbs/[0-9]*.ipynb nbs/index.ipynb 2>/dev/null | wc -l)
echo "== nbdev_test ($n_nbs notebooks)"
nbdev_test --n_workers 2 --timing 2>&1 | tee "$log/nbdev.txt"
nb_rc=${PIPESTATUS[0]}
# nbdev_test lists failed notebooks, one per tab-indented line, after "Tests Failed On The Following Notebooks"
nb_failed=$(awk '/Tests Failed On The Following Notebooks/{f=1; next} f && /^\t.*\.ipynb/{n++} END{print n+0}' "$log/nbdev.txt")
if [ "$nb_rc" -ne 0 ] && [ "$nb_failed" -eq 0 ]; then nb_failed=$n_nbs; fi
echo "== pytest tests/"
python -m pytest tests/ -q -p no:cacheprovider --junitxml="$log/pytest.xml"
py_rc=$?
read py_passed py_failed < <(python - "$log/pytest.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
try: r = ET.parse(sys.argv[1]).getroot()
except Exception: print(0, 1); sys.exit()
s = r if r.tag == 'testsuite' else r.find('testsuite')
n, f, e, k = (int(s.get(a, 0)) for a in ('tests', 'failures', 'errors', 'skipped'))
print(n - f - e - k, f + e)
PY
)
if [ "$py_rc" -ne 0 ] && [ "$py_rc" -ne 5 ] && [ "$py_failed" -eq 0 ]; then py_failed=1; fi
echo "== stored outputs as a reader meets them (tools/check_outputs.py)"
python tools/check_outputs.py; co_failed=$(( $? != 0 ))
passed=$((n_nbs - nb_failed + py_passed + 1 - co_failed)); failed=$((nb_failed + py_failed + co_failed))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
