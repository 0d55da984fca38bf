"""Exceptions shared across layers (a lower layer must not import a higher one to catch or raise them)."""
from __future__ import annotations


class BackendUnavailable(RuntimeError):
    """A runtime or quantisation backend cannot run here; the message says why (shown in the selection log)."""
