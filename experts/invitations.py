"""The e-mail that invites an expert to choose the password of their new login.

It reuses Django's password-reset machinery (``PasswordResetForm``, one-use tokens that expire
with ``PASSWORD_RESET_TIMEOUT`` and die once a password is set); the link opens
``expert-set-password``. Django's form only mails users who already have a usable password, so
the invitation names its one recipient instead of searching by address.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User


class _InvitationForm(PasswordResetForm):
    def __init__(self, user: User) -> None:
        super().__init__({"email": user.email})
        self.user = user

    def get_users(self, email):
        return [self.user] if self.user.is_active else []


def send_login_invitation(user: User) -> None:
    """Mail ``user`` a link to choose their password (the address is ``SITE_URL``'s)."""
    form = _InvitationForm(user)
    if not form.is_valid():  # an address Django's form refuses cannot receive the mail anyway
        return
    site = urlsplit(settings.SITE_URL)
    form.save(
        domain_override=site.netloc,
        use_https=site.scheme == "https",
        subject_template_name="experts/email/login_invitation_subject.txt",
        email_template_name="experts/email/login_invitation.txt",
        extra_email_context={"site_url": settings.SITE_URL},
    )
