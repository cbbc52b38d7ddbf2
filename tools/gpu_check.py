#!/usr/bin/env python3
"""The GPU check of issue 30 (driver; `tools/gpu_check.sh` sets up the machine and calls it; its header says how to run it).

Each step runs in its own process group with its own time limit, and the one JSON record is rewritten after every step, so a
step that fails, hangs or runs out of memory leaves the figures of the others. `--dry-run`: the same steps on the CPU with the
tiny architecture and tiny sizes (about a minute); tests/test_gpu_check.py runs it in CI.

    python tools/gpu_check.py --out gpu_check.json [--dry-run] [--data DIR] [--steps a,b] [--budget S]
"""
from __future__ import annotations
import argparse, json, os, platform, shutil, signal, socket, subprocess, sys, tempfile, time, traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DDP_TOL = 1e-5  # the single-process result, reproduced by two processes (as tests/test_training.py on CPU)

# What each step does, at full size (one H200, < 10 minutes in all) and for the dry run (CPU, tiny, about a minute).
PLANS = {
    'gpu': dict(
        data=dict(videos_per_class=40),  # the synthetic benchmark as `task-adapter synth` makes it (carried, see the .sh header)
        bench=dict(arch='vit_b16', img_size=None, num_frames=8, adapted_blocks=6, n_way=5, n_query=1, precisions=['fp32', 'bf16', 'fp16'],
                   repeats=3, profile=12, checkpointing=True, peak_n=8192),
        eval=dict(episodes=100, cfg=dict(backbone='vit_base_patch16_clip_quickgelu_224.openai', pretrained=False, size=224, resize=224, num_frames=8,
                                         adapted_blocks=6, precision='bf16', workers=4)),
        train=dict(episodes=50, passes=2, cfg=dict(backbone='vit_base_patch16_clip_quickgelu_224.openai', pretrained=False, size=224, resize=224,
                                                   num_frames=8, adapted_blocks=6, n_query=1, optimizer='sgd', lr=1e-3, weight_decay=0.0,
                                                   schedule='none', precision='bf16', workers=4)),
        ddp=dict(num_frames=4, adapted_blocks=2, epochs=2, episodes_per_epoch=12, n_query=2, val_episodes=6, test_episodes=10, save_every=2),
        study=dict(jobs=[4, 8], variants='ta,no_task', episodes=300, epochs=6, val_episodes=50, test_episodes=200, precision='fp32', threads=1),
        limits=dict(env=60, data=120, bench_1shot=150, bench_5shot=150, eval=150, train=120, ddp=150, study=180),
        budget=540,  # seconds for all steps: the device tool's command limit is 600
    ),
    'dry': dict(
        data=dict(videos_per_class=4),
        bench=dict(arch='tiny', img_size=None, num_frames=2, adapted_blocks=1, n_way=5, n_query=1, precisions=['fp32', 'bf16', 'fp16'],
                   repeats=1, profile=3, checkpointing=True, peak_n=128),
        eval=dict(episodes=4, cfg=dict(pretrained=False, size=32, resize=32, num_frames=2, adapted_blocks=1, precision='fp32', workers=0)),
        train=dict(episodes=3, passes=1, cfg=dict(pretrained=False, size=32, resize=32, num_frames=2, adapted_blocks=1, n_query=1, optimizer='sgd',
                                                  lr=1e-3, weight_decay=0.0, schedule='none', precision='bf16', workers=0)),
        ddp=dict(num_frames=2, adapted_blocks=1, epochs=1, episodes_per_epoch=6, n_query=1, val_episodes=2, test_episodes=3, save_every=2),
        study=dict(jobs=[1], variants='ta,no_task', episodes=2, epochs=1, val_episodes=2, test_episodes=3, precision='fp32', threads=1),
        limits=dict(env=60, data=120, bench_1shot=120, bench_5shot=120, eval=120, train=120, ddp=180, study=180),
        budget=600,
    ),
}
STEPS = ('env', 'data', 'bench_1shot', 'bench_5shot', 'eval', 'train', 'ddp', 'study')

def _py(): return sys.executable

def _free_port()->int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

# ---------------------------------------------------------------------------------------------------------------- steps
# Each runs in a child process (`--step NAME`): it returns a dict that the parent puts under record['steps'][NAME]['result'].

