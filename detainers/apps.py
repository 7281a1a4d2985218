from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """Django's admin, with the two-factor staff site of detainers.admin_site."""

    default_site = "detainers.admin_site.StaffAdminSite"
