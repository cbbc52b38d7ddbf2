"Fuzz every Config option: each value is either accepted as what it means, or refused with one line naming the option."
import math, random
import pytest
from dataclasses import fields
from task_adapter_nb.config import Config, make_config, _AT_LEAST
from task_adapter_nb.checks import TRUE, FALSE

CHOICES = dict(mode=('task_adapter', 'finetune', 'frozen'), optimizer=('sgd', 'adamw'), schedule=('none', 'cosine'),
               precision=('auto', 'fp32', 'bf16'), task_scope=('separate', 'joint', 'cross'), metric=('cosine', 'sq_euclidean', 'otam'),
               temporal_embedding_at=('input', 'first_adapted'), task_init=('default', 'zero'))
FREE = {'root', 'train_split', 'val_split', 'test_split', 'backbone', 'out', 'cache_dir', 'frame_store'}  # paths and names: checked where used
POOL = [-7, -1, 0, 1, 2, 3, 8, 64, 10 ** 6, 2.5, 4.0, -0.5, 1e-3, float('nan'), float('inf'), True, False, '', ' ', '3', ' 5 ', '-2', '2.5', '1e-3',
        'abc', 'ture', 'True', 'no', 'nan', '∞', 'ｆｐ３２', 'fp32', 'bf16', 'fp8', 'adamw', 'joint', 'otam', 'first_adapted', [1], {'a': 1}]  # (None means 'not given' in make_config)

def sensible(name, kind, v):
    "What the option may be given: the oracle the fuzz test holds the code to."
    if v is None or isinstance(v, (list, dict)): return False
    if kind is bool: return isinstance(v, bool) or str(v).strip().lower() in TRUE + FALSE
    if kind is int:
        if isinstance(v, bool): return False
        try: x = float(v) if not isinstance(v, str) else int(v.strip())
        except ValueError: return False
        return x == int(x) and int(x) >= _AT_LEAST.get(name, -math.inf) if math.isfinite(x) else False
    if kind is float:
        if isinstance(v, bool): return False
        try: x = float(v)
        except (ValueError, TypeError): return False
        return math.isfinite(x) and (x > 0 if name == 'lr' else x >= _AT_LEAST.get(name, -math.inf))
    if name in CHOICES: return v in CHOICES[name]
    return True

def test_fuzz_every_option(tmp_path):
    rng = random.Random(0)
    kinds = {f.name: type(f.default) for f in fields(Config)}
    cases = [(n, v) for n in kinds if n not in FREE for v in POOL] + [(rng.choice([n for n in kinds if n not in FREE]), rng.choice(POOL)) for _ in range(200)]
    for name, v in cases:
        ok = sensible(name, kinds[name], v)
        kw = {name: v}
        if name == 'resize': kw['size'] = 8  # the size/resize relation is its own check
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
