"""Merge many PDFs into one, in a child process: ``python -m certificates.merge OUT LIST``.

LIST is a text file with one PDF path per line. qpdf (through pikepdf) needs memory in proportion
to the whole merged document (about 0.35 MB per certificate), so the merge runs in a short-lived
child process: the worker that asked for it stays at its usual size, and if the merge of a huge
batch runs out of memory only the child dies, with a clear error. Must not import Django.
"""

import subprocess
import sys
from pathlib import Path

import pikepdf


def merge(output: Path, paths: list[Path]) -> None:
    with pikepdf.Pdf.new() as merged:
        sources = [pikepdf.open(path) for path in paths]
        for source in sources:
            merged.pages.extend(source.pages)
        merged.save(output)
        for source in sources:
            source.close()


def merge_in_child(output: Path, paths: list[Path], timeout: float = 1800) -> None:
    listing = output.with_suffix(".list")
    listing.write_text("\n".join(str(path) for path in paths))
    result = subprocess.run(  # noqa: S603  (our own module, our own file names)
        [sys.executable, "-m", "certificates.merge", str(output), str(listing)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if result.returncode != 0:
        raise RuntimeError(f"Merging {len(paths)} PDFs failed: {result.stderr[-2000:]}")


if __name__ == "__main__":
    target, listing_file = Path(sys.argv[1]), Path(sys.argv[2])
    merge(target, [Path(line) for line in listing_file.read_text().splitlines() if line])
