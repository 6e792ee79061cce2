"""The bad-input corpus (tests/bad_files/<rule>/, see its README): the cases, and the files of one case as an upload
would hold them. Used by test_bad_files.py, test_publish.py and test_i18n.py."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
CORPUS = HERE / "bad_files"
BASE = HERE / "fixtures" / "valid_small" / "COL"
CASES = sorted(p for p in CORPUS.iterdir() if (p / "expected.json").is_file())


def grow(data: bytes, size: int) -> bytes:
    """A valid-looking enterprises.csv of at least `size` bytes (rows with fresh ids)."""
    lines = data.decode("utf-8").splitlines()
    header, template = lines[0], lines[1]
    out = [header]
    total, n = len(header), 1000
    while total < size:
        row = template.replace("COL-0001", f"COL-{n}")
        out.append(row)
        total += len(row) + 1
        n += 1
    return ("\n".join(out) + "\n").encode("utf-8")


def case_files(case: Path, spec: dict) -> dict[str, bytes]:
    """The files of one case: the valid base set (unless `"base": false`) with the case's own laid over it."""
    files = {p.name: p.read_bytes() for p in sorted(BASE.iterdir())} if spec.get("base", True) else {}
    for path in sorted(case.iterdir()):
        if path.name != "expected.json":
            files[path.name] = path.read_bytes()
    if "generate" in spec:
        gen = spec["generate"]
        files[gen["file"]] = grow(files[gen["file"]], gen["bytes"])
    return files
