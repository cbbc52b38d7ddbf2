"Backbone weights without a hub, sizes a backbone cannot take, and the released code's text factor, through files and the CLI."
import os, subprocess, sys, time, warnings
from pathlib import Path
import pytest, torch, torch.nn as nn, torch.nn.functional as F
import timm
from timm.models import register_model
from safetensors.torch import save_file
from task_adapter_nb.backbone import create_backbone, read_weights
from task_adapter_nb.reference import RefVisionTransformer, reference_logits
from task_adapter_nb.config import Config, make_config, build_model
from task_adapter_nb.splits import read_split
from task_adapter_nb.synth import make_synth
from task_adapter_nb import cli

TINY_CLIP = dict(img_size=32, patch_size=8, embed_dim=128, depth=4, num_heads=2, num_classes=32)  # the reference's 'tiny' tower

@register_model
def vit_tiny_clip_test(pretrained=False, **kw):
    "A tiny CLIP-style image tower (pre-norm, QuickGELU, projection to 32) with a name `Config` can carry."
    for k in ('pretrained_cfg', 'pretrained_cfg_overlay', 'cache_dir'): kw.pop(k, None)
    return timm.create_model('vit_base_patch16_clip_quickgelu_224', pretrained=False, **{**TINY_CLIP, **kw})

class FakeCLIP(nn.Module):
    "A module whose state dict is exactly `tensors`; traced and saved, it is a TorchScript archive like OpenAI's ViT-B-16.pt."
    def __init__(self, tensors):
        super().__init__()
        for k, v in tensors.items():
            *path, leaf = k.split('.'); m = self
            for p in path:
                if not hasattr(m, p): m.add_module(p, nn.Module())
                m = getattr(m, p)
            m.register_parameter(leaf, nn.Parameter(v.clone(), requires_grad=False))
    def forward(self, x): return x

def openai_archive(path, ref:RefVisionTransformer)->dict:
    "Save the reference tower's CLIP weights under `visual.`, beside text-tower tensors, as OpenAI ships them; return the visual ones."
    visual = {'visual.' + k: v for k, v in ref.state_dict().items() if 'adapter' not in k and k != 'temporal_embedding'}
    text = {'token_embedding.weight': torch.randn(49, 32), 'positional_embedding': torch.randn(77, 32), 'transformer.resblocks.0.attn.in_proj_weight': torch.randn(96, 32),
            'ln_final.weight': torch.ones(32), 'text_projection': torch.randn(32, 32), 'logit_scale': torch.tensor(4.6)}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore'); torch.jit.trace(FakeCLIP({**visual, **text}), torch.zeros(1)).save(str(path))
    trust(path)
    return visual

def trust(path):
    "Name a TorchScript file made here as trusted (a user does this for a file they trust that is not OpenAI's own)."
    from task_adapter_nb.backbone import TRUST_ENV, _sha256
    os.environ[TRUST_ENV] = ','.join(filter(None, [os.environ.get(TRUST_ENV, ''), _sha256(Path(path))]))

def test_untrusted_torchscript_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    from task_adapter_nb.backbone import TRUST_ENV
    openai_archive(tmp_path / 'ViT-B-16.pt', tiny_ref())
    monkeypatch.delenv(TRUST_ENV)  # the same archive, not named as trusted: torch.jit.load would run the code inside it
    with pytest.raises(ValueError, match="not one of OpenAI's published CLIP files .*opening it runs the code inside it.*TASK_ADAPTER_TRUSTED_WEIGHTS="):
        read_weights(tmp_path / 'ViT-B-16.pt')

