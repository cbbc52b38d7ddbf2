"The study command as CI runs it: reduced (few episodes, two seeds), two jobs in parallel, then reused on a rerun."
import json, math
from test_cli import run

def expected_verdict(runs, shot, level, a='ta', b='no_task', delta=1.0):
    "Claim 2's verdict by the rule of 35_stats, from the runs alone: not judged if most runs of a side never left chance; else holds (interval above 0), fails (below delta) or undecided."
    never = {}
    for v in (a, b):  # a run left chance once a logged 20-episode mean loss fell below ln N - 0.1
        rs = [r for r in runs if r['variant'] == v and r['curves'].get('train_loss')]
        never[v] = (sum(not any(l < math.log(r['config']['n_way']) - 0.1 for l in r['curves']['train_loss']) for r in rs), len(rs))
    bad = [v for v in (a, b) if 2 * never[v][0] > never[v][1]]
    if bad: return f"not judged: {' and '.join(bad)} did not train (" + ", ".join(f"{never[v][0]} of {never[v][1]} runs never left chance" for v in bad) + ")"
    acc = {(r['variant'], r['seed']): r['test'][str(shot)]['accuracy'] for r in runs}
    d0, d1 = (acc[(a, s)] - acc[(b, s)] for s in (0, 1))
    t = math.tan(math.pi * level / 2)  # Student's t with 1 degree of freedom (two seeds) is Cauchy: its (1 + level) / 2 quantile in closed form (12.706 at 95%)
    m, h = (d0 + d1) / 2, t * abs(d0 - d1) / 2  # two values: SD / sqrt(2) = |d0 - d1| / 2
    assert min(abs(m - h), abs(m + h - delta)) > 1e-6, (m, h)  # not on an edge of the rule, where rounding could decide
    return 'holds' if m - h > 0 else 'fails' if m + h < delta else 'undecided'