def step_env(plan, data, dry):
    import torch, timm, numpy
    from task_adapter_nb.runtime import machine
    import task_adapter_nb
    m = machine()
    cuda = torch.cuda.is_available()
    gpus = [dict(name=torch.cuda.get_device_name(i), memory_gb=round(torch.cuda.get_device_properties(i).total_memory / 2**30, 1),
                 capability='.'.join(map(str, torch.cuda.get_device_capability(i)))) for i in range(torch.cuda.device_count())] if cuda else []
    driver = None
    try: driver = subprocess.run(['nvidia-smi', '--query-gpu=driver_version', '--format=csv,noheader'], capture_output=True, text=True, timeout=20).stdout.strip() or None
    except Exception: pass
    return dict(machine=m, gpus=gpus, gpu_count=len(gpus), cuda=torch.version.cuda, driver=driver, cudnn=torch.backends.cudnn.version() if cuda else None,
                python=platform.python_version(), versions=dict(torch=torch.__version__, timm=timm.__version__, numpy=numpy.__version__,
                task_adapter_nb=task_adapter_nb.__version__), package_at=str(Path(task_adapter_nb.__file__).parent))

def step_data(plan, data, dry):
    "The synthetic benchmark (made if missing: that needs PyAV) and its frame store (decoded once: needs decord)."
    from task_adapter_nb.synth import make_synth
    from task_adapter_nb.config import make_config
    from task_adapter_nb.cache import frame_store
    t0 = time.time()
    if not (Path(data)/'synth.json').exists(): make_synth(data, videos_per_class=plan['data']['videos_per_class'], workers=os.cpu_count())
    made = time.time() - t0
    st = frame_store(make_config('demo', root=str(data)))
    return dict(root=str(data), videos=len(st), frame_store_gb=round(st.data.nbytes / 1e9, 3), synth=json.loads((Path(data)/'synth.json').read_text()),
                make_seconds=round(made, 1), seconds=round(time.time() - t0, 1))

def _bench(plan, k_shot:int, dry:bool):
    import torch
    from task_adapter_nb.bench import bench_model
    b = plan['bench']; cuda = torch.cuda.is_available()
    precs = [p for p in b['precisions'] if cuda or p != 'fp16']  # fp16 trains with a GradScaler, on CUDA only
    skipped = {p: 'needs CUDA (fp16 trains with a GradScaler there): not run on this CPU' for p in b['precisions'] if p not in precs}
    # isolate=False: every measurement in this one process (the step itself is a fresh process). On CUDA the peak memory is
    # torch.cuda.max_memory_allocated, reset per measurement, so this costs no accuracy; on a CPU the RSS figures mean little.
    rows = bench_model(arch=b['arch'], img_size=b['img_size'], num_frames=b['num_frames'], adapted_blocks=b['adapted_blocks'], n_way=b['n_way'], k_shot=k_shot,
                       n_query=b['n_query'], precisions=tuple(precs), repeats=b['repeats'], train=True, profile=b['profile'] if k_shot == 1 else 0,
                       checkpointing=b['checkpointing'], isolate=False, peak_n=b['peak_n'])
    for r in rows:
        for k in ('train_step', 'eval_episode'):
            if k in r: r[k]['tflops'] = round(r[k]['gflops'] / 1e3, 3)
    by = {(r['path'], r['precision']): r.get('train_step', {}) for r in rows}
    targets = []  # issue 30's targets, as ratios to the authors' fp32 step in this run (the training step)
    for path, prec, what, limit in (('ours', 'bf16', 'vs_reference', 0.5), ('ours', 'fp32', 'vs_reference', 0.9), ('ours', 'fp32', 'memory_vs_reference', 0.5),
                                    ('ours', 'bf16', 'memory_vs_reference', 0.3), ('ours_ckpt', 'fp32', 'memory_vs_reference', 0.5)):
        v = by.get((path, prec), {}).get(what)
        targets.append(dict(path=path, precision=prec, ratio='time' if what == 'vs_reference' else 'memory', at_most=limit, value=v, met=None if v is None else v <= limit))
    tf32 = dict(matmul=torch.backends.cuda.matmul.allow_tf32, cudnn=torch.backends.cudnn.allow_tf32)  # as the fp32 paths left them: off on CUDA
    return dict(k_shot=k_shot, device='cuda' if cuda else 'cpu', tf32=tf32, precisions=precs, skipped=skipped, targets=targets,
                settings=dict(b, k_shot=k_shot), rows=rows)

