from pathlib import Path
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / 'shared'

@pytest.fixture
def shared_splits():
    "The real benchmark split files beside the repository (../shared/splits); tests skip without them."
    d = SHARED / 'splits'
    if not d.is_dir(): pytest.skip(f"{d} is absent")
    return d
