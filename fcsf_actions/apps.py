from django.contrib.admin.apps import AdminConfig


class FcsfAdminConfig(AdminConfig):
    """django.contrib.admin, with the project's site (fcsf_actions/admin_site.py) as `admin.site`."""

    default_site = "fcsf_actions.admin_site.FcsfAdminSite"
