"""Stored outputs as a reader meets them. Fails (exit 1, one line per problem) when
- a cell that prints or calls `show_doc` at its top level has no stored output,
- a stored output holds a machine path (a temporary folder, a home or build directory),
- a stored `show_doc` output differs from what `show_doc` renders from the code now (a stale signature or docment).
Cells that run only on demand (`#| eval: false`, or a `tst_flags` flag such as `#| slow`) and hidden cells are not
required to have outputs. Usage: python tools/check_outputs.py [NOTEBOOK ...] (default: every notebook in nbs/)."""
import configparser, importlib, json, pkgutil, re, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
cfg = configparser.ConfigParser(); cfg.read(root/'settings.ini')
FLAGS = cfg.get('DEFAULT', 'tst_flags', fallback='').split()
MACHINE = re.compile(r"(/tmp/|/var/folders/|/work/|/root/|/home/[a-z_]|/Users/|/github/workspace|site-packages|\.venv/|/opt/conda)")
CALL = re.compile(r"\b(print|show_doc)\(")
ANSI = re.compile(r"\x1b\[[0-9;]*m")

def directives(src):
    return {l.lstrip('#|').strip().split(':')[0].strip() + (':' + l.split(':', 1)[1].strip() if ':' in l else '')
            for l in src.splitlines() if l.startswith('#|')}

def on_demand(src):
    d = {x.replace(' ', '') for x in directives(src)}
    return 'hide' in d or 'eval:false' in d or any(f in d for f in FLAGS)

def top_level_calls(src):
    "Calls of print or show_doc that run when the cell runs (not inside a def or class body, not inside a string)."
    import ast
    code = '\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('%', '!')))
    try: tree = ast.parse(code)
    except SyntaxError:  # not plain Python: fall back to reading lines
        return [l.strip() for l in src.splitlines() if not l[:1].isspace() and CALL.search(l)]
    found = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): continue
        for n in ast.walk(stmt):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)): break
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in ('print', 'show_doc'):
                found.append(ast.get_source_segment(code, stmt).splitlines()[0]); break
    return found

def output_text(o):
    if o.get('output_type') == 'stream': return ''.join(o.get('text', ''))
    if o.get('output_type') == 'error': return '\n'.join(o.get('traceback', []))
    data = o.get('data', {})
    return '\n'.join(''.join(v) if isinstance(v, list) else str(v) for k, v in data.items() if k.startswith('text/'))

_ns = None
def namespace():
    "Every public and private name of every module of the package, as a notebook that imports them would see them."
    global _ns
    if _ns is None:
        pkg = importlib.import_module(cfg.get('DEFAULT', 'lib_name'))
        _ns = {}
        for m in pkgutil.iter_modules(pkg.__path__):
            if m.name.startswith('_'): continue
            mod = importlib.import_module(f"{pkg.__name__}.{m.name}")
            _ns.update({k: v for k, v in vars(mod).items() if not k.startswith('__')})
        import torch, numpy as np
        _ns.update(torch=torch, np=np)
    return _ns

def params(text:str)->set:
    "The parameter names of a rendered signature (how it is laid out, with or without docments, does not matter)."
    head = '\n'.join(l.split(' #')[0] for l in text.split('"""')[0].splitlines())  # without docments' comments
    return set(re.findall(r"[(,\s]([A-Za-z_]\w*)\s*:[^:]", head.split(')->')[0] + ')'))

def rendered(expr):
    from nbdev.showdoc import show_doc
    from IPython.core.formatters import DisplayFormatter
    r = eval(f"show_doc({expr})", {**namespace(), 'show_doc': show_doc})
    return DisplayFormatter().format(r)[0].get('text/plain', '')

def check(nb_path):
    problems = []
    nb = json.loads(Path(nb_path).read_text())
    for i, c in enumerate(nb['cells']):
        if c['cell_type'] != 'code': continue
        src = ''.join(c['source']); outs = c.get('outputs', [])
        where = f"{Path(nb_path).name} cell {i} ({c.get('id')})"
        for o in outs:
            m = MACHINE.search(ANSI.sub('', output_text(o)))
            if m: problems.append(f"{where}: stored output holds a machine path ({m.group(0)!r}): rerun it with paths made relative or hidden")
        if on_demand(src): continue
        calls = top_level_calls(src)
        if calls and not outs: problems.append(f"{where}: `{calls[0][:60]}` has no stored output: execute the notebook")
        docs = re.findall(r"^show_doc\((.+)\)\s*$", src, flags=re.M)
        if len(docs) > 1: problems.append(f"{where}: {len(docs)} show_doc calls in one cell: Jupyter shows only the last; give each its own cell")
        if docs and outs:  # the cell's last expression is what Jupyter displays
            expr = docs[-1]
            stored = [''.join(o['data']['text/plain']) for o in outs if 'text/plain' in o.get('data', {})]
            try: now = rendered(expr)
            except Exception as e: problems.append(f"{where}: show_doc({expr}) cannot be rendered from the code ({type(e).__name__}: {e})"); continue
            if not any(params(t) == params(now) for t in stored):
                problems.append(f"{where}: stored show_doc({expr}) lists other parameters than the code has now "
                                f"({sorted(params(now) ^ params(stored[0])) if stored else 'no output'}): execute the notebook")
    return problems

if __name__ == '__main__':
    nbs = sys.argv[1:] or sorted(str(p) for p in (root/'nbs').glob('*.ipynb'))
    problems = [p for nb in nbs for p in check(nb)]
    print('\n'.join(problems))
    print(f"check_outputs: {len(nbs)} notebooks, {len(problems)} problems")
    sys.exit(1 if problems else 0)
