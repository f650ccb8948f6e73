"""References for the access spec, one module per area (reports, governance, ...).

Each module defines ``references(world, refs) -> dict``: the objects its part of the spec names
(``tests/access_spec.d/<area>.yaml``), built on top of the conftest ``world`` and the references
already made (``refs``: a1, b1, the registers, the principals' users...). The matrix calls every
module once, inside the module-wide transaction, in alphabetical order.
"""

import importlib
import pkgutil


def build_all(world, refs: dict) -> dict:
    extra: dict = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        extra.update(module.references(world, {**refs, **extra}))
    return extra
