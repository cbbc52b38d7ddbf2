"Files from outside never run code; nothing of the user's is overwritten or mixed; every failure is one line (issue 27)."
import contextlib, io, json, os, pathlib, subprocess, sys
from dataclasses import asdict
import numpy as np, pytest, torch
from task_adapter_nb.synth import make_synth
from task_adapter_nb.config import make_config, build_model
from task_adapter_nb.runs import trainable_state, save_checkpoint, out_lock
from task_adapter_nb import cli

class Evil:
    "What a crafted .pth holds: unpickling it calls Path.touch(marker), i.e. runs code."
    def __init__(self, marker): self.marker = marker
    def __reduce__(self): return (pathlib.Path.touch, (pathlib.Path(self.marker),))

def main(*argv):
    "Run the console script in this process: (exit code, stdout, last line of stderr)."
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try: rc = cli.main([str(a) for a in argv])
        except SystemExit as e: rc = e.code if isinstance(e.code, int) else 1; err.write(str(e.code))
    lines = err.getvalue().strip().splitlines()
    assert 'Traceback' not in err.getvalue(), err.getvalue()
    return rc, out.getvalue(), lines[-1] if lines else ''

@pytest.fixture(scope='module')
def syn(tmp_path_factory):
    return make_synth(tmp_path_factory.mktemp('syn') / 'synth', videos_per_class=4, workers=2, progress=False)

TINY = dict(pretrained=False, num_frames=2, adapted_blocks=1, test_episodes=2, workers=0, eval_cache=False, temporal_embedding_at='input')

@pytest.fixture(scope='module')
def ckpt(syn, tmp_path_factory):
    "A checkpoint of a tiny untrained model, as `train` writes it (plain values only)."
    cfg = make_config('demo', root=str(syn), **TINY)
    f = tmp_path_factory.mktemp('run') / 'best.pth'
    save_checkpoint(f, dict(config=asdict(cfg), trainable=trainable_state(build_model(cfg)), best=dict(accuracy=np.float64(20.))))
    return f

def test_crafted_checkpoint_runs_no_code(syn, ckpt, tmp_path):
    marker = tmp_path / 'pwned'
    evil = tmp_path / 'evil.pth'; torch.save(dict(config={}, trainable={}, x=Evil(marker)), evil)
    rc, _, msg = main('eval', '--checkpoint', evil)
    assert rc == 1 and 'evil.pth: holds Python objects' in msg and '--unsafe_load' in msg, msg
    run = tmp_path / 'run'; run.mkdir(); torch.save(dict(config={}, trainable={}, x=Evil(marker)), run / 'last.pth')
    rc, _, msg = main('train', '--preset', 'demo', '--root', syn, '--pretrained', 'false', '--out', run, '--resume')
    assert rc == 1 and 'last.pth: holds Python objects' in msg, msg
    from task_adapter_nb.model import load_official_checkpoint
    with pytest.raises(ValueError, match='evil.pth: holds Python objects'): load_official_checkpoint(evil)
    # the study's reuse of a run folder it finds: the same refusal, and no --overwrite suggested (the study has none)
    study = tmp_path / 'study'; (study / 'ta' / 'seed0').mkdir(parents=True)
    torch.save(dict(config={}, trainable={}, x=Evil(marker)), study / 'ta' / 'seed0' / 'last.pth')
    rc, _, msg = main('study', '--out', study, '--data', syn, '--variants', 'ta', '--seeds', '0', '--episodes', '2', '--epochs', '1',
                      '--val_episodes', '1', '--test_episodes', '1', '--no_sweep', '--jobs', '1')
    assert rc == 1 and 'last.pth: holds Python objects' in msg, msg
    assert not marker.exists()

def test_old_checkpoint_needs_explicit_unsafe_flag(syn, ckpt, tmp_path):
    old = tmp_path / 'old.pth'
    state = torch.load(ckpt, weights_only=True); state['rng'] = dict(numpy=np.random.get_state())  # as older versions wrote
    torch.save(state, old)
    rc, _, msg = main('eval', '--checkpoint', old)
    assert rc == 1 and 'old.pth: holds Python objects (numpy.' in msg and 'unsafe' in msg, msg
    rc, out, msg = main('eval', '--checkpoint', old, '--unsafe_load')
    assert rc == 0 and '5-way 1-shot: ' in out, (out, msg)

