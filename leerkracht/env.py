"""The one place that reads the process environment.

Every setting that comes from outside the code is read here, so that a reviewer can see at a
glance what an operator must provide, and production fails at start-up (not at first use) when a
secret is missing.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def get(name: str, default: str | None = None) -> str | None:
    """Return the variable, or `default` when it is unset or empty."""
    value = os.environ.get(name, "").strip()
    return value or default


def get_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no variable; accepts 1/0, true/false, yes/no, on/off."""
    value = get(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a yes/no value, not {value!r}.")


def get_int(name: str, default: int) -> int:
    value = get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


def get_list(name: str, default: list[str] | None = None) -> list[str]:
    """Comma-separated list; blanks dropped."""
    value = get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def get_mandatory(name: str) -> str:
    """A value production cannot run without: fail at start-up rather than at first use."""
    value = get(name)
    if value is None:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value
