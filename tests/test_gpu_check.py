"The GPU check (tools/gpu_check.sh, issue 30) as its dry run: every step on the CPU with tiny sizes, one JSON with every figure."
import json, os, subprocess, sys
from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]
STEPS = ['env', 'data', 'bench_1shot', 'bench_5shot', 'eval', 'train', 'ddp', 'study_jobs1']

def gpu_check(*args, timeout=900):
    return subprocess.run(['bash', str(REPO / 'tools/gpu_check.sh'), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, PYTHON=sys.executable))

@pytest.fixture(scope='module')
def dry(tmp_path_factory):
    out = tmp_path_factory.mktemp('gpu_check') / 'gpu_check.json'
    r = gpu_check('--dry-run', '--out', out)
    return r, out

def test_dry_run_writes_every_step(dry):
    r, out = dry
    assert r.returncode == 0, (r.stdout[-3000:], r.stderr[-3000:])
    rec = json.loads(out.read_text())
    assert rec['dry_run'] is True and rec['command'].startswith('bash tools/gpu_check.sh --dry-run --out ')
    assert list(rec['steps']) == STEPS and all(s['status'] == 'ok' for s in rec['steps'].values()), {k: s.get('error') for k, s in rec['steps'].items()}
    env = rec['steps']['env']['result']
    assert env['versions']['torch'] and env['gpu_count'] == 0 and 'python' in env
    assert any('fp16 is not run' in n for n in rec['notes'])
    for k in (1, 5):
        b = rec['steps'][f'bench_{k}shot']['result']
        assert b['k_shot'] == k and b['device'] == 'cpu' and b['precisions'] == ['fp32', 'bf16'] and list(b['skipped']) == ['fp16']
        assert [(x['path'], x['precision']) for x in b['rows']] == [('reference', 'fp32'), ('ours', 'fp32'), ('ours', 'bf16'), ('ours_ckpt', 'fp32')]
        ref = b['rows'][0]['train_step']
        assert ref['vs_reference'] == 1.0 and ref['tflops'] >= 0 and ref['seconds'] > 0
        assert all({'seconds', 'peak_gb', 'tflops', 'vs_reference'} <= set(x['train_step']) for x in b['rows'])
    assert 'profile' in rec['steps']['bench_1shot']['result']['rows'][0]['train_step']  # the top operators, 1-shot only
    ev = rec['steps']['eval']['result']
    assert ev['settings']['episodes'] == 4 and ev['same_accuracy'] is True
    assert ev['cache']['videos'] > 0 and ev['cache']['gpu_gb'] == 0 and ev['cache']['host_gb'] > 0  # on a CPU the cache lives on the host
    tr = rec['steps']['train']['result']
    assert [p['precision'] for p in tr['passes']] == ['bf16'] and tr['passes'][0]['episodes_per_s'] > 0
    st = rec['steps']['study_jobs1']['result']
    assert st['runs'] == 2 and st['jobs'] == 1 and st['runs_per_hour'] > 0 and st['precision']['name'] == 'fp32'

def test_dry_run_ddp_reproduces_single_process(dry):
    r, out = dry
    d = json.loads(out.read_text())['steps']['ddp']['result']
    assert (d['backend'], d['devices'], d['processes']) == ('gloo', 'cpu', [1, 2])
    assert d['adapters_moved'] > 1e-3, "training did not move the adapters: the comparison would be empty"
    assert d['max_abs_diff'] < 1e-5 and d['reproduces'] is True and d['same_test_episodes'] is True

def test_a_failing_step_keeps_the_others(tmp_path):
    not_a_folder = tmp_path / 'synth'; not_a_folder.write_text('a file')
    out = tmp_path / 'gc.json'
    r = gpu_check('--dry-run', '--out', out, '--steps', 'env,data', '--data', not_a_folder, timeout=300)
    assert r.returncode == 1
    rec = json.loads(out.read_text())
    assert rec['steps']['env']['status'] == 'ok' and rec['steps']['env']['result']['versions']['torch']
    assert rec['steps']['data']['status'] == 'failed' and rec['steps']['data']['error'], rec['steps']['data']
    assert '[failed ] data' in r.stdout
