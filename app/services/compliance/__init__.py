"""The compliance engine: every unmet requirement of the programme, as findings."""

from app.services.compliance.engine import ComplianceReport, run_check, run_on_snapshot
from app.services.compliance.findings import BLOCKING, WARNING, Finding

__all__ = ["BLOCKING", "WARNING", "ComplianceReport", "Finding", "run_check", "run_on_snapshot"]
