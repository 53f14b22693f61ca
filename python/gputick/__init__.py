# SPDX-License-Identifier: MIT
"""gputick: the tick store and the live bus of gputick as pandas DataFrames
and numpy arrays (docs/python.md).

    import gputick
    st = gputick.Store("gputick.db")
    st.bars("H100Z6", "5m")
    for df in gputick.subscribe("tcp://127.0.0.1:5555", "tcp://127.0.0.1:5556"): ...
"""
from ._native import TICK_DTYPE
from .errors import (BadTimeError, BusError, GputickError, GputickWarning, InputError,
                     StoreError, StoreNotFoundError, UnknownSymbolError)
from .store import Store, to_time
from .subscribe import Subscription, subscribe
from .ticks import kind_dtype

__all__ = ["Store", "subscribe", "Subscription", "TICK_DTYPE", "kind_dtype", "to_time",
           "GputickError", "InputError", "BadTimeError", "UnknownSymbolError",
           "StoreNotFoundError", "StoreError", "BusError", "GputickWarning"]
__version__ = "0.1"
