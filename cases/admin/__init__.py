"""Staff data entry. Importing the modules registers their ModelAdmins."""

from . import agencies, corrections, detainers, people, reference, reports  # noqa: F401
