"""What the window may ask of the services: one narrow facade per area, bound to the open data folder.

Widgets never hold the Workspace. A page gets `Facades` (the window's, built by the
controller) and calls, *inside a work function handed to the job runner*,

    jobs.run_in_background(self, lambda ctx: self.api.teachers.list_teachers(), on_done=self._fill)

Each facade lists exactly the operations its widgets use, as the service function with
the workspace bound (`read`), or as a write that also says which topics it changed
(`write`: the call returns `Changed(value, Changes(...))`, and the runner publishes the
topics on the event bus and gives the caller `value`). Targets are named "module:function"
and imported on first use, so opening the window imports only what its first page needs.
tests/test_layering.py checks that nothing in app/ui calls a facade or a service
operation outside a work function, and tests/test_facades.py that every target exists
and takes the workspace.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.ui.changes import Changed, Changes


class _Op:
    """A service function exposed by a facade: `target` is "module:function", called with the
    facade's workspace (or its paths) first. `changes` makes it a write."""

    def __init__(self, target: str, changes: Changes | None, first: str) -> None:
        self.target, self.changes, self.first = target, changes, first
        self._fn: Callable | None = None
        self.name = ""

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def resolve(self) -> Callable:
        if self._fn is None:
            module, _, attr = self.target.partition(":")
            fn: Any = importlib.import_module(module)
            for part in attr.split("."):
                fn = getattr(fn, part)
            self._fn = fn
        return self._fn

    def __get__(self, facade, owner):
        if facade is None:
            return self
        fn, changes = self.resolve(), self.changes
        first = {"ws": facade._ws, "paths": getattr(facade._ws, "paths", None), "": None}[self.first]

        def call(*args, **kwargs):
            value = fn(first, *args, **kwargs) if self.first else fn(*args, **kwargs)
            return value if changes is None else Changed(value, changes)

        call.__name__ = call.__qualname__ = self.name
        call.__doc__ = getattr(fn, "__doc__", None)
        return call


def read(target: str, *, first: str = "ws") -> _Op:
    """An operation that changes nothing the pages show."""
    return _Op(target, None, first)


def write(target: str, *topics: str, first: str = "ws") -> _Op:
    """An operation that changes the given topics (see app.ui.changes.TOPICS)."""
    return _Op(target, Changes(*topics), first)


class Facade:
    def __init__(self, ws) -> None:
        self._ws = ws

    @classmethod
    def operations(cls) -> dict[str, _Op]:
        return {name: op for klass in reversed(cls.__mro__) for name, op in vars(klass).items()
                if isinstance(op, _Op)}


_T, _TS = "app.services.teachers", "app.services.teams"


class SchoolFacade(Facade):
    get_school = read("app.services.school:get_school")
    init_school = write("app.services.school:init_school", "data")
    update_school = write("app.services.school:update_school", "school")
    list_teaching_points = read("app.services.school:list_teaching_points")
    add_teaching_point = write("app.services.school:add_teaching_point", "school", "teachers")
    remove_teaching_point = write("app.services.school:remove_teaching_point", "school", "teachers")
    change_programme = write("app.services.school:change_programme", "data")


class ProgrammeFacade(Facade):
    show_programme = read("app.services.programmes.adjust:show_programme")
    set_rule = write("app.services.programmes.adjust:set_rule", "data")
    reset_rule = write("app.services.programmes.adjust:reset_rule", "data")
    import_programme = write("app.services.programmes.adjust:import_programme", "data")
    export_programme = read("app.services.programmes.adjust:export_programme")
    list_indicators = read("app.services.self_assessment:list_indicators")
    rate = write("app.services.self_assessment:rate", "plans")


class TeachersFacade(Facade):
    list_teachers = read(f"{_T}:list_teachers")
    add_teacher = write(f"{_T}:add_teacher", "teachers")
    update_teacher = write(f"{_T}:update_teacher", "teachers")
    deletion_impact = read(f"{_T}:deletion_impact")
    remove_teacher = write(f"{_T}:remove_teacher", "teachers", "hours", "teams", "choices", "evidence", "assessment")
    list_groups = read(f"{_TS}:list_groups")
    list_teaching_points = read("app.services.school:list_teaching_points")
    get_school = read("app.services.school:get_school")
    teacher_progress = read("app.services.dashboard:teacher_progress")


