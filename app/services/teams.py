"""Teams with roles and duties, and 学科研修组 with a 组长."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from app.errors import NotFoundError, ValidationError
from app.models import StudyGroup, Teacher, Team, TeamMember
from app.services.validation import normalize_text

TEAM_KINDS = ("校级管理团队", "信息化教学创新研修团队", "培训指导团队", "工程领导小组", "项目办公室", "其他")


@dataclass(frozen=True)
class MemberRow:
    id: int
    team_id: int
    teacher_id: int | None
    name: str
    role: str
    duty: str
    is_first_responsible: bool


@dataclass(frozen=True)
class TeamRow:
    id: int
    kind: str
    name: str
    duty: str
    members: tuple[MemberRow, ...]


@dataclass(frozen=True)
class GroupRow:
    id: int
    name: str
    subject: str
    leader_id: int | None
    leader: str
    common_point: str
    member_ids: tuple[int, ...]


def team_kinds(ws) -> tuple[str, ...]:
    """The usual team kinds, plus any the school's programme requires by another name."""
    from app.models import Programme
    from app.services.programmes import current_rules
    with ws.sessions() as s:
        named = [t["kind"] for t in current_rules(s).teams] if s.exec(select(Programme.id)).first() else []
    return tuple(dict.fromkeys([*TEAM_KINDS[:-1], *named, TEAM_KINDS[-1]]))


def save_team(ws, team_id: int | None, *, kind: str, name: str = "", duty: str = "") -> TeamRow:
    kind = normalize_text(kind)
    kinds = team_kinds(ws)
    if kind not in kinds:
        raise ValidationError(f"团队类型应为：{'、'.join(kinds)}。", field="kind")
    name = normalize_text(name) or kind
    with ws.sessions() as s:
        other = s.exec(select(Team).where(Team.name == name)).first()
        if other and other.id != team_id:
            raise ValidationError(f"团队“{name}”已存在。", field="name")
        t = Team(kind=kind, name=name) if team_id is None else s.get(Team, team_id)
        if t is None:
            raise NotFoundError("找不到该团队。")
        t.kind, t.name, t.duty = kind, name, normalize_text(duty)
        s.add(t)
        s.commit()
        return _team_row(s, t)


def _team_row(s, t: Team) -> TeamRow:
    names = {x.id: x.name for x in s.exec(select(Teacher))}
    members = tuple(MemberRow(m.id, m.team_id, m.teacher_id, names.get(m.teacher_id, m.name) if m.teacher_id
                              else m.name, m.role, m.duty, m.is_first_responsible)
                    for m in s.exec(select(TeamMember).where(TeamMember.team_id == t.id).order_by(
                        TeamMember.is_first_responsible.desc(), TeamMember.id)))
    return TeamRow(t.id, t.kind, t.name, t.duty, members)


def add_member(ws, team_id: int, *, teacher_id: int | None = None, name: str = "", role: str = "",
               duty: str = "", first_responsible: bool = False) -> TeamRow:
    name = normalize_text(name)
    if teacher_id is None and not name:
        raise ValidationError("请选择本校教师或填写校外成员姓名。", field="name")
    with ws.sessions() as s:
        team = s.get(Team, team_id)
        if team is None:
            raise NotFoundError("找不到该团队。")
        if teacher_id is not None and s.get(Teacher, teacher_id) is None:
            raise NotFoundError("找不到该教师。")
        if first_responsible:
            for m in s.exec(select(TeamMember).where(TeamMember.team_id == team_id)):
                m.is_first_responsible = False
                s.add(m)
        s.add(TeamMember(team_id=team_id, teacher_id=teacher_id, name=name, role=normalize_text(role),
                         duty=normalize_text(duty), is_first_responsible=first_responsible))
        s.commit()
        return _team_row(s, team)


def remove_member(ws, member_id: int) -> None:
    with ws.sessions() as s:
        m = s.get(TeamMember, member_id)
        if m is None:
            raise NotFoundError("找不到该成员。")
        s.delete(m)
        s.commit()


def list_teams(ws) -> list[TeamRow]:
    with ws.sessions() as s:
        return [_team_row(s, t) for t in s.exec(select(Team).order_by(Team.id))]


def remove_team(ws, team_id: int) -> None:
    with ws.sessions() as s:
        t = s.get(Team, team_id)
        if t is None:
            raise NotFoundError("找不到该团队。")
        s.delete(t)
        s.commit()


def save_group(ws, group_id: int | None, *, name: str, subject: str = "", leader_id: int | None = None,
               common_point: str = "", member_ids: list[int] | None = None) -> GroupRow:
    name = normalize_text(name)
    if not name:
        raise ValidationError("研修组名称不能为空。", field="name")
    with ws.sessions() as s:
        other = s.exec(select(StudyGroup).where(StudyGroup.name == name)).first()
        if other and other.id != group_id:
            raise ValidationError(f"研修组“{name}”已存在。", field="name")
        g = StudyGroup(name=name) if group_id is None else s.get(StudyGroup, group_id)
        if g is None:
            raise NotFoundError("找不到该研修组。")
        g.name, g.subject, g.leader_id = name, normalize_text(subject), leader_id
        g.common_point = normalize_text(common_point).upper()
        s.add(g)
        s.flush()
        if member_ids is not None:
            wanted = set(member_ids) | ({leader_id} if leader_id else set())
            for t in s.exec(select(Teacher).where((Teacher.group_id == g.id) | Teacher.id.in_(wanted))):
                t.group_id = g.id if t.id in wanted else None
                s.add(t)
        elif leader_id:
            leader = s.get(Teacher, leader_id)
            leader.group_id = g.id
            s.add(leader)
        s.commit()
        return _group_row(s, g)


def _group_row(s, g: StudyGroup) -> GroupRow:
    members = s.exec(select(Teacher).where(Teacher.group_id == g.id).order_by(Teacher.id)).all()
    leader = s.get(Teacher, g.leader_id) if g.leader_id else None
    return GroupRow(g.id, g.name, g.subject, g.leader_id, leader.name if leader else "", g.common_point,
                    tuple(t.id for t in members))


def list_groups(ws) -> list[GroupRow]:
    with ws.sessions() as s:
        return [_group_row(s, g) for g in s.exec(select(StudyGroup).order_by(StudyGroup.id))]


def remove_group(ws, group_id: int) -> None:
    with ws.sessions() as s:
        g = s.get(StudyGroup, group_id)
        if g is None:
            raise NotFoundError("找不到该研修组。")
        s.delete(g)
        s.commit()
