"The study command as CI runs it: reduced (few episodes, one seed), two jobs in parallel, then reused on a rerun."
import json
from test_cli import run

def test_study_reduced(tmp_path):
    syn = tmp_path / 'syn'
    assert run('synth', '--out', str(syn), '--videos-per-class', '6', '--workers', '2').returncode == 0
    args = ['study', '--data', str(syn), '--out', str(tmp_path / 'study'), '--variants', 'frozen,no_task,ta', '--seeds', '0',
            '--episodes', '4', '--val-episodes', '2', '--test-episodes', '3', '--jobs', '2']
    r = run(*args)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path / 'study/study.json').read_text())
    assert res['command'].startswith('task-adapter study --data')
    assert [(x['variant'], x['seed']) for x in res['runs']] == [('frozen', 0), ('no_task', 0), ('ta', 0)]
    for x in res['runs']:
        assert sorted(x['test']) == ['1', '5'] and all(len(t['per_episode']) == 3 for t in x['test'].values())
    assert res['summary']['frozen']['trainable_parameters'] == 0
    assert res['summary']['ta']['trainable_parameters'] > res['summary']['no_task']['trainable_parameters'] > 0
    assert {c['better'] for c in res['claims']} >= {'ta', 'no_task'}  # the claims whose variants ran are decided
    assert 'ta ' in r.stdout and 'across-seed mean' in r.stdout
    # a rerun reuses every finished run: nothing is trained again
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / 'study').glob('*/seed0/run.json')}
    assert len(stamps) == 3
    r2 = run(*args)
    assert r2.returncode == 0 and {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert json.dumps(json.loads((tmp_path / 'study/study.json').read_text())['summary']) == json.dumps(res['summary'])  # (nan != nan)
    # other settings in the same folder are refused, naming the run
    r3 = run(*[a if a != '4' else '6' for a in args])  # --episodes 6
    assert r3.returncode == 1 and 'frozen/seed0/run.json: a finished run with other settings' in r3.stderr, r3.stderr[-2000:]