class TeamsFacade(Facade):
    list_teachers = read(f"{_T}:list_teachers")
    list_teams = read(f"{_TS}:list_teams")
    list_groups = read(f"{_TS}:list_groups")
    team_kinds = read(f"{_TS}:team_kinds")
    save_team = write(f"{_TS}:save_team", "teams")
    remove_team = write(f"{_TS}:remove_team", "teams", "teachers")
    add_member = write(f"{_TS}:add_member", "teams")
    remove_member = write(f"{_TS}:remove_member", "teams", "teachers")
    save_group = write(f"{_TS}:save_group", "teams", "teachers")
    remove_group = write(f"{_TS}:remove_group", "teams", "teachers")


class HoursFacade(Facade):
    list_teachers = read(f"{_T}:list_teachers")
    hours_requirements = read("app.services.dashboard:hours_requirements")
    teacher_progress = read("app.services.dashboard:teacher_progress")
    list_hours = read("app.services.hours:list_hours")
    teacher_totals = read("app.services.hours:teacher_totals")
    add_hours = write("app.services.hours:add_hours", "hours")
    remove_hours = write("app.services.hours:remove_hours", "hours")
    list_activities = read("app.services.activities:list_activities")
    save_activity = write("app.services.activities:save_activity", "hours")
    remove_activity = write("app.services.activities:remove_activity", "hours")
    attach_activity_file = write("app.services.activities:attach_activity_file", "hours")
    list_courses = read("app.services.courses:list_courses")
    save_course = write("app.services.courses:save_course", "hours")
    remove_course = write("app.services.courses:remove_course", "hours")


class PlansFacade(Facade):
    list_plans = read("app.services.plans:list_plans")
    plan_kinds = read("app.services.plans:plan_kinds")
    save_plan = write("app.services.plans:save_plan", "plans", "deadlines")
    remove_plan = write("app.services.plans:remove_plan", "plans", "deadlines")
    plan_states = read("app.services.dashboard:plan_states")
    list_deadlines = read("app.services.dashboard:list_deadlines")
    set_deadline_done = write("app.services.dashboard:set_deadline_done", "deadlines")
    viewing_copy = read("app.services.missing_evidence:viewing_copy")


class DashboardFacade(Facade):
    load_dashboard = read("app.services.dashboard:load_dashboard")


class MicroFacade(Facade):
    school_matrix = read("app.services.matrix:school_matrix")
    evidence_items_by_point = read("app.services.matrix:evidence_items_by_point")
    teacher_choice_state = read("app.services.matrix:teacher_choice_state")
    set_choices = write("app.services.choices:set_choices", "choices")
    assign_common_point = write("app.services.matrix:assign_common_point", "choices")


class EvidenceFacade(Facade):
    get_school = read("app.services.school:get_school")
    evidence_overview = read("app.services.missing_evidence:evidence_overview")
    teacher_evidence = read("app.services.missing_evidence:teacher_evidence")
    add_files = write("app.services.missing_evidence:add_files", "evidence")
    replace_file = write("app.services.missing_evidence:replace_file", "evidence")
    remove_evidence = write("app.services.evidence:remove_evidence", "evidence")
    viewing_copy = read("app.services.missing_evidence:viewing_copy")
    export_missing_xlsx = read("app.services.missing_evidence:export_missing_xlsx", first="")


class AssessmentFacade(Facade):
    assessment_summary = read("app.services.review_queue:assessment_summary")
    queue_data = read("app.services.review_queue:queue_data")
    teacher_sheet = read("app.services.review_queue:teacher_sheet")
    assess = write("app.services.assessment:assess", "assessment")
    list_supports = read("app.services.assessment:list_supports")
    open_support = write("app.services.assessment:open_support", "assessment")
    close_support = write("app.services.assessment:close_support", "assessment")
    list_cases = read("app.services.assessment:list_cases")
    mark_case = write("app.services.assessment:mark_case", "assessment")
    unmark_case = write("app.services.assessment:unmark_case", "assessment")
    viewing_copy = read("app.services.missing_evidence:viewing_copy")


class ExportFacade(Facade):
    get_school = read("app.services.school:get_school")
    list_teachers = read(f"{_T}:list_teachers")
    preview_export = read("app.services.bundle.export:preview_export")
    export_bundle = read("app.services.bundle.export:export_bundle")
    make_forms = read("app.services.forms.api:make_forms")
    write_report = read("app.services.excel.report:write_report")
    school_key = read("app.services.keys:school_key")
    export_public = read("app.services.keys:export_public")


class ImportFacade(Facade):
    preview_roster = read("app.services.excel:preview_roster")
    remap_roster = read("app.services.excel:remap_roster")
    commit_roster = write("app.services.excel:commit_roster", "teachers", "school")
    preview_hours = read("app.services.excel:preview_hours")
    remap_hours = read("app.services.excel:remap_hours")
    commit_hours = write("app.services.excel:commit_hours", "hours")
    write_template = read("app.services.excel:write_template")
    export_roster = read("app.services.excel.exports:export_roster")
    export_hours = read("app.services.excel.exports:export_hours")


