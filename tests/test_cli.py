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

def flat(s): return ' '.join(s.split())  # argparse wraps help lines

def test_each_help_lists_only_its_options():
    "`bench` lists its four subcommands; `bench model`, `eval` and `train` list only what they use, and no '(default: None)'."
    b = run('bench', '--help')
    assert b.returncode == 0 and '{data,model,eval,train}' in b.stdout, b.stderr
    for s in ('data', 'model', 'eval', 'train'): assert f'\n    {s} ' in b.stdout, s
    m = run('bench', 'model', '--help')
    assert m.returncode == 0 and '--arch' in m.stdout and '--profile' in m.stdout
    for o in ('--n_clips', '--episodes', '--against', '--root'): assert o not in m.stdout, o
    d = run('bench', 'data', '--help')
    assert '--n_clips' in d.stdout and '--arch' not in d.stdout and '--precisions' not in d.stdout
    e = run('eval', '--help')
    assert e.returncode == 0 and '--test_split' in e.stdout and '--eval_cache' in e.stdout
    for o in ('--lr ', '--mode', '--adapted_blocks', '--epochs', '--backbone ', '--size '): assert o not in e.stdout, o
    assert '--k_shot' in e.stdout  # a 1-shot run tested on 5-shot episodes (README)
    assert "--root ROOT dataset root holding the videos (default: the checkpoint's)" in flat(e.stdout)
    t = run('train', '--help')
    assert t.returncode == 0 and '(default: None)' not in t.stdout and 'Config default' not in t.stdout
    assert "--lr LR (default: the preset's, else 0.001)" in flat(t.stdout) and '--k_shot' in t.stdout
    assert '--command' not in run('study', '--help').stdout

def test_options_of_another_command_are_refused():
    "An option the command does not take is argparse's one-line error (exit code 2); a count below its minimum is one line too (exit code 1)."
    e = run('eval', '--checkpoint', 'x.pth', '--lr', '0.1')
    assert e.returncode == 2 and e.stderr == "task-adapter eval: unrecognized arguments: --lr 0.1 (see task-adapter eval --help)\n", e.stderr
    m = run('bench', 'model', '--n-clips', '5')
    assert m.returncode == 2 and m.stderr.count('\n') == 1 and 'task-adapter bench model: unrecognized arguments: --n-clips 5' in m.stderr, m.stderr
    b = run('bench')
    assert b.returncode == 2 and b.stderr == "task-adapter bench: the following arguments are required: {data,model,eval,train} (see task-adapter bench --help)\n", b.stderr
    r = run('bench', 'data', '--repeats', '0')
    assert r.returncode == 1 and r.stderr == "task-adapter bench data: repeats=0: bench data times the best of at least 1 run\n", r.stderr
    n = run('bench', 'eval', '--episodes', '0')
    assert n.returncode == 1 and n.stderr == "task-adapter bench eval: episodes=0: expected an integer >= 1\n", n.stderr

def test_the_command_line_is_passed_not_global(tmp_path, monkeypatch):
    "`main` hands the exact command line to `study` (study.json's `command`) and to `bench ... --out`; from Python it is None."
    from task_adapter_nb import cli
    got = {}
    monkeypatch.setattr(cli, 'run_study', lambda *a, **kw: got.update(kw))
    argv = ['study', '--out', str(tmp_path / 'st'), '--seeds', '0,1', '--variants', 'ta,no_task', '--episodes', '4']
    assert cli.main(argv) == 0
    assert got['command'] == 'task-adapter ' + ' '.join(argv) and got['episodes'] == 4
    cli.study(out=str(tmp_path / 'st2'), seeds='0'); assert got['command'] is None
    assert not hasattr(cli, '_INVOKED')
    calls = []
    monkeypatch.setattr(cli, 'bench_model', lambda *a, **k: calls.append((a, k)) or [dict(path='ours')])
    f = tmp_path / 'b.json'
    assert cli.main(['bench', 'model', '--arch', 'tiny', '--num-frames', '4', '--precisions', 'fp32', '--out', str(f)]) == 0
    rec = json.loads(f.read_text())
    assert rec['command'] == f'task-adapter bench model --arch tiny --num-frames 4 --precisions fp32 --out {f}' and rec['results'] == [dict(path='ours')]
    assert calls == [(('tiny', None, 4, 6, 5, 1, 1, ('fp32',), 3, True, 0), dict(authors=None, allocator='as_run'))]