def expected_timm(k:str, v:torch.Tensor):
    "Where OpenAI's visual tensor `k` must land in a timm ViT, and as what (the test's own statement of the layout)."
    k = k.removeprefix('visual.')
    if k == 'class_embedding': return 'cls_token', v.view(1, 1, -1)
    if k == 'positional_embedding': return 'pos_embed', v[None]
    if k == 'proj': return 'head.weight', v.T
    names = {'conv1.weight': 'patch_embed.proj.weight', 'ln_pre.weight': 'norm_pre.weight', 'ln_pre.bias': 'norm_pre.bias', 'ln_post.weight': 'norm.weight', 'ln_post.bias': 'norm.bias'}
    if k in names: return names[k], v
    i, rest = k.removeprefix('transformer.resblocks.').split('.', 1)
    rest = {'attn.in_proj_weight': 'attn.qkv.weight', 'attn.in_proj_bias': 'attn.qkv.bias', 'attn.out_proj.weight': 'attn.proj.weight', 'attn.out_proj.bias': 'attn.proj.bias',
            'ln_1.weight': 'norm1.weight', 'ln_1.bias': 'norm1.bias', 'ln_2.weight': 'norm2.weight', 'ln_2.bias': 'norm2.bias', 'mlp.c_fc.weight': 'mlp.fc1.weight',
            'mlp.c_fc.bias': 'mlp.fc1.bias', 'mlp.c_proj.weight': 'mlp.fc2.weight', 'mlp.c_proj.bias': 'mlp.fc2.bias'}[rest]
    return f'blocks.{i}.{rest}', v

def tiny_ref(seed=0)->RefVisionTransformer:
    torch.manual_seed(seed)
    return RefVisionTransformer(res=32, patch=8, width=128, layers=4, heads=2, out=32, T=4, M=2).eval()

def test_timm_pth_and_safetensors_load_every_weight_exactly(tmp_path):
    src = timm.create_model('vit_tiny_patch16_224', pretrained=False, img_size=32, depth=2)  # an ImageNet ViT: its classifier is dropped
    torch.save(src.state_dict(), tmp_path / 'w.pth'); save_file(src.state_dict(), str(tmp_path / 'w.safetensors'))
    torch.save({'state_dict': {'module.' + k: v for k, v in src.state_dict().items()}}, tmp_path / 'wrapped.pth')
    for f in ('w.pth', 'w.safetensors', 'wrapped.pth'):
        m = create_backbone('vit_tiny_patch16_224', weights=tmp_path / f, img_size=32, depth=2)
        got = m.state_dict()
        assert set(got) == {k for k in src.state_dict() if not k.startswith('head.')}
        for k, v in got.items(): assert torch.equal(v, src.state_dict()[k]), (f, k)
        assert not any(p.requires_grad for p in m.parameters())

def test_openai_torchscript_lands_every_weight_exactly(tmp_path):
    visual = openai_archive(tmp_path / 'ViT-B-16.pt', tiny_ref())
    assert all(k.startswith('visual.') for k in visual) and len(read_weights(tmp_path / 'ViT-B-16.pt')) == len(visual) + 6
    m = create_backbone('vit_tiny_clip_test', weights=tmp_path / 'ViT-B-16.pt')
    got = m.state_dict()
    landed = set()
    for k, v in visual.items():
        name, want = expected_timm(k, v)
        assert torch.equal(got[name], want), k
        landed.add(name)
    assert set(got) - landed == {'head.bias'} and torch.equal(got['head.bias'], torch.zeros(32))  # OpenAI's projection has no bias

def test_weights_file_errors_are_one_line(tmp_path):
    (tmp_path / 'junk.pth').write_bytes(b'\x00not a checkpoint')
    torch.save({'note': 'no tensors'}, tmp_path / 'empty.pth')
    for f, msg in [('missing.pt', 'missing.pt: no such weights file (--backbone_weights)'), ('junk.pth', 'junk.pth: not a weights file that can be read safely'),
                   ('empty.pth', 'empty.pth: holds no named tensors')]:
        with pytest.raises((ValueError, OSError), match=msg.replace('(', r'\(').replace(')', r'\)')) as e: create_backbone('vit_tiny_clip_test', weights=tmp_path / f)
        assert '\n' not in str(e.value)

