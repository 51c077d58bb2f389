"""The conformance checks, one module per check.

Each module holds one check (``FAMILY``, a :class:`~..context.Family`): its
stable name, how it plans its items for one vendor, and the function that
decides each item. :mod:`smsstatus.conformance.catalog` lists them in run
order; ``docs/conformance.md`` says when each passes. A check module imports
only core, :mod:`..context`, :mod:`..outcomes` and the kit's helpers
(:mod:`..sandbox`, :mod:`..leaks`), never the engine or another check.
"""