def test_study_reduced(tmp_path):
    syn = tmp_path / 'syn'
    assert run('synth', '--out', str(syn), '--videos-per-class', '6', '--workers', '2').returncode == 0
    args = ['study', '--data', str(syn), '--out', str(tmp_path / 'study'), '--variants', 'frozen,no_task,ta', '--seeds', '0,1',
            '--episodes', '4', '--epochs', '2', '--val-episodes', '2', '--test-episodes', '3', '--shots', '1,5', '--jobs', '2', '--precision', 'fp32']
    r = run(*args)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / 'study/study.json').read_text())
    assert res['command'].startswith('task-adapter study --data')
    assert [(x['variant'], x['seed']) for x in res['runs']] == [('frozen', 0), ('no_task', 0), ('no_task', 1), ('ta', 0), ('ta', 1)]
    for x in res['runs']:
        assert sorted(x['test']) == ['1', '5'] and all(len(t['per_episode']) == 3 for t in x['test'].values())
    assert res['summary']['frozen']['trainable_parameters'] == 0
    assert res['summary']['ta']['trainable_parameters'] > res['summary']['no_task']['trainable_parameters'] > 0
    # claim 2 is judged on the paired per-seed differences, at both shots
    c2 = [c for c in res['claims'] if c['id'] == '2']
    assert [c['shot'] for c in c2] == [1, 5] and c2[0]['primary'] and not c2[1]['primary']
    for c in c2:
        runs = {(x['variant'], x['seed']): x['test'][str(c['shot'])]['accuracy'] for x in res['runs']}
        d = [runs[('ta', s)] - runs[('no_task', s)] for s in (0, 1)]
        assert math.isclose(c['mean'], round(sum(d) / 2, 2), abs_tol=0.011), (c, d)
        assert c['verdict'] == expected_verdict(res['runs'], c['shot'], 0.95), (c, d)
    assert 'across-seed mean' in r.stdout and 'holds: the interval lies above 0' in r.stdout
    # a rerun reuses every finished run: nothing is trained again
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / 'study').glob('*/seed*/run.json')}
    assert len(stamps) == 5
    r2 = run(*args)
    assert r2.returncode == 0 and {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert json.dumps(json.loads((tmp_path / 'study/study.json').read_text())['claims']) == json.dumps(res['claims'])
    # the same runs judged at another level (how the study's last look is read), with the seeds as a range: nothing is trained, only the intervals widen
    r5 = run(*[a if a != '0,1' else '0-1' for a in args], '--level', '0.99')
    assert r5.returncode == 0 and {p: p.stat().st_mtime_ns for p in stamps} == stamps, r5.stderr[-2000:]
    res5 = json.loads((tmp_path / 'study/study.json').read_text())
    assert res5['level'] == 0.99 and res['level'] == 0.95 and '99% t-interval' in r5.stdout
    for a, b in zip(res['claims'], res5['claims'], strict=True):
        assert (b['id'], b['mean'], b['ci95'], b['level'], a['ci']) == (a['id'], a['mean'], a['ci95'], 0.99, a['ci95']) and b['half_width'] >= a['half_width']
    for b in res5['claims']:
        if b['id'] == '2': assert b['verdict'] == expected_verdict(res5['runs'], b['shot'], 0.99), b
    # other settings in the same folder are refused, naming the run
    r3 = run(*[a if a != '4' else '6' for a in args])  # --episodes 6
    assert r3.returncode == 1 and '/seed0/run.json: a finished run with other settings (episodes_per_epoch=2 there, 3 here)' in r3.stderr, r3.stderr[-2000:]  # whichever job checks first
    # a study folder that cannot be written is refused before any work
    ro = tmp_path / 'ro'; ro.write_text('a file, not a folder')
    r4 = run('study', '--data', str(syn), '--out', str(ro / 'study'), '--variants', 'ta', '--seeds', '0')
    assert r4.returncode == 1 and 'study folder' in r4.stderr and 'cannot write there' in r4.stderr, r4.stderr

def test_amendment5_dry_run(tmp_path):
    "The prepared driver of amendment 5 (nbs/40_study): its dry run makes the fresh saved test sets and prints the registered commands, training nothing."
    import subprocess, pathlib
    syn, out = tmp_path / 'syn', tmp_path / 'am5'
    assert run('synth', '--out', str(syn), '--videos-per-class', '6', '--workers', '2').returncode == 0
    sh = pathlib.Path(__file__).parents[1] / 'tools/study_amendment5.sh'
    drive = lambda *a: subprocess.run(['bash', str(sh), '--dry-run', '--data', str(syn), '--out', str(out), *a], capture_output=True, text=True, timeout=300,
                                      env={**__import__('os').environ, 'PY': 'python', 'TA': 'task-adapter'})
    r = drive()
    assert r.returncode == 0, r.stderr[-2000:]
    for part in ('claim1', 'claim2'):
        for k in (1, 5):
            f = json.loads((out / part / f'test_episodes_5way_{k}shot_1000.json').read_text())
            assert (f['n_episodes'], f['seed'], f['shot']) == (1000, 4026 + k, k)
        assert not (out / part / 'study.json').exists()  # nothing ran
    cmds = [l for l in r.stdout.splitlines() if l.startswith('+ ')]
    assert len(cmds) == 2 and '--variants ta,finetune_full,ta_otam,finetune_temporal --seeds 96-103' in cmds[0] and '--variants ta,no_task --seeds 96-159' in cmds[1]
    assert all('--test-episodes 1000 --shots 1,5 --precision fp32' in c for c in cmds) and 'none among the 200 of seed 2027' in r.stdout
    f = out / 'claim2/test_episodes_5way_1shot_1000.json'; d = json.loads(f.read_text()); d['episodes'] = d['episodes'][::-1]; f.write_text(json.dumps(d))
    r = drive()  # claim1's files, made once, are found again with the same episodes; claim2's were changed
    assert r.returncode == 1 and "holds other episodes than amendment 5's (seed 4027); use another --out" in r.stderr, r.stderr[-2000:]
    r = drive('--part', 'claim3')
    assert r.returncode == 2 and '--part claim3: expected claim1, claim2 or all' in r.stderr

def test_judge_reads_the_rule():
    "`judge` on made-up runs of two seeds: each verdict the one the rule gives (interval above 0: holds; below delta = 1: fails; else undecided; a side that never left chance: not judged)."
    from task_adapter_nb.study import judge
    learned, flat = dict(train_episode=[20, 40], train_loss=[1.6, 1.0]), dict(train_episode=[20, 40], train_loss=[1.61, 1.60])  # ln 5 = 1.609
    def runs(d, curves_b=learned):  # no_task at 50 points; ta at 50 + d per seed (points)
        return [dict(variant=v, seed=s, config=dict(n_way=5), curves=learned if v == 'ta' else curves_b,
                     test={'1': dict(accuracy=50 + (x if v == 'ta' else 0), per_episode=[(50 + (x if v == 'ta' else 0)) / 100] * 4)})
                for v in ('ta', 'no_task') for s, x in zip((0, 1), d)]
    # two seeds: half-width = t(0.975, 1) |d0 - d1| / 2 = 12.706 |d0 - d1| / 2
    for d, want in [((5.0, 5.2), 'holds'),  # 5.1 +- 1.27: above 0
                    ((-3.0, -3.2), 'fails'),  # -3.1 +- 1.27: below 1
                    ((0.0, 4.0), 'undecided'),  # 2 +- 25.4
                    ((0.3, 0.32), 'holds')]:  # 0.31 +- 0.13: above 0 (and below delta: 'holds, below 1' in words)
        (c,) = [c for c in judge(runs(d), shots=('1',)) if c['id'] == '2']
        assert c['verdict'] == want == expected_verdict(runs(d), 1, 0.95), (d, c)
    (c,) = [c for c in judge(runs((5.0, 5.2), flat), shots=('1',)) if c['id'] == '2']
    assert c['verdict'] == 'not judged: no_task did not train (2 of 2 runs never left chance)', c['verdict']
