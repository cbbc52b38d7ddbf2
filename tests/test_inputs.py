"Bad input fails fast with one line naming the option, file or value, and a non-zero exit: never a traceback, never a success on nonsense."
import json, pytest
from test_cli import run

def one_line_error(r, code=1):
    "The command failed with `code` and said why in one line (no traceback)."
    assert r.returncode == code, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    assert 'Traceback' not in r.stderr, r.stderr[-3000:]
    return r.stderr.strip().splitlines()[-1]

@pytest.fixture(scope='module')
def syn(tmp_path_factory):
    d = tmp_path_factory.mktemp('syn') / 'synth'
    assert run('synth', '--out', str(d), '--videos-per-class', '6', '--workers', '2').returncode == 0
    return d

def test_demo_unwritable_out(syn, tmp_path):
    (tmp_path / 'file').write_text('x')
    msg = one_line_error(run('demo', '--data', str(syn), '--out', str(tmp_path / 'file' / 'demo')))
    assert '--out' in msg and 'file/demo: cannot write there' in msg, msg

def test_demo_data_not_a_benchmark(tmp_path):
    d = tmp_path / 'mine'; d.mkdir(); (d / 'notes.txt').write_text('mine')
    msg = one_line_error(run('demo', '--data', str(d), '--out', str(tmp_path / 'demo')))
    assert 'mine: exists but holds no finished synthetic benchmark' in msg, msg
    assert (d / 'notes.txt').read_text() == 'mine'  # nothing of the user's touched

def test_demo_damaged_benchmark(syn, tmp_path):
    import shutil
    bad = tmp_path / 'bad'; shutil.copytree(syn, bad, ignore=shutil.ignore_patterns('videos', 'frames.*'))
    (bad / 'synth.json').write_text('{"config": ')
    msg = one_line_error(run('demo', '--data', str(bad), '--out', str(tmp_path / 'demo')))
    assert 'synth.json: damaged' in msg, msg

def test_interrupted_synth_build_is_redone(tmp_path):
    (tmp_path / 'syn.partial' / 'videos').mkdir(parents=True)  # what a killed build leaves
    assert run('synth', '--out', str(tmp_path / 'syn'), '--videos-per-class', '2', '--workers', '2').returncode == 0
    assert json.loads((tmp_path / 'syn' / 'synth.json').read_text())['config']['videos_per_class'] == 2
    assert not (tmp_path / 'syn.partial').exists()

@pytest.mark.parametrize('args, expect', [
    (['--epochs', '-1'], 'epochs=-1: expected an integer >= 1'),
    (['--episodes_per_epoch', '0'], 'episodes_per_epoch=0: expected an integer >= 1'),
    (['--val_episodes', '0'], 'val_episodes=0: expected an integer >= 1'),
    (['--save_every', '0'], 'save_every=0: expected an integer >= 1'),
    (['--test_episodes', '-3'], 'test_episodes=-3: expected an integer >= 0'),
])
def test_train_bad_counts(syn, tmp_path, args, expect):
    msg = one_line_error(run('train', '--preset', 'demo', '--root', str(syn), '--out', str(tmp_path / 'run'), *args))
    assert expect in msg, msg
    assert not (tmp_path / 'run' / 'results.json').exists()

def test_train_bad_bool(syn, tmp_path):
    r = run('train', '--preset', 'demo', '--root', str(syn), '--pretrained', 'ture', '--out', str(tmp_path / 'run'))
    assert r.returncode == 2 and "invalid true/false value: 'ture'" in r.stderr, r.stderr[-2000:]

TINY = ['--pretrained', 'false', '--epochs', '1', '--episodes_per_epoch', '2', '--val_episodes', '2', '--test_episodes', '2', '--workers', '0']

def test_finished_run_is_not_overwritten(syn, tmp_path):
    out = str(tmp_path / 'run')
    base = ['train', '--preset', 'demo', '--root', str(syn), '--out', out, *TINY]
    assert run(*base).returncode == 0
    before = (tmp_path / 'run' / 'results.json').read_text()
    msg = one_line_error(run(*base, '--seed', '3'))
    assert 'holds a run already' in msg and '--resume' in msg and '--overwrite' in msg, msg
    assert (tmp_path / 'run' / 'results.json').read_text() == before  # untouched
    msg = one_line_error(run(*base, '--resume', '--lr', '0.01', '--seed', '3'))
    assert "lr=0.003 there, 0.01 now" in msg and "seed=0 there, 3 now" in msg, msg
    assert run(*base, '--resume', '--workers', '1').returncode == 0  # a setting that does not change the result
    r = run(*base, '--overwrite', '--seed', '3')
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads((tmp_path / 'run' / 'results.json').read_text())['config']['seed'] == 3

def test_eval_damaged_checkpoint(tmp_path):
    ck = tmp_path / 'best.pth'; ck.write_bytes(b'\x80\x02garbage')
    msg = one_line_error(run('eval', '--checkpoint', str(ck)))
    assert 'best.pth: not a readable checkpoint' in msg, msg
    msg = one_line_error(run('eval', '--checkpoint', str(tmp_path / 'none.pth')))
    assert 'none.pth: no such checkpoint' in msg, msg

def _copy(syn, dst):
    import shutil
    shutil.copytree(syn, dst, ignore=shutil.ignore_patterns('frames.*'))
    return dst

