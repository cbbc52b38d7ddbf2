"`bench model --authors`: the authors' own module as the yardstick, imported from their file (here a stand-in with their constructor and input layout)."
import hashlib, subprocess, sys, torch, pytest
from task_adapter_nb.bench import bench_model, authors_model, _build
from task_adapter_nb.reference import REF_ARCHS

# A stand-in for the authors' module_adapter.py: their class name, their positional constructor, their (B, 3, T, H, W) input.
# It computes with the reference, so its logits must equal the reference path's exactly.
STANDIN = '''
from task_adapter_nb.reference import RefVisionTransformer
class VisionTransformer(RefVisionTransformer):
    def __init__(self, input_resolution, patch_size, width, layers, heads, embed_dim, adapter_width, adapter_layers, adapter_kernel_size):
        assert adapter_width == width // 2 and tuple(adapter_kernel_size) == (3, 1, 1)
        super().__init__(input_resolution, patch_size, width, layers, heads, embed_dim, T=8, M=adapter_layers)
    def forward(self, x): return super().forward(x.transpose(1, 2))
'''

@pytest.fixture
def standin(tmp_path):
    f = tmp_path / 'module_adapter.py'; f.write_text(STANDIN); return f

def test_authors_path_gets_the_same_weights(standin):
    a, g = REF_ARCHS['tiny'], torch.Generator().manual_seed(0)
    s, q = torch.randn(3, 8, 3, 32, 32, generator=g), torch.randn(3, 8, 3, 32, 32, generator=g)
    lab = torch.arange(3)
    _, ref = _build('reference', a, 8, 2, seed=5, device=torch.device('cpu'))
    m, theirs = _build('authors', a, 8, 2, seed=5, device=torch.device('cpu'), authors=str(standin))
    with torch.no_grad(): assert torch.equal(theirs(s, lab, q, 3), ref(s, lab, q, 3))
    assert type(m).__module__ == 'authors_module_adapter'

def test_bench_ratios_against_the_authors(standin, capsys):
    rows = bench_model('tiny', num_frames=8, adapted_blocks=2, precisions=('fp32',), repeats=0, checkpointing=False, isolate=False, peak_n=64, authors=str(standin))
    assert [r['path'] for r in rows] == ['authors', 'reference', 'ours']
    au, ref, ours = rows
    for k in ('train_step', 'eval_episode'):
        assert au[k]['vs_authors'] == 1.0 and ref[k]['vs_reference'] == 1.0
        assert ours[k]['vs_authors'] == round(ours[k]['seconds'] / au[k]['seconds'], 3)
        assert ref[k]['vs_authors'] == round(ref[k]['seconds'] / au[k]['seconds'], 3)
    assert [r['allocator'] for r in rows] == ['this process'] * 3  # not isolated: nobody's allocator is changed
    assert au['authors_file'] == 'module_adapter.py' and au['authors_sha256'] == hashlib.sha256(standin.read_bytes()).hexdigest()
    assert 'x authors' in capsys.readouterr().out

def test_authors_refusals(tmp_path, standin):
    with pytest.raises(FileNotFoundError, match="nope.py.*authors' module_adapter.py"): bench_model('tiny', num_frames=8, authors=str(tmp_path / 'nope.py'))
    with pytest.raises(ValueError, match=r'num_frames=4 \(--num-frames\): the authors'): bench_model('tiny', num_frames=4, authors=str(standin))
    with pytest.raises(ValueError, match="allocator='fast'"): bench_model('tiny', allocator='fast')
    with pytest.raises(ValueError, match="allocator='live' needs isolate=True"): bench_model('tiny', allocator='live', isolate=False)
    other = tmp_path / 'other.py'; other.write_text('x = 1\n')
    with pytest.raises(ValueError, match='other.py: defines no VisionTransformer'): authors_model(other, REF_ARCHS['tiny'], 2)
    (tmp_path / 'needs.py').write_text('import einops_is_not_here_xyz\n')
    with pytest.raises(ValueError, match='needs.py: cannot import einops_is_not_here_xyz$'): bench_model('tiny', num_frames=8, authors=str(tmp_path / 'needs.py'))
    (tmp_path / 'noeinops.py').write_text('raise ModuleNotFoundError("No module named einops", name="einops")\n')
    with pytest.raises(ValueError, match=r'cannot import einops \(pip install einops\)'): bench_model('tiny', num_frames=8, authors=str(tmp_path / 'noeinops.py'))
    (tmp_path / 'sibling.py').write_text('WIDTH = 1\n')  # a neighbour the file imports, as in the authors' repository
    (tmp_path / 'uses_sibling.py').write_text('from sibling import WIDTH\n' + STANDIN)
    authors_model(tmp_path / 'uses_sibling.py', REF_ARCHS['tiny'], 2)
    assert str(tmp_path) not in sys.path  # put on the path for the import only
    (tmp_path / 'fewer.py').write_text('class VisionTransformer:\n    def __init__(self, a, b): pass\n')
    with pytest.raises(ValueError, match="fewer.py: its VisionTransformer does not take the released code's nine arguments"): bench_model('tiny', num_frames=8, authors=str(tmp_path / 'fewer.py'))
    for f, msg in (('nope.py', 'nope.py: no such file'), ('needs.py', 'needs.py: cannot import einops_is_not_here_xyz')):
        r = subprocess.run([sys.executable, '-m', 'task_adapter_nb.cli', 'bench', 'model', '--arch', 'tiny', '--authors', str(tmp_path / f)], capture_output=True, text=True, timeout=300)
        assert r.returncode != 0 and msg in r.stderr and 'Traceback' not in r.stderr, r.stderr
