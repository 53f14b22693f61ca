# SPDX-License-Identifier: MIT
"""The exceptions of gputick: tickq's one-line messages, as Python classes.

Every error a query raises carries tickq's own message (the C code that
prints it is the one that ran) and its exit status: 2 for wrong input, 1 for
a runtime failure."""
import re


class GputickError(Exception):
    """Any failure of a gputick query or subscription. .status is tickq's
    exit status (1 a runtime failure, 2 wrong input) or the C library's
    negative error code; str() is the message."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


class InputError(GputickError, ValueError):
    """Wrong input (tickq exits 2): a bad option value, a bad time, a bad name."""


class BadTimeError(InputError):
    """A time or duration tickq cannot read, or --from not before --to."""


class UnknownSymbolError(InputError, LookupError):
    """No such symbol, product or index in the store; the message names the
    closest ones it holds."""


class StoreNotFoundError(InputError, FileNotFoundError):
    """No tick store at the path."""


class StoreError(GputickError):
    """A store that will not open or read (tickq exits 1)."""


class GputickWarning(UserWarning):
    """A note tickq prints beside a good answer (a provisional settlement,
    a block skipped as corrupt): issued with warnings.warn."""


class BusError(GputickError, ConnectionError):
    """The bus refused the subscriber or did not answer (gputick/sub.h)."""


_GT_EPERM, _GT_EINVAL, _GT_ENOENT = -14, -9, -10


def _raise_for(status, message, sub=False):
    """Raises the exception a C call's status and message call for."""
    lines = [l for l in message.splitlines() if l.strip()]
    # A command may print notes before its failure: the last line says why.
    msg = lines[-1] if lines else "failed (status %d)" % status
    if len(lines) > 1 and any(l.startswith("  ") or "did you mean" in l for l in lines[1:]):
        msg = "\n".join(lines)  # suggestions follow on their own lines
    if sub:
        if status == _GT_EINVAL:
            raise InputError(msg, status)
        raise BusError(msg, status)
    low = msg.lower()
    if status == 2:
        if "no tick store" in low or "no such file" in low:
            raise StoreNotFoundError(msg, status)
        if re.search(r"unknown (symbol|product|index)|no index|not (a|an) (symbol|index)", low):
            raise UnknownSymbolError(msg, status)
        if re.search(r"--(from|to|at)\b|time|duration|interval", low):
            raise BadTimeError(msg, status)
        raise InputError(msg, status)
    raise StoreError(msg, status)
