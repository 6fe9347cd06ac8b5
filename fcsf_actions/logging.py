"""Structured logs: one JSON object per line (LOG_FORMAT=json), for a log collector.

Each line has the time, level, logger and message; for a request's log record (django.request logs every 5xx
with its request), the method, path, status and request id; for an exception, its type, message and traceback.
"""

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["method"] = request.method
            entry["path"] = request.path
            request_id = getattr(request, "request_id", None)
            if request_id:
                entry["request_id"] = request_id
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info and record.exc_info[0] is not None:
            error_type, error, _traceback = record.exc_info
            entry["exception"] = {
                "type": f"{error_type.__module__}.{error_type.__qualname__}",
                "message": str(error),
                "traceback": self.formatException(record.exc_info),
            }
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(log_format="text", level="WARNING"):
    """The LOGGING setting: everything to stderr, as JSON lines or as text."""
    if log_format not in {"text", "json"}:
        raise ValueError(f"LOG_FORMAT={log_format!r}: expected text or json.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "fcsf_actions.logging.JsonFormatter"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format}},
        "root": {"handlers": ["console"], "level": level},
        # django.request would also propagate to Django's own handlers (mail_admins): keep one path to stderr.
        "loggers": {"django": {"handlers": ["console"], "level": level, "propagate": False}},
    }