def step_bench_1shot(plan, data, dry): return _bench(plan, 1, dry)
def step_bench_5shot(plan, data, dry): return _bench(plan, 5, dry)

def _cfg(data, **kw):
    from task_adapter_nb.config import make_config
    return make_config('demo', root=str(data), **kw)

def step_eval(plan, data, dry):
    from task_adapter_nb.bench_runs import bench_eval
    e = plan['eval']
    return dict(settings=e, **bench_eval(_cfg(data, **e['cfg']), n_episodes=e['episodes']))

def step_train(plan, data, dry):
    from task_adapter_nb.bench_runs import bench_train
    t = plan['train']
    return dict(settings=t, **bench_train(_cfg(data, **t['cfg']), episodes=t['episodes'], passes=t['passes']))

def _run(cmd, timeout, env=None, cwd=None):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)
    print(r.stdout[-3000:], end=''); print(r.stderr[-3000:], end='', file=sys.stderr)
    if r.returncode: raise RuntimeError(f"{' '.join(map(str, cmd[:8]))} ... exited {r.returncode}: {(r.stderr.strip().splitlines() or ['?'])[-1]}")
    return r

def step_ddp(plan, data, dry):
    "Two processes under torchrun against one process accumulating two episodes per step: the parameters after training, and the test."
    import torch
    d = plan['ddp']; ngpu = torch.cuda.device_count() if torch.cuda.is_available() else 0
    args = dict(preset='demo', root=str(data), pretrained='false', workers=0, temporal_embedding_at='input', precision='fp32',
                optimizer='sgd', lr=2.0, schedule='none', weight_decay=0.0, **d)  # plain SGD, as tests/test_training.py (why: see there)
    flags = lambda out, **kw: [f"--{k}={v}" for k, v in dict(args, out=str(out), **kw).items()]
    tmp = Path(tempfile.mkdtemp(prefix='gpu_check_ddp_'))
    env = dict(os.environ, OMP_NUM_THREADS='1')
    if ngpu >= 2: backend, devices, target = 'nccl', 'cuda:0 and cuda:1', ['-m', 'task_adapter_nb.cli']
    elif ngpu == 1: backend, devices, target = 'gloo', 'both processes on cuda:0 (one GPU here: NCCL refuses two ranks on one GPU)', [str(Path(__file__).resolve()), '--ddp-worker']
    else: backend, devices, target = 'gloo', 'cpu', [str(Path(__file__).resolve()), '--ddp-worker']  # (the dry run: the wrapper above, tested on CPU)
    from concurrent.futures import ThreadPoolExecutor
    def timed(cmd): t0 = time.time(); _run(cmd, 600, env); return round(time.time() - t0, 1)
    with ThreadPoolExecutor(2) as ex:  # the two at once: the start-up of three processes overlaps
        single = ex.submit(timed, [_py(), '-m', 'task_adapter_nb.cli', 'train', *flags(tmp/'single', accumulate=2)])
        ddp = ex.submit(timed, [_py(), '-m', 'torch.distributed.run', '--nproc_per_node=2', f'--master_port={_free_port()}', *target, 'train', *flags(tmp/'ddp')])
        single_s, ddp_s = single.result(), ddp.result()
    load = lambda p: torch.load(p, map_location='cpu', weights_only=False)['trainable']
    a, b = load(tmp/'single'/'last.pth'), load(tmp/'ddp'/'last.pth')
    err = max((a[k].float() - b[k].float()).abs().max().item() for k in a)
    moved = max(a[k].abs().max().item() for k in a if k.endswith('fc2.weight') and 'task_adapter' not in k)  # zero at initialisation
    ra, rb = (json.loads((tmp/x/'results.json').read_text()) for x in ('single', 'ddp'))
    shutil.rmtree(tmp, ignore_errors=True)
    return dict(backend=backend, devices=devices, gpus=ngpu, max_abs_diff=err, tolerance=DDP_TOL, reproduces=err < DDP_TOL and moved > 1e-3,
                adapters_moved=moved, same_test_episodes=ra['test_per_episode'] == rb['test_per_episode'], processes=[ra['processes'], rb['processes']],
                single_seconds=single_s, ddp_seconds=ddp_s, settings=args)

