"""Logging helpers referenced from settings.LOGGING."""

from __future__ import annotations

import logging


class NoTraceback(logging.Filter):
    """Keeps the record's message and drops its exception: a refusal (PermissionDenied) is
    logged as one line ("Forbidden (Permission denied): /path"), not as a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True
