"""Settings come from one place: only `bot/settings.py` (and the lab harness, for the GSSAPI/NTLM
libraries' own variables) touches `os.environ`; everything else gets its values passed down."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "knowledge", "probes", "lab")
HARNESS = {
    # The lab's KDC and NTLM user file are environments for the GSSAPI/NTLM libraries themselves.
    "lab/kdc.py",
    "lab/testing.py",
}


def _environ_uses(path: Path) -> tuple[bool, bool]:
    """(reads, writes) of os.environ / os.getenv in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    reads = writes = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
            reads = True
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            if isinstance(target, ast.Subscript) and "environ" in ast.unparse(target.value):
                writes = True
        if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(
            ("environ.update", "environ.setdefault", "environ.pop")
        ):
            writes = True
    return reads, writes


def _files() -> list[str]:
    return [str(p.relative_to(ROOT)) for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))]


def test_no_module_writes_the_environment() -> None:
    """Settings never travel through os.environ writes (serve's tokens, the console's deadline and
    lab inventory, the explain pool's KB path did); only the lab harness sets library variables."""
    writers = {f for f in _files() if _environ_uses(ROOT / f)[1]}
    assert writers <= HARNESS


def test_environment_reads_only_in_settings() -> None:
    """Only bot/settings.py (and the lab harness) reads os.environ: a new reader elsewhere fails."""
    readers = {f for f in _files() if _environ_uses(ROOT / f)[0]}
    assert readers - HARNESS <= {"bot/settings.py"}
