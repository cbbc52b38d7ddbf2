"Fuzz every Config option: each value is either accepted as what it means, or refused with one line naming the option."
import math, random
import pytest
from dataclasses import fields
from task_adapter_nb.config import Config, make_config, AT_LEAST as CODE_MINIMA
from task_adapter_nb.checks import TRUE, FALSE

CHOICES = dict(mode=('task_adapter', 'finetune', 'frozen'), optimizer=('sgd', 'adamw'), schedule=('none', 'cosine'),
               precision=('auto', 'fp32', 'bf16'), task_scope=('separate', 'joint', 'cross'), metric=('cosine', 'sq_euclidean', 'otam'),
               temporal_embedding_at=('input', 'first_adapted'), task_init=('default', 'zero'))
# the smallest value of each numeric option, from what the option means (Config's field comments, 13_model, 15_config); the oracle's own, not the code's
MINIMA = dict(num_frames=1,  # frames sampled per video: at least one
              size=8, resize=8,  # one patch of the smallest-patched backbone the package ships (vit_tiny_synth: 8-pixel patches); resize >= size
              n_way=2,  # a 1-way episode is always right: it measures nothing
              k_shot=1, n_query=1, eval_n_query=1,  # at least one support and one query video per class
              adapted_blocks=0,  # M = 0: no adapters
              epochs=1, episodes_per_epoch=1, accumulate=1,  # training trains at least one episode; one episode per optimiser step at least
              val_episodes=1,  # the checkpoint is selected on val: at least one episode
              test_episodes=0,  # 0: no test at the end of training
              seed=0, workers=0,  # workers=0: loading in the main process
              save_every=1,  # a checkpoint every this many episodes
              lr=0., momentum=0., weight_decay=0., block_lr=0.,  # rates and coefficients are not negative (lr = 0 is refused on its own: it must be > 0; block_lr = 0 means `lr`)
              warmup=0)  # 0 steps: no warm-up

def test_minima_are_the_documented_ones():
    "The code's minima (`config.AT_LEAST`) are the ones the options' meanings give, one for each numeric option."
    numeric = {f.name for f in fields(Config) if type(f.default) in (int, float)}
    assert set(MINIMA) == numeric, f"numeric options without a stated minimum: {sorted(numeric - set(MINIMA))}; minima of no option: {sorted(set(MINIMA) - numeric)}"
    diff = {k: (CODE_MINIMA.get(k), v) for k, v in MINIMA.items() if CODE_MINIMA.get(k) != v or type(CODE_MINIMA.get(k)) is not type(v)}
    assert not diff and set(CODE_MINIMA) == set(MINIMA), f"minima that differ, option: (code, expected): {diff}; code-only: {sorted(set(CODE_MINIMA) - set(MINIMA))}"

FREE = {'root', 'train_split', 'val_split', 'test_split', 'backbone', 'out', 'cache_dir', 'frame_store', 'backbone_weights', 'class_names', 'text_features'}  # paths and names: checked where used
POOL = [-7, -1, 0, 1, 2, 3, 8, 64, 10 ** 6, 2.5, 4.0, -0.5, 1e-3, float('nan'), float('inf'), True, False, '', ' ', '3', ' 5 ', '-2', '2.5', '1e-3',
        'abc', 'ture', 'True', 'no', 'nan', '∞', 'ｆｐ３２', 'fp32', 'bf16', 'fp8', 'adamw', 'joint', 'otam', 'first_adapted', [1], {'a': 1}]  # (None means 'not given' in make_config)

def sensible(name, kind, v):
    "What the option may be given: the oracle the fuzz test holds the code to."
    if v is None or isinstance(v, (list, dict)): return False
    if name == 'text_factor': return v is False or (not isinstance(v, bool) and str(v).strip().lower() in FALSE)  # true needs text embeddings (tests/test_weights.py)
    if kind is bool: return isinstance(v, bool) or str(v).strip().lower() in TRUE + FALSE
    if kind is int:
        if isinstance(v, bool): return False
        try: x = float(v) if not isinstance(v, str) else int(v.strip())
        except ValueError: return False
        if name == 'size' and math.isfinite(x) and x % 16: return False  # the default backbone cuts frames into 16x16 patches
        if name == 'resize' and math.isfinite(x) and x < 16: return False  # below the size the test pairs it with
        return x == int(x) and int(x) >= MINIMA.get(name, -math.inf) if math.isfinite(x) else False
    if kind is float:
        if isinstance(v, bool): return False
        try: x = float(v)
        except (ValueError, TypeError): return False
        return math.isfinite(x) and (x > 0 if name == 'lr' else x >= MINIMA.get(name, -math.inf))
    if name in CHOICES: return v in CHOICES[name]
    return True