def test_cli_refuses_a_size_or_model_it_cannot_take_before_any_work(capsys, tmp_path):
    for argv, msg in [(['--size', '60', '--resize', '64'], "size=60: vit_base_patch16_clip_quickgelu_224.openai cuts frames into 16x16 patches, so --size must be a multiple of 16"),
                      (['--backbone', 'eva02_tiny_patch14_224.mim_in22k'], "eva02_tiny_patch14_224.mim_in22k: a timm Eva, not a VisionTransformer"),
                      (['--backbone', 'vit_small_patch14_dinov2.lvd142m', '--size', '220', '--resize', '257'], "size=220: vit_small_patch14_dinov2.lvd142m cuts frames into 14x14 patches"),
                      (['--backbone_weights', str(tmp_path / 'nope.pt')], "backbone_weights='")]:
        t0 = time.time()
        assert cli.main(['train', '--root', str(tmp_path / 'no_data'), *argv]) == 1
        err = capsys.readouterr().err
        assert err.count('\n') == 1 and msg in err, err
        assert time.time() - t0 < 20

def test_dinov2_at_another_size_is_built_for_it():
    cfg = make_config(backbone='vit_small_patch14_dinov2.lvd142m', pretrained=False, size=56, resize=64, num_frames=2, adapted_blocks=1)
    m = build_model(cfg)
    assert m.encoder.vit.patch_embed.img_size == (56, 56) and m.encoder.vit.pos_embed.shape[1] == 16 + 1
    with torch.no_grad(): logits = m(torch.randn(2, 2, 3, 56, 56), torch.tensor([0, 1]), torch.randn(2, 2, 3, 56, 56), 2)
    assert logits.shape == (2, 2)

def test_hub_failure_is_one_line_and_fast(tmp_path):
    env = {**os.environ, 'HF_HUB_OFFLINE': '1', 'HF_HOME': str(tmp_path / 'empty_hf_home')}
    # the model is built from the hub only after the data checks; build it directly as `train` does
    code = ("import sys\nfrom task_adapter_nb.config import make_config, build_model\ntry: build_model(make_config(backbone='vit_tiny_patch16_224.augreg_in21k', size=224))\n"
            "except OSError as e: print(e, file=sys.stderr); sys.exit(1)")
    t0 = time.time()
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env, timeout=300)
    took = time.time() - t0
    assert r.returncode == 1, r.stderr[-2000:]
    err = r.stderr.strip()
    assert '\n' not in err, err
    for part in ("vit_tiny_patch16_224.augreg_in21k: cannot get its pretrained weights from the Hugging Face hub, repository timm/vit_tiny_patch16_224.augreg_in21k",
                 "--backbone_weights PATH", "HF_HOME=DIR HF_HUB_OFFLINE=1"): assert part in err, err
    assert took < 60, f"the offline failure took {took:.0f} s"

def test_text_factor_from_config_equals_authors_layout(tmp_path):
    "Backbone from an OpenAI-layout TorchScript file, text embeddings from a file: our logits equal the reference's with the text factor."
    ref = tiny_ref()
    openai_archive(tmp_path / 'ViT-B-16.pt', ref)
    names = ['climb', 'dive', 'golf', 'kick', 'ride', 'swim']
    text = torch.randn(6, 32)
    torch.save(dict(zip(names, text)), tmp_path / 'text.pt')
    cfg = make_config(backbone='vit_tiny_clip_test', backbone_weights=str(tmp_path / 'ViT-B-16.pt'), size=32, resize=32, num_frames=4, adapted_blocks=2,
                      text_factor=True, text_features=str(tmp_path / 'text.pt'))
    ours = build_model(cfg).eval()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():  # trained-looking adapters and temporal embedding, copied into the reference's names
        for p in ours.trainable_parameters(): p.add_(0.1 * torch.randn(p.shape, generator=g))
        ref.temporal_embedding.copy_(ours.encoder.temporal_embedding)
        for i, blk in enumerate(ours.encoder.adapted):
            rb = ref.transformer.resblocks[2 + i]
            for a, b in [('t_adapter', 't_adapter'), ('s_adapter', 's_adapter'), ('task_adapter', 'task_adapter'), ('mlp_adapter', 'MLP_adapter')]:
                for fc in ('fc1', 'fc2'):
                    getattr(getattr(rb, b), 'D_' + fc).load_state_dict(getattr(getattr(blk, a), fc).state_dict())
    sup, qry, lab = torch.randn(5, 4, 3, 32, 32), torch.randn(5, 4, 3, 32, 32), torch.arange(5)
    classes = ['golf', 'swim', 'climb', 'ride', 'dive']
    with torch.no_grad():
        want = reference_logits(ref, sup, lab, qry, 5, text=text[[names.index(c) for c in classes]])
        got = ours(sup, lab, qry, 5, classes=classes)
        plain = reference_logits(ref, sup, lab, qry, 5)
    assert (got - want).abs().max() < 1e-4
    assert (got - plain).abs().max() > 1e-2  # the factor is really applied

