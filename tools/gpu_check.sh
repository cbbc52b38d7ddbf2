#!/usr/bin/env bash
# The GPU check of issue 30, in one call: ViT-B/16 (pretrained=False) step time, peak GPU memory and TFLOP/s in fp32 (TF32
# off), bf16 autocast and fp16 with a GradScaler, ours beside the authors' layout (09_reference), at 5-way 1-shot and 5-shot;
# 100 evaluation episodes with and without the prefix cache and the cache's GPU and host memory; a short bf16 training run
# at 224 px on the synthetic benchmark (resized); a 2-process torchrun launch against the single-process result (1e-5);
# study runs per hour at 4 and 8 parallel jobs. Everything goes into ONE JSON (GPU model, torch version, command), rewritten
# after every step; each step has its own time limit, and all of them share a 540 s budget (tools/gpu_check.py, PLANS).
#
# HOW A SESSION RUNS IT (the device tool; the machine starts bare, with python3 3.12, torch, timm, numpy, pandas, yaml and
# pip, but no PyAV, decord or fastcore, and no network):
#   1. Here, on the CPU machine, once (about a minute): makes the synthetic benchmark in data/synth_gpucheck (18 MB of MP4s,
#      the same as `task-adapter synth`) and packs fastcore and decord from .venv into runs/gpucheck_site.tgz (14 MB). Both
#      paths are git-ignored (data/synth*/, runs/), so they travel only when carried.
#        bash tools/gpu_check.sh --prepare
#   2. The device tool's `run`, exactly:
#        command:   bash tools/gpu_check.sh --out $OUT/gpu_check.json
#        carry:     ["data/synth_gpucheck", "runs/gpucheck_site.tgz"]
#        timeout_s: 600
#      The command unpacks the carried packages, installs this package from the working tree (pip install --no-deps
#      --no-build-isolation --no-index -e .: offline, and with the image's own torch, since constraints-cpu.txt pins a
#      torch that cannot be fetched there; PYTHONPATH covers a failed install), builds the frame store, then runs the steps.
#      The working tree travels whole (about 12 MB) beside the 32 MB carried: under the tool's 64 MiB.
#      Device time: the machine's start (1-2 min) + this command (at most 600 s; the steps' estimate, not yet measured,
#      is 7-8 minutes) + transfers: most of a session's 15 minutes, so plan ONE call.
#   3. If a step failed and the machine is still warm (it stays 30 s after a call), rerun at once only what failed, e.g.
#        command: bash tools/gpu_check.sh --out $OUT/gpu_check_rerun.json --steps env,data,ddp --budget 170   timeout_s: 220
#      (same carry; carried paths replace what is there, so `data` decodes the frame store again, about 20 s); otherwise
#      call give_back. Then copy the JSON (and
#      gpu_check.log, every step's output) from files_at into the repository and commit it, e.g.
#        cp <files_at>/gpu_check.json data/bench/gpu_check_h200.json
#      A step that failed says why in its "error"; the others keep their figures. Fix what broke only on CUDA.
#
# Other uses:
#   bash tools/gpu_check.sh --out FILE [--steps a,b] [--budget S] [--data DIR]   on any machine with a GPU (and .venv or python3)
#   bash tools/gpu_check.sh --dry-run --out FILE     the same steps on the CPU, tiny sizes (tests/test_gpu_check.py runs it)
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-}
if [ -z "$PY" ]; then if [ -x .venv/bin/python ]; then PY=.venv/bin/python; else PY=python3; fi; fi

if [ "${1:-}" = "--prepare" ]; then
    set -e
    "$PY" -c "from task_adapter_nb.synth import make_synth; make_synth('data/synth_gpucheck', workers=2)"
    rm -f data/synth_gpucheck/frames.u8 data/synth_gpucheck/frames.json  # the frame store (800 MB) is built on the device
    site=$("$PY" -c "import fastcore, os; print(os.path.dirname(os.path.dirname(fastcore.__file__)))")
    mkdir -p runs
    tar czf runs/gpucheck_site.tgz -C "$site" fastcore decord $(cd "$site" && ls -d decord.libs 2>/dev/null)
    du -sh data/synth_gpucheck runs/gpucheck_site.tgz
    exit 0
fi

if [ -f runs/gpucheck_site.tgz ] && ! "$PY" -c "import fastcore, decord" 2>/dev/null; then  # the device machine: packages it lacks
    mkdir -p /tmp/gpucheck_site && tar xzf runs/gpucheck_site.tgz -C /tmp/gpucheck_site
    export PYTHONPATH="/tmp/gpucheck_site${PYTHONPATH:+:$PYTHONPATH}"
fi
if [ ! -x .venv/bin/python ] && ! "$PY" -m pip show task_adapter_nb >/dev/null 2>&1; then
    timeout 60 "$PY" -m pip install -q --no-deps --no-build-isolation --no-index -e . >/tmp/gpucheck_pip.log 2>&1 \
        || echo "note: pip install -e . failed (see /tmp/gpucheck_pip.log); running the package from PYTHONPATH"
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
for m in torch timm fastcore decord yaml pandas; do "$PY" -c "import $m" 2>/dev/null || echo "note: python module $m is missing: the steps that need it will fail"; done
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
export GPU_CHECK_COMMAND="bash tools/gpu_check.sh $*"
exec "$PY" tools/gpu_check.py "$@"
