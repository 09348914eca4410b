"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from app.models.activity import ActivityAttendance, ActivityFile, TrainingActivity
from app.models.assessment import Assessment
from app.models.audit import AuditEntry, ImportedRow
from app.models.case import ExcellentCase
from app.models.catalogue import AbilityPoint, EvidenceItem
from app.models.choice import AbilityChoice
from app.models.course import SchoolCourse
from app.models.deadline import Deadline
from app.models.district import (BundleEvidence, BundlePerson, DistrictKey, DistrictOffice, DistrictReceipt,
                                 DistrictUnit, IntakeEvent, ReceivedBundle, TrustedDistrict)
from app.models.evidence import Blob, EvidenceFile
from app.models.hours import HoursRecord
from app.models.pack import CollectionPack, PackEvent, PackMerge
from app.models.plan import PlanDocument
from app.models.programme import Programme, ProgrammeChange
from app.models.school import School, TeachingPoint
from app.models.self_assessment import SelfAssessmentEntry
from app.models.support import SupportRecord
from app.models.teacher import Teacher
from app.models.team import StudyGroup, Team, TeamMember

__all__ = [
    "AbilityChoice", "AbilityPoint", "ActivityAttendance", "ActivityFile", "Assessment",
    "AuditEntry", "Blob", "BundleEvidence", "BundlePerson", "CollectionPack", "Deadline", "DistrictKey",
    "DistrictOffice", "DistrictReceipt", "DistrictUnit", "EvidenceFile", "EvidenceItem", "ExcellentCase",
    "HoursRecord", "ImportedRow", "IntakeEvent", "PackEvent", "PackMerge", "PlanDocument", "Programme",
    "ProgrammeChange", "ReceivedBundle", "School", "SchoolCourse", "SelfAssessmentEntry",
    "StudyGroup", "SupportRecord", "Teacher", "TeachingPoint", "Team", "TeamMember",
    "TrainingActivity", "TrustedDistrict",
]