def step_study(plan, data, dry, jobs:int):
    "Study runs per hour at `jobs` parallel jobs: `jobs` runs (variants x seeds) of the study command, timed."
    s = plan['study']; nv = len(s['variants'].split(','))
    seeds = max(1, jobs // nv)
    out = Path(tempfile.mkdtemp(prefix=f'gpu_check_study{jobs}_'))
    cmd = [_py(), '-m', 'task_adapter_nb.cli', 'study', '--data', str(data), '--out', str(out), '--variants', s['variants'], '--seeds', f'0-{seeds - 1}',
           '--jobs', str(jobs), '--threads', str(s['threads']), '--episodes', str(s['episodes']), '--epochs', str(s['epochs']),
           '--val-episodes', str(s['val_episodes']), '--test-episodes', str(s['test_episodes']), '--shots', '1', '--precision', s['precision']]
    t0 = time.time(); _run(cmd, 3600); wall = time.time() - t0
    st = json.loads((out/'study.json').read_text()); shutil.rmtree(out, ignore_errors=True)
    n = len(st['runs'])
    return dict(jobs=jobs, runs=n, wall_seconds=round(wall, 1), study_seconds=st['seconds'], runs_per_hour=round(n / st['seconds'] * 3600, 1),
                runs_per_hour_wall=round(n / wall * 3600, 1), compute_seconds=st['compute_seconds'], compute_by_device=st['compute_by_device'],
                train_seconds=[r['train_seconds'] for r in st['runs']], precision=st['precision'],
                settings=dict(s, jobs=jobs, seeds=seeds), command=' '.join(map(str, cmd[1:])))

def _step_fn(name):
    if name.startswith('study_jobs'): return lambda plan, data, dry: step_study(plan, data, dry, int(name[len('study_jobs'):]))
    return globals()[f'step_{name}']

# ------------------------------------------------------------------------------------------------------------- parent

def _write(path:Path, rec:dict):
    tmp = path.with_name(f'.{path.name}.tmp'); tmp.write_text(json.dumps(rec, indent=1, default=str)); os.replace(tmp, path)

def _kill(p):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try: os.killpg(p.pid, sig)
        except ProcessLookupError: return
        try: p.wait(5); return
        except subprocess.TimeoutExpired: pass

def _run_step(name, limit, args, log:Path)->dict:
    "Run step `name` in a fresh process group with `limit` seconds; its output is appended to `log`."
    res = Path(tempfile.mkstemp(prefix=f'gpu_check_{name}_', suffix='.json')[1])
    cmd = [_py(), str(Path(__file__).resolve()), '--step', name, '--result', str(res), '--data', str(args.data), '--plan', args.plan_name]
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    if name == 'eval': env.setdefault('TASK_ADAPTER_MEMORY_CACHE_GB', '64')  # keep the whole evaluation cache, to measure it
    if args.plan_name == 'dry': env.setdefault('OMP_NUM_THREADS', '1')  # tiny tensors on a shared CPU: one thread each is several times faster
    t0 = time.time()
    with open(log, 'a') as f:
        f.write(f"\n===== {name} (limit {limit:.0f}s) =====\n"); f.flush()
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, start_new_session=True, cwd=str(REPO))
        try: rc = p.wait(limit); status = 'ok' if rc == 0 else 'failed'
        except subprocess.TimeoutExpired: _kill(p); rc, status = None, 'timeout'
        if status != 'timeout': _kill(p)  # whatever the step left behind (DataLoader workers, torchrun ranks)
    out = dict(status=status, seconds=round(time.time() - t0, 1), limit_s=round(limit), returncode=rc)
    try:
        got = json.loads(res.read_text())
        if 'error' in got: out['error'] = got['error']; out['status'] = 'failed'
        if 'result' in got: out['result'] = got['result']
    except (OSError, ValueError): pass
    if status == 'timeout': out['error'] = f"stopped after {limit:.0f}s (its time limit)"
    elif status == 'failed' and 'error' not in out:
        out['error'] = ''.join(open(log).readlines()[-3:]).strip()[-500:]
    res.unlink(missing_ok=True)
    return out

