"Every dataset layout of 06_layouts through the command line, as a researcher runs it: validate, train, then eval, each with a tiny budget."
import json, contextlib, io, shutil
from pathlib import Path
import pytest
from task_adapter_nb.cli import main
from task_adapter_nb.layouts import write_layouts
from task_adapter_nb.splits import read_split

TINY = ['--backbone', 'vit_tiny_synth', '--pretrained', 'false', '--size', '32', '--resize', '32', '--num_frames', '4', '--adapted_blocks', '1',
        '--n_way', '2', '--k_shot', '1', '--n_query', '1', '--epochs', '1', '--episodes_per_epoch', '2', '--val_episodes', '2',
        '--test_episodes', '6', '--workers', '0', '--precision', 'fp32', '--seed', '0']

def cli(*argv):
    "Run `task-adapter ARGV` in this process: (exit code, stdout, stderr)."
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err): rc = main([str(a) for a in argv])
    return rc, out.getvalue(), err.getvalue()

@pytest.fixture(scope='module')
def lay(tmp_path_factory):
    return write_layouts(tmp_path_factory.mktemp('layouts'))

def result_of(stdout):
    "The result file `eval` says it wrote (its last line: 'wrote FILE'), read."
    return json.loads(Path([l for l in stdout.splitlines() if l.startswith('wrote ')][-1][len('wrote '):]).read_text())

def splits_args(d): return ['--root', d['root'], '--train_split', d['train'], '--val_split', d['val'], '--test_split', d['test']]

def train_then_eval(d, out):
    rc, o, e = cli('validate', '--split', d['train'], '--root', d['root'], '--n_way', 2, '--k_shot', 1)
    assert rc == 0 and 'OK: every episode can be built' in o, o + e
    rc, o, e = cli('train', *splits_args(d), '--out', out, *TINY)
    assert rc == 0, e[-2000:]
    assert json.loads((out/'results.json').read_text())['test']['episodes'] == 6
    rc, o, e = cli('eval', '--checkpoint', out/'best.pth')
    assert rc == 0 and '2-way 1-shot:' in o, e[-2000:]
    return result_of(o)

@pytest.mark.parametrize('name', ['trx', 'ffmpeg', 'ssv2', 'ucf101', 'hmdb51'])
def test_layout_validate_train_eval(lay, name, tmp_path):
    r = train_then_eval(lay[name], tmp_path/'run')
    assert r['episodes'] == 6 and len(r['per_episode']) == 6

def test_kinetics_missing_videos_filtered_then_trained(lay, tmp_path):
    d = dict(lay['kinetics'])
    rc, o, e = cli('validate', '--split', d['train'], '--root', d['root'], '--n_way', 2, '--k_shot', 1)
    assert rc == 1 and 'missing (2):' in o and all(m in o for m in d['missing']), o
    rc, o, e = cli('validate', '--split', d['train'], '--root', d['root'], '--n_way', 2, '--k_shot', 1, '--write_filtered', tmp_path/'train_ok.txt')
    assert rc == 0 and f"wrote {tmp_path/'train_ok.txt'}: 7 of 9 videos" in o, o + e
    assert not {e.rel for e in read_split(tmp_path/'train_ok.txt').entries} & set(d['missing'])
    d['train'] = tmp_path/'train_ok.txt'
    train_then_eval(d, tmp_path/'run')

def test_frame_folder_copy_agrees_with_its_mp4(lay, tmp_path):
    "One checkpoint trained on the MP4s, evaluated on the same test episodes read from the MP4s and from their JPEG frame-folder copies."
    r_mp4 = train_then_eval(lay['mp4'], tmp_path/'run')
    for name in ('trx', 'ffmpeg'):
        d = lay[name]
        rc, o, e = cli('eval', '--checkpoint', tmp_path/'run/best.pth', '--root', d['root'], '--test_split', d['test'], '--out', tmp_path/name)
        assert rc == 0, e[-2000:]
        r = result_of(o)
        agree = sum(a == b for a, b in zip(r['per_episode'], r_mp4['per_episode'])) / len(r['per_episode'])
        print(f"{name}: accuracy {r['accuracy']:.1f} vs MP4 {r_mp4['accuracy']:.1f}, per-episode agreement {agree:.0%}")
        assert agree >= 5 / 6, (r['per_episode'], r_mp4['per_episode'])

