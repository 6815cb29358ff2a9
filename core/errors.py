"""Domain errors raised by services, and nothing else.

Services raise these with a message a user can act on; each interface decides how to show them
(the API maps them to status codes in ``core.api``, pages to form errors). This module must not
import DRF or anything web-related: services stay usable from commands and tasks.
"""


class DomainError(Exception):
    """A request the domain refuses: bad input or a broken rule. The API answers 400."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(DomainError):
    """The request clashes with the current state (a duplicate, a row still referenced).
    The API answers 409."""

    code = "conflict"


class NotPermittedError(DomainError):
    """The actor's role may not perform this operation, although they may use the resource.
    The API answers 403."""

    code = "permission_denied"