@pytest.fixture(scope='module')
def data(tmp_path_factory):
    return make_synth(tmp_path_factory.mktemp('synth') / 'synth', videos_per_class=4, workers=2, progress=False)

def test_text_factor_reaches_training_and_eval_through_the_cli(data, tmp_path, capsys):
    classes = sorted({e.cls for f in ('trainlist.txt', 'vallist.txt', 'testlist.txt') for e in read_split(data / 'splits' / f).entries})
    torch.save({c: torch.randn(128) for c in classes}, tmp_path / 'text.pt')
    torch.save({c: torch.randn(128) for c in classes[:4]}, tmp_path / 'partial.pt')  # every 5-way episode has a class without one
    (tmp_path / 'classes.txt').write_text('\n'.join(classes) + '\n')
    torch.save(torch.randn(len(classes), 128), tmp_path / 'rows.pt')
    base = ['--preset', 'demo', '--root', str(data), '--pretrained', 'false', '--num_frames', '4', '--adapted_blocks', '2', '--epochs', '1',
            '--episodes_per_epoch', '4', '--val_episodes', '2', '--test_episodes', '4', '--workers', '0', '--frame_store', '', '--text_factor', 'true']
    assert cli.main(['train', *base, '--text_features', str(tmp_path / 'rows.pt'), '--class_names', str(tmp_path / 'classes.txt'), '--out', str(tmp_path / 'run')]) == 0
    capsys.readouterr()
    ck = str(tmp_path / 'run' / 'best.pth')
    assert cli.main(['eval', '--checkpoint', ck, '--text_features', str(tmp_path / 'text.pt'), '--no_cache']) == 0
    assert cli.main(['eval', '--checkpoint', ck, '--text_features', str(tmp_path / 'partial.pt')]) == 1  # the cached path looks the classes up too
    err = capsys.readouterr().err
    assert err.count('\n') == 1 and 'no text embedding for class(es)' in err, err
    assert cli.main(['train', *base, '--text_features', str(tmp_path / 'partial.pt'), '--out', str(tmp_path / 'run2')]) == 1  # training looks them up
    assert 'no text embedding for class(es)' in capsys.readouterr().err

def test_text_factor_without_embeddings_or_open_clip_is_one_line(tmp_path):
    (tmp_path / 'classes.txt').write_text('climb\ndive\n')
    cfg = make_config(backbone='vit_tiny_clip_test', pretrained=False, size=32, resize=32, num_frames=2, adapted_blocks=1, text_factor=True,
                      class_names=str(tmp_path / 'classes.txt'))
    env_offline = os.environ.get('HF_HUB_OFFLINE'); os.environ['HF_HUB_OFFLINE'] = '1'
    try:
        with pytest.raises(ValueError, match=r"needs open_clip|cannot load the CLIP text tower") as e: build_model(cfg)
    finally:
        if env_offline is None: del os.environ['HF_HUB_OFFLINE']
        else: os.environ['HF_HUB_OFFLINE'] = env_offline
    assert '\n' not in str(e.value) and '--text_features FILE' in str(e.value)
