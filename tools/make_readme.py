"Write README.md from nbs/index.ipynb with nbconvert (nbdev_readme needs Quarto, which is not available here)."
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
        if any('image/png' in o.get('data', {}) for o in c.get('outputs', [])): continue  # figures live in the notebooks, not the README
        c.source = '\n'.join(l for l in lines if not l.startswith('#|'))
    keep.append(c)
nb.cells = keep
body, _ = MarkdownExporter(exclude_output_prompt=True, exclude_input_prompt=True).from_notebook_node(nb)
body = body.strip() + '\n'
if body.startswith('# '): pass
header = "<!-- generated from nbs/index.ipynb by tools/make_readme.py: do not edit -->\n\n"
(root/'README.md').write_text(header + body)
