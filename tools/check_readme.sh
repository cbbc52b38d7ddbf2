#!/usr/bin/env bash
# Prove README command 1 as a newcomer meets it: in a copy of the repository, run its install part exactly as written
# (a fresh .venv, no dev extras), then the main job `task-adapter demo` with tiny budgets on a small synthetic
# benchmark: it must exit 0 and print the results table. Then one short training under ONEDNN_MAX_CPU_ISA=AVX2
# (bf16 emulated, ~100x slower than fp32): its results.json must say that precision 'auto' chose fp32.
# Prints "README command 1: OK" or the reason it failed; exit code 0 or 1.
set -uo pipefail
cd "$(dirname "$0")/.."
cmd=$(grep -m1 -A1 '^# 1\.' README.md | tail -1)
case "$cmd" in
  *"&& .venv/bin/task-adapter demo") ;;
  *) echo "README command 1 does not end with '&& .venv/bin/task-adapter demo': $cmd"; exit 1 ;;
esac
install=${cmd% && .venv/bin/task-adapter demo}
work=$(mktemp -d); copy="$work/repo"; mkdir -p "$copy"
# the working tree as a user would clone it (no virtualenvs, generated data or runs)
tar -c --exclude=./.venv --exclude=./.git --exclude='./data/synth*' --exclude=./runs --exclude=./_proc --exclude='*.egg-info' \
    --exclude='__pycache__' . | tar -x -C "$copy"
fail() { echo "README command 1: FAILED ($1)"; exit 1; }
echo "== README command 1, install part, exactly: $install"
(cd "$copy" && bash -c "$install" > "$work/install.log" 2>&1) || { tail -20 "$work/install.log"; fail "install"; }
bin="$copy/.venv/bin"
"$bin/python" -c "import nbdev" 2>/dev/null && fail "the install pulled in the dev extras (nbdev)"
(cd "$copy" && "$bin/task-adapter" synth --out "$work/synth" --videos-per-class 6 --workers 2 > /dev/null) || fail "task-adapter synth"
echo "== task-adapter demo (tiny budgets)"
(cd "$copy" && "$bin/task-adapter" demo --data "$work/synth" --out "$work/demo" --episodes 4 --val-episodes 2 --test-episodes 4 > "$work/demo.log" 2>&1)
rc=$?
tail -8 "$work/demo.log"
[ $rc -eq 0 ] || fail "task-adapter demo exited with $rc"
grep -q '^method .*5-way 1-shot (%)' "$work/demo.log" && grep -q '^task_adapter ' "$work/demo.log" || fail "the demo printed no results table"
echo "== a short training under ONEDNN_MAX_CPU_ISA=AVX2"
(cd "$copy" && ONEDNN_MAX_CPU_ISA=AVX2 "$bin/task-adapter" train --preset demo --root "$work/synth" --pretrained false --epochs 1 \
    --episodes_per_epoch 2 --val_episodes 2 --test_episodes 2 --workers 0 --out "$work/avx2" > "$work/avx2.log" 2>&1) || { tail -5 "$work/avx2.log"; fail "train under AVX2"; }
"$bin/python" - "$work/avx2/results.json" <<'PY' || fail "precision under ONEDNN_MAX_CPU_ISA=AVX2"
import json, sys
p = json.load(open(sys.argv[1]))['precision']
print('precision recorded:', p)
assert p['requested'] == 'auto' and p['name'] == 'fp32', p
PY
echo "README command 1: OK"
# Colab "Run all" as a reader meets it: in that same fresh environment, only the notebooks' install-cell command
# (the package with its [dev] extras), then index and one model notebook executed top to bottom with nbconvert.
# Slow and real-data cells must skip with a note, not fail.
echo "== Colab Run all: pip install -e '<repo>[dev]', then nbconvert --execute index and 13_model"
"$bin/python" -m pip install -q -e "$copy[dev]" > "$work/dev.log" 2>&1 || { tail -5 "$work/dev.log"; echo "Colab Run all: FAILED (the install cell's command)"; exit 1; }
for nbk in index 13_model; do
  (cd "$copy/nbs" && "$bin/jupyter" nbconvert --to notebook --execute "$nbk.ipynb" --output "$work/$nbk.run.ipynb" \
      --ExecutePreprocessor.timeout=1200 > "$work/$nbk.log" 2>&1) || { tail -15 "$work/$nbk.log"; echo "Colab Run all: FAILED ($nbk)"; exit 1; }
  echo "   $nbk: every cell ran"
done
rm -rf "$work"
echo "Colab Run all: OK"
