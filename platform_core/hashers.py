"""Password hashing: argon2id at OWASP's parameters (19 MiB, 2 iterations, 1 lane).

Django's own Argon2 defaults (100 MiB, 8 lanes) cost a web worker far more CPU and memory per
login for little gain. A stored hash with other parameters still verifies; Django rehashes it at
the next successful sign-in because `must_update` compares the parameters.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    # Same algorithm name ("argon2"): existing hashes are recognised and upgraded, not orphaned.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