def test_damaged_test_video_fails_before_training(syn, tmp_path):
    d = _copy(syn, tmp_path / 'syn')
    victim = sorted((d / 'videos').glob('*/*.mp4'))[0]
    test_classes = set(json.loads((d / 'synth.json').read_text())['classes']['test'])
    victim = next(p for p in sorted((d / 'videos').glob('*/*.mp4')) if p.parent.name in test_classes)
    victim.write_bytes(b'\x00' * 100)
    msg = one_line_error(run('train', '--preset', 'demo', '--root', str(d), '--frame_store', '', '--out', str(tmp_path / 'run'), *TINY[:-4],
                             '--test_episodes', '200', '--workers', '0'))
    assert victim.name in msg and 'cannot be read' in msg and 'validate' in msg, msg
    assert not (tmp_path / 'run' / 'last.pth').exists()  # nothing trained

def test_damaged_training_video_keeps_a_checkpoint(syn, tmp_path):
    from task_adapter_nb.splits import read_split
    from task_adapter_nb.episodes import EpisodeSampler
    d = _copy(syn, tmp_path / 'syn')
    ep = EpisodeSampler(read_split(d / 'splits/trainlist.txt'), 5, 1, 3, seed=0)[3]  # the demo preset's 4th training episode
    victim = d / 'videos' / ep.classes[0] / f'{ep.support[0][0]}.mp4'
    victim.write_bytes(b'\x00' * 100)
    out = tmp_path / 'run'
    msg = one_line_error(run('train', '--preset', 'demo', '--root', str(d), '--frame_store', '', '--out', str(out), '--pretrained', 'false',
                             '--epochs', '1', '--episodes_per_epoch', '6', '--val_episodes', '2', '--test_episodes', '2', '--workers', '2'))
    assert victim.name in msg and 'training stopped after episode 3' in msg, msg
    # the exact command that finishes the run once the video is repaired
    assert msg.endswith(f"then continue with: task-adapter train --preset demo --root {d} --frame_store '' --out {out} --pretrained false "
                        "--epochs 1 --episodes_per_epoch 6 --val_episodes 2 --test_episodes 2 --workers 2 --resume"), msg
    assert (out / 'last.pth').exists()

def test_odd_files_in_video_folders(syn, tmp_path):
    "Files a split does not name (system files, notes, partial downloads, stray folders) are ignored; a named video is found beside them."
    d = _copy(syn, tmp_path / 'syn')
    cls = sorted(p for p in (d / 'videos').iterdir() if p.is_dir())[0]
    for name in ('.DS_Store', 'notes.txt', 'Thumbs.db', 'x.mp4.part'): (cls / name).write_bytes(b'\x00junk')
    (cls / 'stray_folder').mkdir(); (d / 'videos' / '._hidden').write_text('x')
    r = run('validate', '--split', str(d / 'splits/trainlist.txt'), '--root', str(d / 'videos'))
    assert r.returncode == 0 and 'OK: every episode can be built' in r.stdout, r.stdout + r.stderr

def test_split_file_encodings(syn, tmp_path):
    "A split saved by a Windows editor (byte-order mark, CRLF) reads as written; one that is not UTF-8 is refused in one line naming the file and line."
    lines = (syn / 'splits/testlist.txt').read_text().splitlines()
    win = tmp_path / 'win.txt'; win.write_bytes(('\ufeff' + '\r\n'.join(l + '  ' for l in lines) + '\r\n').encode())
    r = run('validate', '--split', str(win), '--root', str(syn / 'videos'), '--no_decode')
    assert r.returncode == 0 and 'OK: every episode can be built' in r.stdout, r.stdout + r.stderr
    bad = tmp_path / 'latin1.txt'; bad.write_bytes(('\n'.join(lines[:3]) + '\ncaf\u00e9/v1\n').encode('latin-1'))
    msg = one_line_error(run('validate', '--split', str(bad), '--root', str(syn / 'videos')))
    assert 'latin1.txt:4: not UTF-8 text (byte 0xe9)' in msg, msg

def test_yaml_root_is_honoured_under_demo(syn, tmp_path):
    "A YAML file's `root:` names the benchmark under `--preset demo` (it was ignored: the run trained on ./data/synth)."
    y = tmp_path / 'run.yaml'; y.write_text(f"root: {syn}\n")
    r = run('train', '--preset', 'demo', '--config', str(y), '--frame_store', '', '--out', str(tmp_path / 'run'), *TINY, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-2000:]
    cfg = json.loads((tmp_path / 'run' / 'results.json').read_text())['config']
    assert (cfg['root'], cfg['train_split'], cfg['test_split']) == (str(syn / 'videos'), str(syn / 'splits/trainlist.txt'), str(syn / 'splits/testlist.txt')), cfg
    assert not (tmp_path / 'data').exists()  # nothing made or read at the working directory's default

def test_missing_split_file_says_how_to_get_it(syn, tmp_path):
    msg = one_line_error(run('train', '--root', str(syn / 'videos'), '--train_split', str(tmp_path / 'trainlist03.txt'), '--val_split', str(syn / 'splits/vallist.txt'),
                             '--test_split', str(syn / 'splits/testlist.txt'), '--out', str(tmp_path / 'run'), *TINY))
    assert 'trainlist03.txt: split file not found' in msg and 'task-adapter splits download BENCH --out DIR' in msg, msg
