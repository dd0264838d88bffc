"""Tables of the app, one module per domain; every model is re-exported here."""

from .segments import *  # noqa: F403
