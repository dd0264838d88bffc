"""Tables of the app, one module per domain; every model is re-exported here."""

from .serving import *  # noqa: F403