def test_eval_writes_only_new_files_under_its_out(syn, ckpt, tmp_path):
    victim = tmp_path / 'victim.txt'; victim.write_text('precious')
    state = torch.load(ckpt, weights_only=True)
    state['config'].update(frame_store=str(victim), cache_dir=str(tmp_path / 'cache'), out=str(tmp_path / 'recorded_out'), eval_cache=True)
    ck = tmp_path / 'ck' / 'best.pth'; save_checkpoint(ck, state)
    for n in (1, 2):  # a second eval never replaces the first
        rc, out, msg = main('eval', '--checkpoint', ck)
        assert rc == 0 and f"wrote {ck.parent / f'eval_best_{n}.json'}" in out, (out, msg)
    assert victim.read_text() == 'precious' and not (tmp_path / 'cache').exists() and not (tmp_path / 'recorded_out').exists()
    assert sorted(p.name for p in ck.parent.iterdir()) == ['best.pth', 'eval_best_1.json', 'eval_best_2.json']
    rc, out, _ = main('eval', '--checkpoint', ck, '--out', tmp_path / 'mine')
    assert rc == 0 and (tmp_path / 'mine' / 'eval_best_1.json').is_file()

def test_eval_episodes_are_read_not_assumed(syn, ckpt, tmp_path):
    from task_adapter_nb.episodes import EpisodeSampler, Episode, save_episodes
    from task_adapter_nb.splits import read_split
    eps = EpisodeSampler(read_split(syn / 'splits/testlist.txt'), 2, 1, 1, seed=3).episodes(2)
    save_episodes(eps, tmp_path / 'two.json')
    rc, out, msg = main('eval', '--checkpoint', ckpt, '--episodes', tmp_path / 'two.json', '--out', tmp_path)
    assert rc == 0 and '2-way 1-shot: ' in out, (out, msg)
    rec = json.loads((tmp_path / 'eval_best_1.json').read_text())
    assert (rec['n_way'], rec['k_shot'], rec['n_query'], rec['episodes']) == (2, 1, 1, 2)
    save_episodes([Episode(e.classes, e.support, e.support) for e in eps], tmp_path / 'cheat.json')
    rc, _, msg = main('eval', '--checkpoint', ckpt, '--episodes', tmp_path / 'cheat.json')
    assert rc == 1 and 'cheat.json: episode 0: video' in msg and 'is both a support and a query video' in msg, msg

def test_incomplete_or_broken_checkpoint_refused(ckpt, tmp_path):
    state = torch.load(ckpt, weights_only=True)
    name = sorted(state['trainable'])[0]
    miss = tmp_path / 'miss.pth'; save_checkpoint(miss, {**state, 'trainable': {k: v for k, v in state['trainable'].items() if k != name}})
    rc, _, msg = main('eval', '--checkpoint', miss)
    assert rc == 1 and f"miss.pth: lacks 1 of the model's trainable tensors (e.g. {name})" in msg, msg
    nan = tmp_path / 'nan.pth'; save_checkpoint(nan, {**state, 'trainable': {**state['trainable'], name: torch.full_like(state['trainable'][name], float('nan'))}})
    rc, _, msg = main('eval', '--checkpoint', nan)
    assert rc == 1 and f"nan.pth: parameter {name} holds NaN or inf" in msg, msg

def test_one_writer_per_folder(syn, tmp_path):
    "A second process is refused while the folder is held (here by this test process), and may go once it is released."
    with out_lock(tmp_path / 'out'):
        for cmd in (['train', '--preset', 'demo', '--root', str(syn), '--pretrained', 'false'], ['demo', '--data', str(syn)], ['study', '--data', str(syn)]):
            r = subprocess.run([sys.executable, '-m', 'task_adapter_nb.cli', *cmd, '--out', str(tmp_path / 'out')], capture_output=True, text=True, timeout=600)
            assert r.returncode == 1 and 'Traceback' not in r.stderr, r.stderr[-2000:]
            assert f"{tmp_path / 'out'}: another process (pid {os.getpid()}) is writing there; wait for it to end" in r.stderr.strip().splitlines()[-1], r.stderr

def test_ctrl_c_exits_130_with_the_resume_command(syn, tmp_path, monkeypatch):
    def interrupted(cfg, **kw): raise KeyboardInterrupt  # Ctrl-C during training
    monkeypatch.setattr(cli.learner, 'train', interrupted)
    out = tmp_path / 'my run'
    rc, _, msg = main('train', '--preset', 'demo', '--root', syn, '--pretrained', 'false', '--out', out, '--lr', '0.01')
    assert rc == 130 and msg == f"task-adapter train: interrupted; continue with: task-adapter train --preset demo --root {syn} --pretrained false --out '{out}' --lr 0.01 --resume", msg

