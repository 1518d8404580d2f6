"""Signals of the accounts app."""

from django.dispatch import Signal

# Sent after a user's new password is saved, whichever way it was set (the API, a reset
# link, either dashboard's password forms): `user`.
password_changed = Signal()
