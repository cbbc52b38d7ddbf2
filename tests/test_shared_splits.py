"Every real split file in ../shared/splits has exactly the class and video counts its README states."
import re
import pytest
from task_adapter_nb.splits import read_split, BENCHMARKS, split_files, check_split_counts

def readme_counts(splits_dir):
    "Parse the README table: folder -> {'train': (classes, videos), 'val': ..., 'test': ...}."
    out = {}
    for line in (splits_dir / 'README.md').read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) != 5 or not cells[0].startswith(('ssv2', 'kinetics', 'hmdb', 'ucf')): continue
        folder = cells[0].split()[0]
        nums = [tuple(int(x.replace(',', '')) for x in re.findall(r'[\d,]+', c)) for c in cells[2:]]
        out[folder] = dict(zip(('train', 'val', 'test'), nums))
    return out

def test_readme_table_parsed(shared_splits):
    counts = readme_counts(shared_splits)
    assert sorted(counts) == sorted(b['folder'] for b in BENCHMARKS.values())
    assert counts['ssv2_OTAM']['train'] == (64, 67013)

@pytest.mark.parametrize('benchmark', list(BENCHMARKS))
def test_split_counts_match_readme(shared_splits, benchmark):
    want = readme_counts(shared_splits)[BENCHMARKS[benchmark]['folder']]
    files = split_files(benchmark, shared_splits)
    for which, path in files.items():
        sp = read_split(path)
        assert (len(sp.classes), len(sp)) == want[which], f"{path}: {(len(sp.classes), len(sp))} != README {want[which]}"
        assert BENCHMARKS[benchmark]['counts'][which] == want[which]
        check_split_counts(benchmark, which, sp)
    classes = [set(read_split(p).classes) for p in files.values()]
    assert not (classes[0] & classes[1] or classes[0] & classes[2] or classes[1] & classes[2]), "splits share a class"

def test_class_names_with_spaces_and_parentheses(shared_splits):
    sp = read_split(shared_splits / 'ssv2_CMN' / 'trainlist03.txt')
    odd = [c for c in sp.classes if ' ' in c and '(' in c]
    assert odd, "SSv2 has class names with spaces and parentheses"
    assert all(len(sp.by_class[c]) == 100 for c in sp.classes)

def test_count_check_names_the_file(shared_splits, tmp_path):
    bad = tmp_path / 'trainlist03.txt'
    bad.write_text('\n'.join((shared_splits / 'hmdb_ARN' / 'trainlist03.txt').read_text().splitlines()[:-1]))
    with pytest.raises(ValueError, match=r"trainlist03.txt: hmdb51 train should have 31 classes / 4280 videos, found 31 / 4279"):
        check_split_counts('hmdb51', 'train', read_split(bad))