class BackupFacade(Facade):
    list_backups = read("app.services.backup.retention:list_backups")
    make_backup = read("app.services.backup.manual:make_backup")
    snapshot = read("app.services.backup.snapshot:snapshot", first="paths")
    restore = read("app.services.backup.restore:restore")


class PacksFacade(Facade):
    """The central school's side of collection packs (学校信息 › 教学点)."""

    list_teaching_points = read("app.services.school:list_teaching_points")
    list_groups = read(f"{_TS}:list_groups")
    list_teachers = read(f"{_T}:list_teachers")
    removable = read("app.services.packs.startup:removable", first="")
    preview_pack = read("app.services.packs.create:preview_pack")
    create_pack = write("app.services.packs.create:create_pack", "school")
    write_sheet = read("app.services.packs.sheet:write_sheet", first="")
    preview_merge = read("app.services.packs.merge:preview_merge")
    merge_return = write("app.services.packs.merge:merge_return", "data")


class ReceiptsFacade(Facade):
    """The school's side of district mode: the district's receipts and its signed programme."""

    trusted_district = read("app.services.district_link:trusted_district")
    import_receipt = write("app.services.district_link:import_receipt", "data")
    receipt_status = read("app.services.district_link:receipt_status")
    import_published_programme = write("app.services.district_link:import_published_programme", "data")


_D = "app.services.district"


class DistrictFacade(Facade):
    """The district office's window: intake, keys, paper, re-check, receipts, the county view."""

    init_district = write(f"{_D}.office:init_district", "data")
    office_info = read(f"{_D}.office:office_info")
    publish_programme = read(f"{_D}.publish:publish_programme")
    load_county = read(f"{_D}.county:load_county")
    write_county_workbook = read(f"{_D}.county_workbook:write_county_workbook")
    duplicate_evidence = read(f"{_D}.duplicates:duplicate_evidence")
    same_persons = read(f"{_D}.duplicates:same_persons")
    intake_log = read(f"{_D}.queries:intake_log")
    ingest = write(f"{_D}.intake:ingest", "data")
    list_keys = read(f"{_D}.register:list_keys")
    add_key = write(f"{_D}.register:add_key", "data")
    list_bundles = read(f"{_D}.queries:list_bundles")
    bundle_detail = read(f"{_D}.queries:bundle_detail")
    tie_paper = write(f"{_D}.paper:tie_paper", "data")
    issue_receipt = write(f"{_D}.receipts:issue_receipt", "data")
    recheck_all = write(f"{_D}.rerun:recheck_all", "data")


@dataclass(frozen=True)
class FolderInfo:
    """Where the open data folder is (plain values: showing them reads nothing)."""

    root: Path
    logs: Path
    tmp: Path                          # scratch files of this folder (previews), swept at start-up
    backups: Path
    database: Path


class Facades:
    """Every facade, bound to one open Workspace. Built by the controller; widgets get this."""

    def __init__(self, ws) -> None:
        self._ws = ws
        self.folder = FolderInfo(ws.paths.root, ws.paths.logs, ws.paths.tmp, ws.paths.backups, ws.paths.database)
        self.school = SchoolFacade(ws)
        self.programme = ProgrammeFacade(ws)
        self.teachers = TeachersFacade(ws)
        self.teams = TeamsFacade(ws)
        self.hours = HoursFacade(ws)
        self.plans = PlansFacade(ws)
        self.dashboard = DashboardFacade(ws)
        self.micro = MicroFacade(ws)
        self.evidence = EvidenceFacade(ws)
        self.assessment = AssessmentFacade(ws)
        self.export = ExportFacade(ws)
        self.importing = ImportFacade(ws)
        self.backup = BackupFacade(ws)
        self.packs = PacksFacade(ws)
        self.receipts = ReceiptsFacade(ws)
        self.district = DistrictFacade(ws)

    @property
    def workspace(self):
        """The Workspace itself: for the controller (open, close, switch) and tests, never widgets."""
        return self._ws

    @staticmethod
    def areas() -> dict[str, type[Facade]]:
        return {"school": SchoolFacade, "programme": ProgrammeFacade, "teachers": TeachersFacade,
                "teams": TeamsFacade, "hours": HoursFacade, "plans": PlansFacade, "dashboard": DashboardFacade,
                "micro": MicroFacade, "evidence": EvidenceFacade, "assessment": AssessmentFacade,
                "export": ExportFacade, "importing": ImportFacade, "backup": BackupFacade,
                "packs": PacksFacade, "receipts": ReceiptsFacade, "district": DistrictFacade}
