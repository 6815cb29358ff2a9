"""One stylesheet for the browser, several files for the people who edit it.

Pages link one stylesheet, ``css/site.css`` (one request, no ``@import`` chain). Its rules are
kept in ``static/css/site/*.css`` by concern (base, layout, components, pages), and
:class:`StylesheetBundleFinder` makes ``css/site.css`` the concatenation of those files in
file-name order, so the order of the files is the order of the cascade.

The finder is what every consumer of static files asks: whitenoise in DEBUG and the test live
server (through ``finders.find``), ``findstatic``, and ``collectstatic``, which copies the joined
file into STATIC_ROOT where production's manifest storage gives it a hashed name. The joined file
is written under ``var/bundles`` (not in git), again whenever a source changes, so an edited
source shows on the next page load under ``runserver``.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import utils
from django.contrib.staticfiles.finders import BaseFinder
from django.core import checks
from django.core.files.storage import FileSystemStorage

# Public path of each bundle -> the folder of its sources, both relative to static/.
BUNDLES = {"css/site.css": "css/site"}


class StylesheetBundleFinder(BaseFinder):
    """Finds ``css/site.css`` as the sources in ``static/css/site/`` joined in name order."""

    def __init__(self, source_root=None, build_root=None):
        self.source_root = Path(source_root or Path(settings.BASE_DIR) / "static")
        self.build_root = Path(build_root or Path(settings.VAR_DIR) / "bundles")
        self.storage = FileSystemStorage(location=self.build_root)
        # Bundle path -> the (name, mtime, size) of the sources it was last built from.
        self._built_from = {}

    def sources(self, path: str) -> list[Path]:
        return sorted((self.source_root / BUNDLES[path]).glob("*.css"))

    def join(self, path: str) -> bytes:
        """The bundle's content: its sources' bytes, one after the other."""
        return b"".join(source.read_bytes() for source in self.sources(path))

    def build(self, path: str) -> Path:
        """Write the bundle if it is missing or a source changed since it was written."""
        target = self.build_root / path
        stats = [(source.name, source.stat()) for source in self.sources(path)]
        signature = [(name, stat.st_mtime_ns, stat.st_size) for name, stat in stats]
        if self._built_from.get(path) == signature and target.exists():
            return target
        content = self.join(path)
        if not target.exists() or target.read_bytes() != content:
            # Written beside the target and renamed over it: a process serving the file at the
            # same moment reads the old or the new bundle, never half of one.
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
            with os.fdopen(fd, "wb") as file:
                file.write(content)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        self._built_from[path] = signature
        return target

    def find(self, path, find_all=False):
        if path not in BUNDLES:
            return [] if find_all else None
        found = str(self.build(path))
        return [found] if find_all else found

    def list(self, ignore_patterns):
        for path in BUNDLES:
            if not utils.matches_patterns(path, ignore_patterns or []):
                self.build(path)
                yield path, self.storage

    def check(self, **kwargs):
        return [
            checks.Error(
                f"No sources for the stylesheet {path}: {self.source_root / folder}/*.css is empty.",
                id="config.E001",
            )
            for path, folder in BUNDLES.items()
            if not self.sources(path)
        ]