def summary(rec:dict)->list[str]:
    "The record as short lines: per step its status, then the figures."
    L, st = [], rec['steps']
    env = (st.get('env') or {}).get('result') or {}
    L.append(f"gpu check ({'dry run, CPU' if rec['dry_run'] else 'GPU'}): {', '.join(g['name'] for g in env.get('gpus', [])) or env.get('machine', {}).get('cpu')}, "
             f"torch {env.get('versions', {}).get('torch')}, CUDA {env.get('cuda')}, driver {env.get('driver')}")
    for name, s in st.items():
        L.append(f"[{s['status']:7s}] {name:12s} {s['seconds']:6.1f}s" + (f"  {s.get('error', '')[:200]}" if s['status'] != 'ok' else ''))
        r = s.get('result')
        if not r: continue
        if name.startswith('bench_'):
            L.append(f"    5-way {r['k_shot']}-shot on {r['device']}; 'reference' is the authors' layout in fp32 (TF32 {r['tf32']}); skipped: {r['skipped'] or 'none'}")
            L.append(f"    {'path':10s}{'prec':5s}{'step s':>8s}{'TFLOP/s':>8s}{'x ref':>6s}{'peak GB':>8s}{'max GB':>7s}{'x ref':>6s}{'eval s':>8s}{'x ref':>6s}"
                     "   (peak: above the model and inputs; max: torch.cuda.max_memory_allocated)")
            f = lambda d, k, w, p: format(d[k], f'{w}.{p}f') if d.get(k) is not None else format('-', f'>{w}')
            for row in r['rows']:
                t, e = row.get('train_step', {}), row.get('eval_episode', {})
                L.append(f"    {row['path']:10s}{row['precision']:5s}{f(t, 'seconds', 8, 3)}{f(t, 'tflops', 8, 2)}{f(t, 'vs_reference', 6, 2)}{f(t, 'peak_gb', 8, 2)}"
                         f"{f(t, 'max_allocated_gb', 7, 1)}{f(t, 'memory_vs_reference', 6, 2)}{f(e, 'seconds', 8, 3)}{f(e, 'vs_reference', 6, 2)}")
            L.append("    targets (train step, x the authors' fp32): " + '; '.join(f"{t['path']} {t['precision']} {t['ratio']} {t['value']} (<= {t['at_most']}: "
                     f"{'met' if t['met'] else 'missed' if t['met'] is not None else 'not measured'})" for t in r.get('targets', [])))
            for row in r['rows']:
                if row.get('train_step', {}).get('profile'):
                    L.append(f"    top ops, {row['path']} {row['precision']} (first step): " + ', '.join(f"{o['op']} {100 * o['share']:.0f}%" for o in row['train_step']['profile'][:4]))
        elif name == 'eval':
            c = r.get('cache') or {}
            L.append(f"    {r['settings']['episodes']} episodes: uncached {r['uncached']['episodes_per_s']} /s, cached {r['cached']['episodes_per_s']} /s "
                     f"({r['speedup']}x); cache: {c.get('videos')} videos, GPU {c.get('gpu_gb')} GB, host {c.get('host_gb')} GB; "
                     f"peak GPU uncached {r['uncached'].get('gpu_peak_gb')} GB, cached {r['cached'].get('gpu_peak_gb')} GB")
        elif name == 'train':
            for p in r['passes']:
                L.append(f"    pass {p['pass_']}: {p['episodes_per_s']} episodes/s, {p['gflops']} GFLOP/s, {p['precision']}, peak GPU {p.get('gpu_peak_gb')} GB")
        elif name == 'ddp':
            L.append(f"    {r['backend']} on {r['devices']}: max |single - DDP| = {r['max_abs_diff']:.2e} (tolerance {r['tolerance']:g}): "
                     f"{'reproduces' if r['reproduces'] else 'DOES NOT reproduce'}; same test episodes: {r['same_test_episodes']}")
        elif name.startswith('study_jobs'):
            L.append(f"    {r['runs']} runs at {r['jobs']} jobs ({r['precision']['name']}, {r['settings']['episodes']} episodes each): "
                     f"{r['runs_per_hour']} runs/hour ({r['runs_per_hour_wall']} counting start-up)")
    return L

