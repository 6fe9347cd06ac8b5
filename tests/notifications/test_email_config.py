"""The SMTP server and the site's address, from the environment."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from notifications.email_config import SMTP_BACKEND, email_settings, site_url


def test_an_smtp_url_with_starttls_and_an_encoded_password():
    config = email_settings({"EMAIL_URL": "smtp://robot%40fcsf:p%40ss%2Fw@smtp.example.org:2587/?tls=1&timeout=3"})
    assert config == {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 2587,
        "EMAIL_HOST_USER": "robot@fcsf",
        "EMAIL_HOST_PASSWORD": "p@ss/w",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 3,
        "EMAIL_MAX_ATTEMPTS": 10,
        "EMAIL_RETRY_DELAY": 60,
    }


@pytest.mark.parametrize(
    "url,port,tls,ssl",
    [
        ("smtp://smtp.example.org", 25, False, False),
        ("smtp://smtp.example.org?tls=1", 587, True, False),
        ("smtps://smtp.example.org", 465, False, True),
        ("smtp://smtp.example.org/?ssl=yes", 465, False, True),
    ],
)
def test_default_ports_follow_the_encryption(url, port, tls, ssl):
    config = email_settings({"EMAIL_URL": url})
    assert (config["EMAIL_PORT"], config["EMAIL_USE_TLS"], config["EMAIL_USE_SSL"]) == (port, tls, ssl)


def test_console_writes_messages_on_standard_output():
    assert email_settings({"EMAIL_URL": "console://"})["EMAIL_BACKEND"] == (
        "django.core.mail.backends.console.EmailBackend"
    )


def test_the_usual_separate_variables():
    config = email_settings(
        {
            "EMAIL_HOST": "relay.example.org",
            "EMAIL_HOST_USER": "robot",
            "EMAIL_HOST_PASSWORD": "x",
            "EMAIL_USE_TLS": "1",
        }
    )
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_USE_TLS"]) == ("relay.example.org", 587, True)
    assert email_settings({})["EMAIL_HOST"] == "localhost"


@pytest.mark.parametrize(
    "environ,message",
    [
        ({"EMAIL_URL": "smtp://robot:secret@smtp.example.org:xx"}, "port is not a number"),
        ({"EMAIL_URL": "mailto://smtp.example.org"}, "expected smtp://"),
        ({"EMAIL_URL": "smtp://smtp.example.org?tls=1&ssl=1"}, "exclude each other"),
        ({"EMAIL_URL": "smtp://:secret@/"}, "host name is missing"),
        ({"EMAIL_URL": "smtp://smtp.example.org?tls=peut-être"}, "EMAIL_URL tls"),
        ({"EMAIL_URL": "console://", "EMAIL_HOST": "relay.example.org"}, "in one way only"),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "choose one"),
        ({"EMAIL_PORT": "vingt-cinq"}, "EMAIL_PORT"),
        ({"EMAIL_MAX_ATTEMPTS": "0"}, "at least 1"),
    ],
)
def test_bad_values_are_refused_with_what_to_write_and_never_the_password(environ, message):
    with pytest.raises(ImproperlyConfigured, match=message) as error:
        email_settings(environ)
    assert "secret" not in str(error.value)


def test_site_url():
    assert site_url("https://actions.example.org/") == "https://actions.example.org"
    with pytest.raises(ImproperlyConfigured, match="SITE_URL"):
        site_url("actions.example.org")


def test_in_production_links_default_to_https_on_the_first_public_host():
    env = {
        **os.environ,
        "ALLOWED_HOSTS": ".example.org,actions.example.org,localhost",
        "SECRET_KEY": "k" * 64,
        "DJANGO_SETTINGS_MODULE": "fcsf_actions.settings.base",
    }
    env.pop("SITE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.SITE_URL)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "https://actions.example.org"
