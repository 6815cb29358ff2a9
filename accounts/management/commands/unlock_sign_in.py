"""Lift a sign-in lock now instead of waiting for the window to pass.

    python manage.py unlock_sign_in --username alice
    python manage.py unlock_sign_in --address 192.0.2.10

Forgets the failed sign-ins counted for that user name (in any case, from every address) and/or
that client address (``accounts.lockout``).
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.lockout import lock_clear


class Command(BaseCommand):
    help = "Forget the failed sign-ins of a user name and/or a client address, lifting the lock."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="")
        parser.add_argument("--address", default="")

    def handle(self, *args, username: str, address: str, **options):
        if not (username or address):
            raise CommandError("Name a --username, an --address, or both.")
        try:
            deleted = lock_clear(username=username, address=address)
        except ValueError as error:
            raise CommandError(f"Not an IP address: {address!r}") from error
        self.stdout.write(f"Forgot {deleted} failed sign-in(s).")
