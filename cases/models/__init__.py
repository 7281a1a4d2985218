"""The cases data model. See ../shared/DOMAIN.md and ARCHITECTURE.md."""

from .agencies import Agency, AgencyType
from .base import SlugAlias
from .corrections import Correction
from .detainers import CaseCharge, Detainer, DetainerForm, VerificationStatus, case_id_for
from .people import Arrest, ArrestCharge, ChargeKind, Gender, Individual
from .reference import ChargeCategory, FieldOffice
from .reports import Report, ReportKind, ReportStatus
from .rollups import (
    CaseAgencyRollup,
    CaseReportRollup,
    CaseRollup,
    ChargeAgencyRollup,
    ChargeCitizenshipRollup,
    ChargeReportRollup,
    ChargeRollup,
)

__all__ = [
    "Agency",
    "AgencyType",
    "Arrest",
    "ArrestCharge",
    "CaseAgencyRollup",
    "CaseCharge",
    "CaseReportRollup",
    "CaseRollup",
    "ChargeAgencyRollup",
    "ChargeCategory",
    "ChargeKind",
    "ChargeCitizenshipRollup",
    "ChargeReportRollup",
    "ChargeRollup",
    "Correction",
    "Detainer",
    "DetainerForm",
    "FieldOffice",
    "Gender",
    "Individual",
    "Report",
    "ReportKind",
    "ReportStatus",
    "SlugAlias",
    "VerificationStatus",
    "case_id_for",
]
