"""A trainee's personal data on request: everything held about them (page, JSON) and erasure.

A top-layer app: what is held about a person spans every app (registry, course records,
teach-back files, certificates, the audit log), so nothing below may import it.
"""
