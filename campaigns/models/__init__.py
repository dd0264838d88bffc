"""Tables of the app, one module per domain; every model is re-exported here."""

from .campaigns import *  # noqa: F403