def test_demo_preset_on_frame_folders_with_store(lay, tmp_path):
    "The issue's command: `train --preset demo --root R` on the authors' frame-folder layout builds its frame store from the folders, beside the data."
    root = lay['trx']['root'].parent
    rc, o, e = cli('train', '--preset', 'demo', '--root', root, '--out', tmp_path/'run', *TINY)
    assert rc == 0, e[-2000:]
    assert (root/'frames.u8').exists() and 'frame store: 27 videos' in o, o
    rc, o, e = cli('eval', '--checkpoint', tmp_path/'run/best.pth')
    assert rc == 0, e[-2000:]

def test_corrupt_frame_fails_before_training(lay, tmp_path):
    "A corrupt JPEG in a test video's frame folder: validate names it, and train stops before training, in one line naming the file."
    d = {k: v for k, v in lay['trx'].items()}
    root = tmp_path/'trx'; shutil.copytree(d['root'], root)
    e0 = read_split(d['test']).entries[0]
    bad = root/e0.cls/e0.video/'img_00003.jpg'; bad.write_bytes(bad.read_bytes()[:100])
    rc, o, e = cli('validate', '--split', d['test'], '--root', root, '--n_way', 2, '--k_shot', 1)
    assert rc == 1 and f"{bad}: cannot decode this frame image" in o, o
    rc, o, e = cli('train', '--root', root, '--train_split', d['train'], '--val_split', d['val'], '--test_split', d['test'],
                   '--out', tmp_path/'run', *TINY[:-6], '--test_episodes', '200', '--precision', 'fp32')
    assert rc == 1 and 'img_00003.jpg: cannot decode this frame image' in e and len(e.strip().splitlines()) == 1, e[-3000:]
    assert not (tmp_path/'run'/'last.pth').exists()

def test_cache_dir_follows_changed_videos(lay, tmp_path):
    "After the test videos change under the same names, `eval --cache_dir` gives what `--no_cache` gives, not the old tokens' result."
    src = lay['mp4']['root'].parent; shutil.copytree(src, tmp_path/'mp4')
    d = dict(root=tmp_path/'mp4/videos', **{s: tmp_path/'mp4/splits'/f'{s}list.txt' for s in ('train', 'val', 'test')})
    train_then_eval(d, tmp_path/'run')
    ev = lambda *a: cli('eval', '--checkpoint', tmp_path/'run/best.pth', '--test_episodes', 12, '--out', tmp_path/'ev', *a)
    rc, o, e = ev('--cache_dir', tmp_path/'cache'); assert rc == 0, e[-2000:]
    old = result_of(o)['per_episode']
    vids = sorted(d['root'].glob('*/*.mp4')); blobs = [p.read_bytes() for p in vids]
    for p, b in zip(vids, blobs[3:] + blobs[:3]): p.write_bytes(b)  # every video rendered "again": another class's clip under each name
    rc, o, e = ev('--cache_dir', tmp_path/'cache'); assert rc == 0, e[-2000:]
    cached = result_of(o)['per_episode']
    rc, o, e = ev('--no_cache'); assert rc == 0, e[-2000:]
    fresh = result_of(o)['per_episode']
    assert cached == fresh and cached != old, (old, cached, fresh)

def test_corrupt_frame_fails_when_the_store_is_built(lay, tmp_path):
    "With the demo preset's frame store, a corrupt JPEG stops the build in one line naming the file, before any training."
    root = tmp_path/'trx'; shutil.copytree(lay['trx']['root'].parent, root, ignore=shutil.ignore_patterns('frames.*'))
    e0 = read_split(root/'splits/trainlist.txt').entries[1]
    bad = root/'videos'/e0.cls/e0.video/'img_00002.jpg'; bad.write_bytes(b'\xff\xd8\xff\xe0 truncated')
    rc, o, e = cli('train', '--preset', 'demo', '--root', root, '--out', tmp_path/'run', *TINY)
    assert rc == 1 and f"{bad}: cannot decode this frame image" in e and len(e.strip().splitlines()) == 1, e[-3000:]
    assert not (root/'frames.u8').exists() and not (tmp_path/'run'/'last.pth').exists()

@pytest.mark.parametrize('name', ['trx', 'ffmpeg', 'ssv2', 'ucf101'])
def test_bench_data_on_layout(lay, name):
    "`bench data` times decoding and the clip pipeline on each layout (frame folders read as images, videos with decord)."
    d = lay[name]
    rc, o, e = cli('bench', 'data', '--root', d['root'], '--split', d['test'], '--n_clips', 4, '--repeats', 1, '--size', 32, '--resize', 32)
    assert rc == 0, e[-2000:]
    assert 'raw decoding' in o and 'pipeline' in o, o
