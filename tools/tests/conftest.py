import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# tools/ is not a package: its scripts import each other by name, and so do these tests.
sys.path.insert(0, str(REPO_ROOT / "tools"))
sys.path.insert(0, str(REPO_ROOT / "contract_tests"))
