"Training as users run it: a killed run resumed, and two DistributedDataParallel processes on CPU (gloo)."
import json, os, signal, subprocess, sys, time
import pytest, torch
from task_adapter_nb.synth import make_synth

@pytest.fixture(scope='module')
def data(tmp_path_factory):
    return make_synth(tmp_path_factory.mktemp('synth') / 'synth', videos_per_class=4, workers=2, progress=False)

def args(data, out, **kw):
    a = dict(preset='demo', root=str(data), pretrained='false', num_frames=4, adapted_blocks=2, epochs=2, episodes_per_epoch=12, n_query=2,
             val_episodes=6, test_episodes=10, save_every=2, workers=0, temporal_embedding_at='input', out=str(out))
    a.update(kw)
    return [f"--{k}={v}" for k, v in a.items()]

def train_cmd(*a): return [sys.executable, '-m', 'task_adapter_nb.cli', 'train', *a]

def trainable(path): return torch.load(path, map_location='cpu', weights_only=True)['trainable']

def test_sigkill_then_resume_equals_uninterrupted(data, tmp_path):
    ref = subprocess.run(train_cmd(*args(data, tmp_path / 'ref')), capture_output=True, text=True, timeout=900)
    assert ref.returncode == 0, ref.stderr[-2000:]
    out = tmp_path / 'killed'
    p = subprocess.Popen(train_cmd(*args(data, out)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = time.time()
    while time.time() - t0 < 600:  # kill as soon as a mid-run checkpoint exists
        if (out / 'last.pth').exists():
            try: ep = torch.load(out / 'last.pth', weights_only=True)['episode']
            except Exception: ep = 0
            if ep >= 4: break
        if p.poll() is not None: break
        time.sleep(0.02)
    assert p.poll() is None, "the run finished before it could be killed"
    os.kill(p.pid, signal.SIGKILL); p.wait()
    assert not (out / 'results.json').exists()
    killed_at = torch.load(out / 'last.pth', weights_only=True)['episode']
    assert 4 <= killed_at < 24
    res = subprocess.run(train_cmd(*args(data, out), '--resume'), capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-2000:]
    assert f"resumed {out / 'last.pth'} at episode {killed_at}" in res.stdout
    a, b = trainable(tmp_path / 'ref' / 'last.pth'), trainable(out / 'last.pth')
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a), "resumed parameters differ"
    ra, rb = (json.loads((d / 'results.json').read_text()) for d in (tmp_path / 'ref', out))
    assert ra['history'] == rb['history'] and ra['test_per_episode'] == rb['test_per_episode']

def test_ddp_two_processes_equal_accumulating_two(data, tmp_path):
    # The authors' optimiser, plain SGD (with AdamW, summing the two gradients in another order changes the last bits, and Adam's
    # per-component normalisation amplifies that where a gradient is near zero: 3e-4 apart after 24 episodes in a trial).
    sgd = dict(optimizer='sgd', lr=2.0, schedule='none', weight_decay=0.0,  # large enough that the zero-initialised adapters move
               precision='fp32')  # exact arithmetic: where `auto` picks bf16 (CPUs with AMX) the two orders of summing differ by ~5e-3
    single = subprocess.run(train_cmd(*args(data, tmp_path / 'single', accumulate=2, **sgd)), capture_output=True, text=True, timeout=900)
    assert single.returncode == 0, single.stderr[-2000:]
    ddp = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2', '--master_port=29533', '-m', 'task_adapter_nb.cli', 'train',
                          *args(data, tmp_path / 'ddp', **sgd)], capture_output=True, text=True, timeout=900, env={**os.environ, 'OMP_NUM_THREADS': '1'})
    assert ddp.returncode == 0, ddp.stderr[-3000:]
    a, b = trainable(tmp_path / 'single' / 'last.pth'), trainable(tmp_path / 'ddp' / 'last.pth')
    err = max((a[k] - b[k]).abs().max().item() for k in a)
    moved = max(a[k].abs().max().item() for k in a if k.endswith('fc2.weight') and 'task_adapter' not in k)  # zero at initialisation
    assert moved > 1e-3, f"training did not move the adapters ({moved}): the comparison would be empty"
    assert err < 1e-5, f"DDP parameters differ from single-process accumulation by {err}"
    ra, rb = (json.loads((tmp_path / d / 'results.json').read_text()) for d in ('single', 'ddp'))
    assert rb['processes'] == 2 and ra['processes'] == 1
    assert ra['test_per_episode'] == rb['test_per_episode']  # sharded evaluation gathers the same per-episode results

def test_eval_command_on_a_checkpoint(data, tmp_path):
    r = subprocess.run(train_cmd(*args(data, tmp_path / 'run', epochs=1)), capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    e = subprocess.run([sys.executable, '-m', 'task_adapter_nb.cli', 'eval', '--checkpoint', str(tmp_path / 'run' / 'best.pth'), '--test_episodes', '10'],
                       capture_output=True, text=True, timeout=900)
    assert e.returncode == 0, e.stderr[-2000:]
    want = json.loads((tmp_path / 'run' / 'results.json').read_text())['test']['accuracy']
    assert f"5-way 1-shot: {want:.2f}" in e.stdout, (e.stdout, want)
    # the prefix cache on disk: a first pass writes it, a second reads it; both give the run's own test result
    cache = tmp_path / 'cache'
    for _ in range(2):
        d = subprocess.run([sys.executable, '-m', 'task_adapter_nb.cli', 'eval', '--checkpoint', str(tmp_path / 'run' / 'best.pth'), '--test_episodes', '10',
                            '--cache_dir', str(cache)], capture_output=True, text=True, timeout=900)
        assert d.returncode == 0 and f"5-way 1-shot: {want:.2f}" in d.stdout, (d.stdout, d.stderr[-2000:])
    assert len(list(cache.glob('*/*.pt'))) > 0
    bad = subprocess.run([sys.executable, '-m', 'task_adapter_nb.cli', 'eval', '--checkpoint', str(tmp_path / 'run' / 'best.pth'), '--adapted_blocks', '3'],
                         capture_output=True, text=True, timeout=900)
    assert bad.returncode == 2 and 'unrecognized arguments: --adapted_blocks 3' in bad.stderr  # eval takes no model option: the model is the checkpoint's
    from task_adapter_nb.runs import load_run
    with pytest.raises(ValueError, match='adapted_blocks=2 in the checkpoint, 3 here'): load_run(tmp_path / 'run' / 'best.pth', adapted_blocks=3)