def test_fuzz_every_option(tmp_path):
    rng = random.Random(0)
    kinds = {f.name: type(f.default) for f in fields(Config)}
    cases = [(n, v) for n in kinds if n not in FREE for v in POOL] + [(rng.choice([n for n in kinds if n not in FREE]), rng.choice(POOL)) for _ in range(200)]
    for name, v in cases:
        ok = sensible(name, kinds[name], v)
        kw = {name: v}
        if name == 'resize': kw['size'] = 16  # the size/resize relation is its own check (16: the default backbone's patch)
        if name == 'size': kw['resize'] = 10 ** 6
        try: c = make_config(root=str(tmp_path), **kw)
        except (ValueError, FileNotFoundError) as e:
            msg = str(e)
            assert not ok, f"{name}={v!r} refused: {msg}"
            assert '\n' not in msg and name in msg, f"{name}={v!r}: {msg!r}"
            continue
        assert ok, f"{name}={v!r} accepted as {getattr(c, name)!r}"
        assert isinstance(getattr(c, name), kinds[name]), (name, v, getattr(c, name))

@pytest.mark.parametrize('text', ['epochs: -1', 'pretrained: ture', 'lr: fast', 'n_way: 1', 'mode: [a, b]'])
def test_yaml_values_are_checked_too(tmp_path, text):
    y = tmp_path / 'run.yaml'; y.write_text(text)
    with pytest.raises(ValueError) as e: make_config(yaml_file=str(y))
    assert text.split(':')[0] in str(e.value) and '\n' not in str(e.value)

# ---- every command's options, as typed on the command line (issue 27): refused in one line before any work, or accepted
import contextlib, inspect, io
from task_adapter_nb import cli

TYPED = ['-7', '-1', '0', '1', '2', '3', '8', '63', '64', '1000000', '2.5', '4.0', '-0.5', '1e-3', 'nan', 'inf', '-inf', '', ' ', ' 5 ', 'abc', 'ture', '∞', '0x10']

class Accepted(Exception): "Raised after the options passed the validation layer: the command itself never runs in this test."

def typed_ok(command, name, kind, minimum, s):
    "The oracle: what argparse and the validation layer must accept."
    try: v = kind(s)
    except ValueError: return False
    if not math.isfinite(v): return False
    if minimum is not None and v < minimum: return False
    if (command, name) in (('synth', 'size'), ('demo', 'episodes')): return v % 2 == 0
    if (command, name) == ('bench data', 'repeats'): return v >= 1  # `bench data` times the best of at least one run
    if command == 'bench data' and name in ('size', 'resize'): return v <= 64 if name == 'size' else v >= 64  # crop within the resize (both 64 by default)
    return True

def typed_cases():
    for command, minima in cli.OPTION_MINIMA.items():
        params = inspect.signature(cli.COMMANDS[command]).parameters
        for name, lo in minima.items(): yield command, name, {'int': int, 'float': float}[params[name].annotation], lo
    for f in fields(Config):  # eval takes the Config fields in EVAL_OPTIONS over the checkpoint's own: the numeric ones must be what Config accepts
        if type(f.default) in (int, float) and f.name in cli.EVAL_OPTIONS: yield 'eval', f.name, type(f.default), MINIMA[f.name]

def test_fuzz_every_command_option(monkeypatch):
    check = cli.check_options
    def stop(name, args): check(name, args); raise Accepted
    monkeypatch.setattr(cli, 'check_options', stop)
    rng = random.Random(1)
    cases = [(c, n, k, lo, s) for c, n, k, lo in typed_cases() for s in TYPED]
    assert {c for c, *_ in cases} >= {'synth', 'pretrain', 'bench data', 'bench model', 'bench eval', 'bench train', 'study', 'eval', 'validate', 'demo'}
    for command, name, kind, lo, s in cases + [(*rng.choice(list(typed_cases())), rng.choice(TYPED)) for _ in range(100)]:
        ok = typed_ok(command, name, kind, lo, s)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try: rc = cli.main([*command.split(), f'--{name}={s}'] + (['--checkpoint', 'x.pth'] if command == 'eval' else []))
            except Accepted: rc = 0
            except SystemExit as e: rc = e.code
        lines = err.getvalue().strip().splitlines()
        if ok: assert rc == 0, f"{command} --{name}={s!r} refused: {err.getvalue()}"
        else:
            assert rc not in (0, None), f"{command} --{name}={s!r} accepted"
            assert len(lines) == 1 and 'Traceback' not in err.getvalue() and name.replace('_', '') in lines[0].replace('_', '').replace('-', ''), (command, name, s, err.getvalue())

@pytest.mark.parametrize('text', ['lr: [1\n', 'lr: 1\n---\nlr: 2\n', 'lr: !!python/object/apply:os.system ["echo pwned"]\n', 'a: b: c\n'])
def test_yaml_syntax_is_one_line_too(tmp_path, text):
    y = tmp_path / 'run.yaml'; y.write_text(text)
    with pytest.raises(ValueError) as e: make_config(yaml_file=str(y))
    assert str(e.value).startswith(f"{y}: not a YAML file of options (") and '\n' not in str(e.value), str(e.value)
