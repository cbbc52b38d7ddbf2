"""Write README.md from nbs/index.ipynb with nbconvert (nbdev_readme needs Quarto, which is not available here).
The figures stored in the notebook's outputs are written beside it, in README_files/, and shown in the README.
Deterministic: the same notebook gives the same bytes, so CI can check that README.md is in sync."""
import shutil
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

root = Path(__file__).resolve().parents[1]
nb = nbformat.read(root/'nbs'/'index.ipynb', as_version=4)
keep = []
for c in nb.cells:
    lines = c.source.splitlines()
    if c.cell_type == 'code':
        if any(l.strip() in ('#| hide', '#|hide') for l in lines): continue
        c.source = '\n'.join(l for l in lines if not l.startswith('#|'))
    keep.append(c)
nb.cells = keep
files = 'README_files'
body, res = MarkdownExporter(exclude_output_prompt=True, exclude_input_prompt=True).from_notebook_node(
    nb, resources=dict(output_files_dir=files, unique_key='README'))
body = body.strip() + '\n'
out_dir = root/files
shutil.rmtree(out_dir, ignore_errors=True)
for name, data in sorted(res.get('outputs', {}).items()):
    p = root/name; p.parent.mkdir(parents=True, exist_ok=True); p.write_bytes(data)
header = "<!-- generated from nbs/index.ipynb by tools/make_readme.py: do not edit -->\n\n"
(root/'README.md').write_text(header + body)