def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ['--ddp-worker']:  # a torchrun rank on a machine with one GPU: join with gloo and share cuda:0, then run the command line as users do
        import torch, torch.distributed as dist
        if torch.cuda.is_available(): torch.cuda.set_device(0)
        dist.init_process_group('gloo')
        from task_adapter_nb.cli import main as cli_main
        return cli_main(argv[1:])  # (parsed here, `--out` and the like would be taken for this script's own)
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', help='the JSON record to write (rewritten after every step)')
    ap.add_argument('--dry-run', action='store_true', help='CPU, tiny architecture and sizes: the same steps in about a minute')
    ap.add_argument('--data', help='the synthetic benchmark (default: data/synth_gpucheck; dry run: a new tiny one in a temporary folder)')
    ap.add_argument('--steps', help=f"comma-separated subset of {','.join(STEPS)} (default: all)")
    ap.add_argument('--budget', type=float, help='seconds for all steps (default: 540 on a GPU); a step gets the smaller of its own limit and what is left')
    ap.add_argument('--step', help=argparse.SUPPRESS); ap.add_argument('--result', help=argparse.SUPPRESS); ap.add_argument('--plan', help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.step:  # a child: run one step, write {'result': ...} or {'error': ...}
        plan = PLANS[args.plan]
        try: got = dict(result=_step_fn(args.step)(plan, args.data, args.plan == 'dry'))
        except BaseException as e:
            traceback.print_exc(); got = dict(error=f"{type(e).__name__}: {str(e).strip().splitlines()[-1] if str(e).strip() else ''}"[:1000])
        Path(args.result).write_text(json.dumps(got, default=str)); return 0 if 'result' in got else 1
    if not args.out: ap.error('--out FILE is required')
    dry = args.dry_run
    args.plan_name = 'dry' if dry else 'gpu'; plan = PLANS[args.plan_name]
    out = Path(args.out).resolve(); out.parent.mkdir(parents=True, exist_ok=True)
    log = out.with_suffix('.log'); log.write_text('')
    tmpdata = None
    if args.data is None:
        if dry: tmpdata = Path(tempfile.mkdtemp(prefix='gpu_check_synth_')); args.data = tmpdata/'synth'
        else: args.data = REPO/'data'/'synth_gpucheck'
    args.data = Path(args.data).resolve()
    budget = args.budget or plan['budget']
    steps = list(STEPS)
    if args.steps: steps = [s for s in args.steps.split(',') if s]
    bad = [s for s in steps if s not in STEPS and not s.startswith('study_jobs')]
    if bad: ap.error(f"--steps: unknown {bad}, expected some of {STEPS}")
    steps = [x for s in steps for x in ([f'study_jobs{j}' for j in plan['study']['jobs']] if s == 'study' else [s])]
    cmd = os.environ.get('GPU_CHECK_COMMAND') or ' '.join(['tools/gpu_check.py', *argv])
    try: commit = subprocess.run(['git', 'rev-parse', 'HEAD'], capture_output=True, text=True, cwd=REPO, timeout=10).stdout.strip() or None
    except Exception: commit = None  # (the device machine's copy of the working tree has no .git)
    rec = dict(what='task_adapter_nb GPU check (issue 30)', dry_run=dry, command=cmd, commit=commit,
               started=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), budget_s=budget, data=str(args.data), plan=plan, notes=[], steps={})
    if dry: rec['notes'].append("dry run: CPU, tiny architecture and sizes; fp16 is not run (it needs CUDA), bf16 runs as CPU autocast; "
                                "the figures test the code paths, not the speed")
    t_start = time.time()
    for name in steps:
        left = budget - (time.time() - t_start)
        limit = min(plan['limits'].get(name.split('_jobs')[0], 150), left)
        if limit < 15: rec['steps'][name] = dict(status='skipped', seconds=0.0, error=f"no time left in the {budget:.0f}s budget")
        else:
            print(f"--- {name} (limit {limit:.0f}s)", flush=True)
            rec['steps'][name] = _run_step(name, limit, args, log)
        if name == 'ddp' and (r := rec['steps'][name].get('result')):
            rec['notes'].append(f"DDP: {r['backend']}, {r['devices']}")
        rec['seconds'] = round(time.time() - t_start, 1)
        _write(out, rec)
        for line in summary(dict(rec, steps={name: rec['steps'][name]}))[1:]: print(line, flush=True)
    print('\n'.join(summary(rec)))
    print(f"wrote {out} (log: {log})")
    if tmpdata: shutil.rmtree(tmpdata, ignore_errors=True)
    return 0 if all(s['status'] == 'ok' for s in rec['steps'].values()) else 1

if __name__ == '__main__': sys.exit(main())
