"""Hypothesis profiles (RELIABILITY.md row 28): 1000 reproducible examples per property when CI is set.

`derandomize=True` makes CI runs deterministic (the same examples every run); locally the default
profile explores 200 fresh random examples per property. No deadline: shared CI machines are noisy and
the modules keep their total run time in check instead.
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "pmo-ci",
    max_examples=1000,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("pmo-dev", max_examples=200, deadline=None)
settings.load_profile("pmo-ci" if os.environ.get("CI") else "pmo-dev")
