"The console script end to end, as users call it (a subprocess)."
import json, subprocess

def run(*args, **kw):
    return subprocess.run(['task-adapter', *args], capture_output=True, text=True, timeout=600, **kw)

def test_help_lists_commands():
    r = run('--help')
    assert r.returncode == 0
    for c in ('synth', 'validate', 'bench', 'demo'): assert c in r.stdout

def test_unknown_command():
    r = run('train-everything')
    assert r.returncode == 2 and "unknown command 'train-everything'" in r.stderr

def test_synth_validate_bench(tmp_path):
    out = tmp_path / 'syn'
    r = run('synth', '--out', str(out), '--videos-per-class', '2', '--workers', '2')
    assert r.returncode == 0, r.stderr
    meta = json.loads((out / 'synth.json').read_text())
    assert meta['config']['videos_per_class'] == 2
    assert [len(meta['classes'][s]) for s in ('train', 'val', 'test')] == [64, 12, 24]
    lines = (out / 'splits' / 'testlist.txt').read_text().splitlines()
    assert len(lines) == 48 and all(l.count('/') == 1 for l in lines)
    ok = run('validate', '--split', str(out / 'splits/testlist.txt'), '--root', str(out / 'videos'), '--n-way', '5', '--k-shot', '1')
    assert ok.returncode == 0 and 'OK: every episode can be built' in ok.stdout, ok.stdout + ok.stderr
    # 2 videos per class cannot fill a 5-shot episode: every class is reported, and the exit code says so
    bad = run('validate', '--split', str(out / 'splits/testlist.txt'), '--root', str(out / 'videos'), '--k-shot', '5')
    assert bad.returncode == 1 and 'classes with too few usable videos (24)' in bad.stdout
    b = run('bench', 'data', '--root', str(out / 'videos'), '--split', str(out / 'splits/testlist.txt'), '--n-clips', '20', '--repeats', '1')
    assert b.returncode == 0, b.stderr
    assert 'raw decoding' in b.stdout and 'overhead' in b.stdout

def test_validate_requires_split_and_root():
    r = run('validate', '--root', '.')
    assert r.returncode != 0 and '--split FILE and --root DIR are required' in r.stderr

def test_bench_model_reference_beside_ours(tmp_path):
    "bench model: the authors' layout and ours, each in its own process, written with the command that made them."
    f = tmp_path / 'b.json'
    r = run('bench', 'model', '--arch', 'tiny', '--num-frames', '4', '--adapted-blocks', '2', '--repeats', '0', '--precisions', 'fp32', '--profile', '3', '--out', str(f))
    assert r.returncode == 0, r.stderr
    rec = json.loads(f.read_text())
    assert rec['command'].startswith('task-adapter bench model --arch tiny')
    rows = rec['results']
    assert [(x['path'], x['precision']) for x in rows] == [('reference', 'fp32'), ('ours', 'fp32'), ('ours_ckpt', 'fp32')]
    assert rows[0]['train_step']['vs_reference'] == 1.0 and len(rows[1]['train_step']['profile']) == 3
    assert 'reference fp32: eval episode' in r.stdout and 'cached prefix' in r.stdout
    bad = run('bench', 'model', '--arch', 'vit_huge')
    assert bad.returncode != 0 and "arch='vit_huge'" in bad.stderr
