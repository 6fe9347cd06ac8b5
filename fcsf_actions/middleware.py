"""Response headers that Django's SecurityMiddleware does not set, and a request id for the logs."""

import base64
import functools
import hashlib
import re
import uuid
from pathlib import Path

import csp.middleware
from django.conf import settings

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response (pages, errors, static files, API); an X-Request-ID to trace a
    request from the proxy's log to ours: kept from the proxy if it sent a sane one, made up otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        response = self.get_response(request)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("X-Request-ID", request.request_id)
        return response


@functools.cache
def admin_style_hashes():
    """CSP hashes of the `<style>` elements of Django's own admin templates (change_list.html writes one when a
    list has no bulk action), read from the installed Django so that an upgrade keeps them right."""
    import django.contrib.admin

    templates = Path(django.contrib.admin.__file__).parent / "templates" / "admin"
    hashes = []
    for template in sorted(templates.glob("*.html")):
        for css in re.findall(r"<style>(.*?)</style>", template.read_text(encoding="utf-8"), re.DOTALL):
            digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
            hashes.append(f"'sha256-{digest}'")
    return hashes


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware; under /admin/ only, Django's own inline `<style>` elements are allowed by hash
    (nothing else is relaxed: the other inline bits of the admin are fixed in templates/, see README)."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith("/admin/"):
            parts.update = {**(parts.update or {}), "style-src": admin_style_hashes()}
        return parts