def test_study_reuses_only_runs_tested_on_the_same_episodes(syn, tmp_path):
    from task_adapter_nb.runner import study_run, variant_config, run_inputs
    f = tmp_path / 'test_episodes.json'; f.write_text('{"episodes": []}')
    out = tmp_path / 'ta' / 'seed0'; out.mkdir(parents=True)
    kw = dict(pretrained=False, episodes_per_epoch=2, epochs=1)
    cfg = variant_config('ta', 0, out, syn, **kw)
    run = dict(variant='ta', seed=0, config=asdict(cfg), test={'1': dict(accuracy=50.)}, inputs=run_inputs(cfg, {'1': f}))
    (out / 'run.json').write_text(json.dumps(run))
    assert study_run('ta', 0, out, syn, {'1': str(f)}, **kw)['test']['1']['accuracy'] == 50.  # the same files: reused
    f.write_text('{"episodes": [], "other": 1}')  # another test set under the same name
    with pytest.raises(ValueError, match=r"run.json: a finished run made with other 1-shot test episodes than this study's; use another study folder"):
        study_run('ta', 0, out, syn, {'1': str(f)}, **kw)
    (out / 'run.json').write_text(json.dumps({k: v for k, v in run.items() if k != 'inputs'}))  # made before runs recorded their inputs
    with pytest.raises(ValueError, match='made before runs recorded the files they were tested on'): study_run('ta', 0, out, syn, {'1': str(f)}, **kw)
    rc, _, msg = main('study', '--variants', 'ta,ta,no_task', '--out', tmp_path / 'dup')
    assert rc == 1 and msg == "task-adapter study: variants 'ta,ta,no_task': ['ta'] given more than once (each variant once; more seeds with --seeds)", msg

def test_pretrain_never_touches_the_shipped_weights(tmp_path, monkeypatch):
    from task_adapter_nb.stills import shipped_weights_path, cache_weights_path
    shipped = shipped_weights_path()
    rc, _, msg = main('pretrain', '--out', shipped, '--steps', '1', '--batch', '2')
    assert rc == 1 and 'these are the shipped weights' in msg and '--replace_shipped' in msg, msg
    for bad, want in ((['--steps', '0'], 'steps=0: expected an integer >= 1'), (['--batch', '0'], 'batch=0: expected an integer >= 1')):
        rc, _, msg = main('pretrain', '--out', tmp_path / 'w.pth', *bad)
        assert rc == 1 and msg == f"task-adapter pretrain: {want}", msg
    got = []  # where `pretrain` without --out writes: the user's cache, not the repository
    monkeypatch.setattr(cli, 'pretrain_tiny', lambda out, **kw: got.append(out) or dict(config={}, seconds=0, test_accuracy={}))
    monkeypatch.setattr(cli, 'check_writable', lambda p, what: p)
    assert main('pretrain', '--steps', '1', '--batch', '2')[0] == 0 and got == [cache_weights_path()] != [shipped_weights_path()]
    assert main('pretrain', '--replace_shipped')[0] == 0 and got[-1] == shipped_weights_path()  # only when asked for by name

@pytest.mark.parametrize('args, want', [
    (['synth', '--videos_per_class', '-3'], 'videos_per_class=-3: expected an integer >= 2'),
    (['synth', '--videos-per-class', '0'], 'videos_per_class=0: expected an integer >= 2'),
    (['synth', '--size', '63'], 'size=63: expected an even number of pixels'),
    (['bench', 'data', '--n-clips', '0'], 'n_clips=0: expected an integer >= 1'),
    (['study', '--shots', '1,0'], "shots='0': expected an integer >= 1"),
])
def test_nonsense_refused_in_one_line(args, want, tmp_path):
    rc, _, msg = main(*args, '--out', tmp_path / 'o')
    assert rc == 1 and want in msg, msg
    assert not (tmp_path / 'o').exists() or not any((tmp_path / 'o').iterdir())

@pytest.mark.parametrize('text, want', [('lr: [1\n', 'not a YAML file of options'), ('lr: 1\n---\nlr: 2\n', 'not a YAML file of options'),
                                        ('lr: !!python/object/apply:os.system ["touch pwned"]\n', 'not a YAML file of options')])
def test_yaml_errors_are_one_line(text, want, tmp_path, syn):
    y = tmp_path / 'run.yaml'; y.write_text(text)
    rc, _, msg = main('train', '--preset', 'demo', '--root', syn, '--config', y)
    assert rc == 1 and f"{y}: {want}" in msg, msg
    assert not pathlib.Path('pwned').exists()

def test_full_disk_while_saving_is_one_line_and_leaves_no_partial_file(tmp_path):
    "A real failed write (the file-size limit stands in for a full disk): one line, the temporary file removed, the old checkpoint intact."
    code = f"""
import resource, signal, torch
from task_adapter_nb.runs import save_checkpoint
save_checkpoint({str(tmp_path / 'last.pth')!r}, dict(config={{}}, trainable={{}}, episode=1))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN); resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
save_checkpoint({str(tmp_path / 'last.pth')!r}, dict(config={{}}, trainable=dict(w=torch.zeros(100000)), episode=2))
"""
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300)
    last = r.stderr.strip().splitlines()[-1]
    assert r.returncode == 1 and last.startswith('OSError: ') and 'last.pth: could not write the checkpoint (' in last and 'is the disk full?' in last, r.stderr[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ['last.pth'] and torch.load(tmp_path / 'last.pth', weights_only=True)['episode'] == 1
