"""Argon2id with OWASP's recommended minimum parameters.

Django's defaults (100 MiB, 2 passes, 8 lanes) cost about 120 ms of CPU a hash on this
platform's 2-core machines, which makes every sign-in during a flash sale a CPU spike.
OWASP's Password Storage Cheat Sheet recommends at least m=19 MiB, t=2, p=1 for
Argon2id; that is what we use. Hashes made with other parameters are re-hashed
transparently at the next successful sign-in (Django's `must_update`).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
