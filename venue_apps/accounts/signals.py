"""Signals of the accounts app."""

from django.dispatch import Signal

# Sent by `User.save` after a user's new password is saved, or their password made
# unusable, whichever way it was set (the services, a reset link, Django's admin and
# password forms, `manage.py changepassword`): `user`.
password_changed = Signal()
