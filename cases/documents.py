"""Source documents: a report's PDF is checked, given a safe name and fingerprinted (SHA-256).

Kept free of model imports, because migrations refer to these functions by path.
"""

import hashlib
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify

PDF_MAGIC = b"%PDF-"
MAX_DOCUMENT_BYTES = getattr(settings, "SOURCE_DOCUMENT_MAX_BYTES", 25 * 1024 * 1024)


def validate_pdf(upload):
    """A real PDF (by its first bytes, not its name) and no bigger than the limit.

    Only a new upload is checked; a document already stored was checked when it arrived.
    """
    if getattr(upload, "_committed", False):
        return
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            f"The document is {upload.size / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_DOCUMENT_BYTES / 1024 / 1024:.0f} MB.",
            code="too_big",
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head != PDF_MAGIC:
        raise ValidationError("This file is not a PDF. Upload the report as published, in PDF format.", code="not_pdf")


def source_document_path(report, filename):
    """``reports/<report-slug>/<safe-name>.pdf``: no path parts or odd characters from the uploader."""
    stem = os.path.splitext(os.path.basename(filename.replace("\\", "/")))[0]
    safe = slugify(stem)[:80] or "report"
    folder = slugify(report.slug or "unsorted")[:60] or "unsorted"
    return f"reports/{folder}/{safe}.pdf"


def sha256_of(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()
