#!/usr/bin/env python
"""Print the shape of the code: import sites per pair of apps (and the pairs that import each
other both ways), imports of project modules inside functions, and the largest modules.

    python bench/structure.py            # this checkout
    python bench/structure.py /path/to/another/checkout

Reads the source with ``ast``; imports nothing of the project. The layers themselves are
enforced by ``lint-imports`` (``make lint``); this prints the figures the architecture issue
compares before and after.
"""

import ast
import collections
import sys
from pathlib import Path

APPS = (
    "core", "accounts", "trainings", "participants", "experts", "certificates", "delivery",
    "privacy", "portal", "config",
)  # fmt: skip
SKIPPED = {".venv", "tests", "migrations", "bench"}


def modules(root: Path):
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[0] in APPS and not SKIPPED & set(relative.parts):
            yield relative, path.read_text(encoding="utf-8")


def imported_app(node: ast.AST) -> str | None:
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return node.module.split(".")[0]
    if isinstance(node, ast.Import):
        return node.names[0].name.split(".")[0]
    return None


def main(root: Path) -> None:
    pairs: collections.Counter = collections.Counter()
    inside_functions, sizes = [], []
    for relative, source in modules(root):
        app = relative.parts[0]
        sizes.append((len(source.splitlines()), str(relative)))
        tree = ast.parse(source)
        for node in ast.walk(tree):
            target = imported_app(node)
            if target in APPS and target != app:
                pairs[(app, target)] += 1
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    target = imported_app(inner)
                    relative_import = isinstance(inner, ast.ImportFrom) and inner.level > 0
                    if relative_import or target in APPS:
                        inside_functions.append(f"{relative}:{inner.lineno}")
    print("import sites per app pair:")
    for (app, target), count in sorted(pairs.items()):
        print(f"  {app} -> {target}: {count}")
    both = sorted({tuple(sorted(pair)) for pair in pairs if pair[::-1] in pairs})
    print(f"pairs importing each other both ways: {len(both)} {both}")
    print(f"project imports inside functions: {len(inside_functions)} {inside_functions}")
    sizes.sort(reverse=True)
    print("largest modules:", ", ".join(f"{name} ({lines})" for lines, name in sizes[:6]))
    print("modules over 500 lines:", [name for lines, name in sizes if lines > 500])


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent))
