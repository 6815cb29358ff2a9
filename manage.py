#!/usr/bin/env python
"""Django's command-line utility."""

import os
import sys

if sys.version_info < (3, 12):  # noqa: UP036  (fail loudly on an old interpreter)
    sys.exit(
        "This project needs Python 3.12 or newer (Django 6.1). Use `make run`, which builds .venv."
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
