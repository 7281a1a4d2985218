"""The staff admin site: two-factor authentication (TOTP, django-otp) when
settings.REQUIRE_2FA is true, which is the production default.

Read at request time, not import time, so tests and deployments can switch it.
"""

from django.conf import settings
from django.contrib import admin
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class StaffAdminSite(admin.AdminSite):
    site_header = "Declined Detainers: staff"
    site_title = "Declined Detainers staff"
    index_title = "Data entry"

    @property
    def login_form(self):
        return OTPAdminAuthenticationForm if settings.REQUIRE_2FA else None

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.REQUIRE_2FA else None

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not settings.REQUIRE_2FA or request.user.is_verified()
