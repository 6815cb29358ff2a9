"""The base layer every app builds on: abstract models, the domain error family, the actor
helper, the claim helper, validated writes of reference data, checked uploads, file serving,
HTML → PDF with the project-only URL fetcher, and the REST plumbing.

Must not import any app of this project (``accounts``, ``trainings``, ...): everything here is
below them. ``make lint`` enforces it (import-linter, ``.importlinter``).
"""
