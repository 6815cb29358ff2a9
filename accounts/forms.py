"""Forms of the account pages."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from . import lockout


class LoginForm(AuthenticationForm):
    """Django's login form, with hints that stop phones capitalising or "correcting" user names.

    A refused sign-in says so when the account or the address is locked (``accounts.lockout``),
    for a known and an unknown user name alike; otherwise Django's "wrong password" message.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocapitalize": "none", "autocorrect": "off", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            username = self.cleaned_data.get("username")
            if username:
                address = lockout.client_address(self.request)
                if lock := lockout.lock_find(username=username, address=address):
                    raise ValidationError(lock.message, code="locked") from None
            raise
