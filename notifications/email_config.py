"""The e-mail settings, read from the environment: `EMAIL_URL`, or the usual `EMAIL_HOST`, `EMAIL_PORT`…

Imported by the settings module: no Django model here.

    EMAIL_URL=smtp://user:password@smtp.example.org:587/?tls=1    STARTTLS
    EMAIL_URL=smtps://user:password@smtp.example.org              implicit TLS (port 465)
    EMAIL_URL=console://                                          messages written on standard output
    EMAIL_URL=dummy://                                            messages dropped

A user or password with reserved characters (@, :, /) is percent-encoded in the URL (`p%40ss` for `p@ss`).
"""

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
BACKENDS = {
    "smtp": SMTP_BACKEND,
    "smtps": SMTP_BACKEND,
    "console": "django.core.mail.backends.console.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}
DEFAULT_TIMEOUT = 10  # seconds: an SMTP server that does not answer must not hold a request or the command for long


def _flag(name, value):
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected one of 1/0, true/false, yes/no, on/off.")


def _number(name, value, minimum=0):
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number, at least {minimum}.")
    return number


def _redacted(url):
    """The URL without its password, for an error message."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def parse_email_url(url):
    """The Django settings an `EMAIL_URL` stands for (see the module's docstring)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in BACKENDS:
        raise ImproperlyConfigured(
            f"EMAIL_URL={_redacted(url)!r}: expected smtp://, smtps://, console:// or dummy:// "
            "(e.g. smtp://user:password@smtp.example.org:587/?tls=1)."
        )
    config = {"EMAIL_BACKEND": BACKENDS[scheme]}
    if scheme not in {"smtp", "smtps"}:
        return config
    query = {key.lower(): values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    use_ssl = scheme == "smtps" or _flag("EMAIL_URL ssl", query.get("ssl", ""))
    use_tls = _flag("EMAIL_URL tls", query.get("tls", ""))
    if use_ssl and use_tls:
        raise ImproperlyConfigured(
            f"EMAIL_URL={_redacted(url)!r}: tls (STARTTLS, port 587) and ssl (smtps://, port 465) exclude each other."
        )
    if not parts.hostname:
        raise ImproperlyConfigured(f"EMAIL_URL={_redacted(url)!r}: the SMTP server's host name is missing.")
    try:
        port = parts.port
    except ValueError as error:
        raise ImproperlyConfigured(f"EMAIL_URL={_redacted(url)!r}: the port is not a number.") from error
    config.update(
        EMAIL_HOST=parts.hostname,
        EMAIL_PORT=port or (465 if use_ssl else 587 if use_tls else 25),
        EMAIL_HOST_USER=unquote(parts.username or ""),
        EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
        EMAIL_USE_TLS=use_tls,
        EMAIL_USE_SSL=use_ssl,
    )
    if "timeout" in query:
        config["EMAIL_TIMEOUT"] = _number("EMAIL_URL timeout", query["timeout"], 1)
    return config


def email_settings(environ):
    """EMAIL_BACKEND, EMAIL_HOST… from `EMAIL_URL` or from the separate variables (not both); SMTP on localhost:25
    when nothing is set, as Django does (a message that cannot leave then waits in the outbox, it is not lost).
    Also the outbox's EMAIL_MAX_ATTEMPTS and EMAIL_RETRY_DELAY (seconds before the first retry)."""
    url = environ.get("EMAIL_URL", "")
    separate = [
        name for name in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD") if environ.get(name)
    ]
    if url and separate:
        raise ImproperlyConfigured(
            f"EMAIL_URL and {', '.join(separate)} are both set: give the SMTP server in one way only."
        )
    config = {
        "EMAIL_TIMEOUT": _number("EMAIL_TIMEOUT", environ.get("EMAIL_TIMEOUT") or str(DEFAULT_TIMEOUT), 1),
        "EMAIL_MAX_ATTEMPTS": _number("EMAIL_MAX_ATTEMPTS", environ.get("EMAIL_MAX_ATTEMPTS") or "10", 1),
        "EMAIL_RETRY_DELAY": _number("EMAIL_RETRY_DELAY", environ.get("EMAIL_RETRY_DELAY") or "60", 1),
    }
    if url:
        config.update(parse_email_url(url))
        return config
    use_ssl = _flag("EMAIL_USE_SSL", environ.get("EMAIL_USE_SSL", ""))
    use_tls = _flag("EMAIL_USE_TLS", environ.get("EMAIL_USE_TLS", ""))
    if use_ssl and use_tls:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are both on: choose one.")
    config.update(
        EMAIL_BACKEND=SMTP_BACKEND,
        EMAIL_HOST=environ.get("EMAIL_HOST") or "localhost",
        EMAIL_PORT=_number("EMAIL_PORT", environ.get("EMAIL_PORT") or str(465 if use_ssl else 587 if use_tls else 25)),
        EMAIL_HOST_USER=environ.get("EMAIL_HOST_USER", ""),
        EMAIL_HOST_PASSWORD=environ.get("EMAIL_HOST_PASSWORD", ""),
        EMAIL_USE_TLS=use_tls,
        EMAIL_USE_SSL=use_ssl,
    )
    return config


def site_url(value):
    """SITE_URL without its trailing slash: the scheme and host that links in e-mails start with."""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise ImproperlyConfigured(
            f"SITE_URL={value!r}: expected the site's public address, e.g. https://actions.centres-sociaux.fr."
        )
    return value.rstrip("/")
