#!/usr/bin/env bash
# Amendment 5 of the study (nbs/40_study.ipynb, registered before its runs): claims 1 and 1b against fine-tuning
# baselines that train (two learning rates, swept on val), and claim 2 on fresh test episodes, 5-shot as the secondary result.
#
#   tools/study_amendment5.sh [--dry-run] [--part claim1|claim2|all] [--jobs N] [--data DIR] [--out DIR]
#
# 1. makes the fresh saved test sets (1000 episodes per shot, seeds 4026 + K, never used by any run) in both study folders,
#    and checks that none of their episodes is one of the 200 the earlier studies tested on (seeds 2026 + K);
# 2. runs the two registered commands below (finished runs are reused: a killed or partial run of this script continues);
# 3. copies each study.json to data/study/amendment5_<part>.json.
# --dry-run does step 1 and prints the commands of step 2 without running them. A GPU is expected (the study's
# throughput on one H200: 96 runs in 380 s at 14 jobs); on a CPU it runs, slowly, with the same results.
set -euo pipefail
cd "$(dirname "$0")/.."
DRY=0; PART=all; JOBS=14; DATA=data/synth; OUT=runs/amendment5; PY=${PY:-.venv/bin/python}; TA=${TA:-.venv/bin/task-adapter}
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY=1 ;;
    --part) PART=$2; shift ;;
    --jobs) JOBS=$2; shift ;;
    --data) DATA=$2; shift ;;
    --out) OUT=$2; shift ;;
    *) echo "study_amendment5.sh: unknown option $1 (expected --dry-run, --part, --jobs, --data, --out)" >&2; exit 2 ;;
  esac
  shift
done
case "$PART" in claim1|claim2|all) ;; *) echo "study_amendment5.sh: --part $PART: expected claim1, claim2 or all" >&2; exit 2 ;; esac

EPISODES=1000; SHOTS=1,5
# claims 1 and 1b: 8 fresh seeds; the baselines' rates from the sweep grid (SWEEP of 25_runner) on val with the first seed
CMD1=("$TA" study --data "$DATA" --out "$OUT/claim1" --variants ta,finetune_full,ta_otam,finetune_temporal --seeds 96-103
      --test-episodes $EPISODES --shots $SHOTS --precision fp32 --jobs "$JOBS")
# claim 2: 64 fresh seeds (the power calculation in 40_study), ta and no_task trained anew
CMD2=("$TA" study --data "$DATA" --out "$OUT/claim2" --variants ta,no_task --seeds 96-159
      --test-episodes $EPISODES --shots $SHOTS --precision fp32 --jobs "$JOBS")

parts=(); [ "$PART" != claim2 ] && parts+=(claim1); [ "$PART" != claim1 ] && parts+=(claim2)
outs=(); for p in "${parts[@]}"; do outs+=("$OUT/$p"); done
"$PY" - "$DATA" "$EPISODES" "$SHOTS" "${outs[@]}" <<'PY'
import sys, json
from pathlib import Path
from task_adapter_nb.synth import make_synth
from task_adapter_nb.splits import read_split
from task_adapter_nb.episodes import EpisodeSampler, save_episodes, load_episodes
data, n, shots, outs = Path(sys.argv[1]), int(sys.argv[2]), [int(k) for k in sys.argv[3].split(',')], [Path(o) for o in sys.argv[4:]]
root = data if (data/'synth.json').exists() else make_synth(data)
test = read_split(Path(root)/'splits/testlist.txt')
for out, k in [(o, k) for o in outs for k in shots]:
    f = out/f'test_episodes_5way_{k}shot_{n}.json'  # the name the study looks for (25_runner `_test_episodes`): found, it is used as is
    new = EpisodeSampler(test, 5, k, 1, seed=4026 + k).episodes(n)
    if f.exists():
        if load_episodes(f, test) != new: sys.exit(f"{f}: holds other episodes than amendment 5's (seed {4026 + k}); use another --out")
    else: save_episodes(new, f, shot=k, seed=4026 + k, note='amendment 5: fresh test episodes, never used before (nbs/40_study)')
    seen = set(EpisodeSampler(test, 5, k, 1, seed=2026 + k).episodes(200))  # the earlier studies' saved test episodes
    same = sum(e in seen for e in new)
    if same: sys.exit(f"{f}: {same} of its episodes were tested on before")
    print(f"{f}: {n} fresh {k}-shot episodes (seed {4026 + k}), none among the 200 of seed {2026 + k}")
PY

run() { echo "+ $*"; [ "$DRY" = 1 ] || "$@"; }
for p in "${parts[@]}"; do
  if [ "$p" = claim1 ]; then run "${CMD1[@]}"; else run "${CMD2[@]}"; fi
  if [ "$DRY" = 0 ]; then
    n=$(ls "$OUT/$p"/test_episodes_*.json | wc -l)
    [ "$n" -eq 2 ] || { echo "$OUT/$p: $n test episode files, expected the 2 made above (did the study make its own?)" >&2; exit 1; }
    mkdir -p data/study && cp "$OUT/$p/study.json" "data/study/amendment5_$p.json" && echo "wrote data/study/amendment5_$p.json"
  fi
done
[ "$DRY" = 1 ] && echo "dry run: nothing trained"
exit 0
