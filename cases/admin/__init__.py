"""Staff data entry. Importing the modules registers their ModelAdmins."""

from django.contrib import admin

from . import agencies, corrections, detainers, people, reference, reports  # noqa: F401

admin.site.site_header = "Declined Detainers: staff"
admin.site.site_title = "Declined Detainers staff"
admin.site.index_title = "Data entry"
