#!/usr/bin/env python
"""Judge a study file's claims again from the runs it holds, with the package's current `judge` (40_study), and write it back.

Nothing is trained or tested: the runs, summary and every other field stay as they are, and the script stops without
writing if any recorded number of a claim would change (only `verdict` may change, and fields `judge` adds).
`--family FILE`: that file's 1-shot claims are one family of questions; add `family`, the claims read with Bonferroni and
Holm beside the uncorrected intervals (`family` of 35_stats).

    python tools/rejudge.py data/study/study.json data/study/design.json data/study/task0.json --family data/study/design.json
"""
import argparse, json, os, sys
from pathlib import Path
from task_adapter_nb import __version__
from task_adapter_nb.study import judge
from task_adapter_nb.stats import family

def rejudge(path:Path, as_family:bool, command:str)->list[str]:
    d = json.loads(path.read_text())
    new = judge(d['runs'], [str(k) for k in d['shots']], delta=d['delta'], level=d['level'])
    if [(c['id'], c['shot']) for c in new] != [(c['id'], c['shot']) for c in d['claims']]:
        sys.exit(f"{path}: the claims judged now differ from the recorded ones; not written")
    changed = []
    for old, c in zip(d['claims'], new):
        moved = [k for k in old if k != 'verdict' and old[k] != c.get(k)]
        if moved: sys.exit(f"{path}: claim {old['id']} at {old['shot']}-shot: {moved} would change; not written")
        if old['verdict'] != c['verdict']: changed.append(f"{path.name} claim {c['id']} {c['shot']}-shot: {old['verdict']!r} -> {c['verdict']!r}")
    d['claims'] = new
    if as_family:
        qs = [(c['id'], c['a'], c['b']) for c in new if c['shot'] == 1]
        d['family'] = dict(alpha=0.05, m=len(qs), questions=family(d['runs'], qs, '1', d['delta'], 0.05),
                           note="the 1-shot claims as one family: Bonferroni reads each at level 1 - 0.05/m; Holm steps down over the 2m one-sided nulls (35_stats)")
    d['rejudged'] = dict(command=command, version=__version__)
    tmp = path.with_name(f'.{path.name}.tmp'); tmp.write_text(json.dumps(d, indent=1, default=float)); os.replace(tmp, path)
    return changed

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('files', nargs='+'); p.add_argument('--family', action='append', default=[])
    a = p.parse_args()
    cmd = ' '.join(['python tools/rejudge.py', *sys.argv[1:]])
    for f in a.files:
        for line in rejudge(Path(f), f in a.family, cmd) or [f"{f}: no verdict changed"]: print(line)
