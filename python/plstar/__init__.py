"""plstar from Python: write plstar's problem files and run the plstar command.

    plstar.errors   exit statuses and PlstarError (no dependencies)
    plstar.files    numpy only: model.json / X.npy / y.npy / w0.npy, finding and running `plstar`
    plstar.torch    PyTorch: an nn.Sequential to those files, the round-trip check, certificates
                    (python3 -m plstar.torch certify point net.pt X.pt y.pt)

Names are loaded when first used, so that `python3 -m plstar.torch` can say in one line what is missing
(NumPy, PyTorch) instead of failing while the package is imported.
"""

import importlib

__version__ = "0.1.0"

_FROM_ERRORS = ("EXIT_CERTIFIED", "EXIT_REFUTED", "EXIT_INCONCLUSIVE", "EXIT_USAGE", "EXIT_DATA", "EXIT_NOINPUT",
                "EXIT_UNAVAILABLE", "EXIT_SOFTWARE", "EXIT_CANTCREAT", "PlstarError")
_FROM_FILES = ("find_executable", "run", "write_problem")
__all__ = list(_FROM_ERRORS + _FROM_FILES)


def __getattr__(name):
    if name in _FROM_ERRORS:
        return getattr(importlib.import_module("plstar.errors"), name)
    if name in _FROM_FILES:
        return getattr(importlib.import_module("plstar.files"), name)
    raise AttributeError("module 'plstar' has no attribute %r" % name)


def __dir__():
    return sorted(list(globals()) + __all__)
