"The study command as CI runs it: reduced (few episodes, two seeds), two jobs in parallel, then reused on a rerun."
import json, math
from test_cli import run

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
        assert c['verdict'] in ('holds', 'fails', 'undecided') or c['verdict'].startswith('not judged: '), c['verdict']  # 4 training episodes: a side may never leave chance
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
