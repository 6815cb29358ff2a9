"""A user's API token dies with their password and with their account's activity.

A signal on the user model, because it must hold on every path that changes them: the admin's
user page and password form, ``changepassword``, the password forms of Django, code. The token
itself carries no password-derived stamp to compare against, and ``auth.User`` has no
"password changed at" field to add one to.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import is_password_usable
from django.db.models.signals import pre_save

from .tokens import tokens_revoke

WATCHED = {"password", "is_active"}


def revoke_tokens_on_password_change_or_deactivation(
    sender, instance, raw=False, update_fields=None, **kwargs
) -> None:
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not WATCHED & set(update_fields):
        return  # the login's last_login, a name: nothing to compare
    old = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if old is None:
        return
    # Django re-hashing a right password on login (a stronger hasher, more iterations) saves the
    # new, usable hash alone and clears the raw password it kept: the password did not change.
    # (A hash assigned by hand and saved alone looks the same: use set_password().)
    rehash = (
        update_fields is not None
        and set(update_fields) == {"password"}
        and getattr(instance, "_password", None) is None
        and is_password_usable(old["password"])
        and is_password_usable(instance.password)
    )
    password_changed = old["password"] != instance.password and not rehash
    deactivated = old["is_active"] and not instance.is_active
    if password_changed or deactivated:
        tokens_revoke(user=instance)


def connect() -> None:
    pre_save.connect(
        revoke_tokens_on_password_change_or_deactivation,
        sender=get_user_model(),
        dispatch_uid="accounts.revoke_tokens",
    )
