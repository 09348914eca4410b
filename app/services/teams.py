"""Teams with roles and duties, and 学科研修组 with a 组长."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from app.errors import ConfirmationRequired, NotFoundError, ValidationError
from app.models import StudyGroup, Teacher, Team, TeamMember
from app.models.base import now
from app.services.naming import clean_text, find_by_name_or_id
from app.services.validation import normalize_text
from app.vocab import TEAM_KINDS  # noqa: F401 (defined there for the command line)


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
        shown = f"团队类型“{kind}”无效，" if kind else "请指定团队类型，"
        raise ValidationError(f"{shown}应为：{'、'.join(kinds)}。", field="kind")
    name = clean_text(name, "团队名称", 40, field="name") or kind
    duty = clean_text(duty, "团队职责", 200, field="duty")
    with ws.sessions() as s:
        other = s.exec(select(Team).where(Team.name == name)).first()
        if other and other.id != team_id:
            raise ValidationError(f"团队“{name}”已存在。", field="name")
        t = Team(kind=kind, name=name) if team_id is None else s.get(Team, team_id)
        if t is None:
            raise NotFoundError("找不到该团队。")
        t.kind, t.name, t.duty = kind, name, duty
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
    name = clean_text(name, "校外成员姓名", 30, field="name")
    role = clean_text(role, "角色", 30, field="role")
    duty = clean_text(duty, "分工", 200, field="duty")
    if teacher_id is None and not name:
        raise ValidationError("请选择本校教师或填写校外成员姓名。", field="name")
    with ws.sessions() as s:
        team = s.get(Team, team_id)
        if team is None:
            raise NotFoundError("找不到该团队。")
        teacher = s.get(Teacher, teacher_id) if teacher_id is not None else None
        if teacher_id is not None and teacher is None:
            raise NotFoundError("找不到该教师。")
        # One person, one membership per team: a second row would count them twice.
        same = (TeamMember.teacher_id == teacher_id) if teacher is not None else (
            (TeamMember.teacher_id == None) & (TeamMember.name == name))  # noqa: E711
        dup = s.exec(select(TeamMember).where(TeamMember.team_id == team_id, same)).first()
        if dup is not None:
            who = teacher.name if teacher is not None else name
            raise ValidationError(f"“{who}”已是团队“{team.name}”的成员（成员编号 {dup.id}），不能重复添加。",
                                  field="teacher_id" if teacher is not None else "name")
        if first_responsible:
            for m in s.exec(select(TeamMember).where(TeamMember.team_id == team_id)):
                m.is_first_responsible = False
                s.add(m)
        s.add(TeamMember(team_id=team_id, teacher_id=teacher_id, name=name, role=role,
                         duty=duty, is_first_responsible=first_responsible))
        s.commit()
        return _team_row(s, team)


def remove_member(ws, member_id: int) -> MemberRow:
    """Remove one membership; returns it as it was."""
    with ws.sessions() as s:
        m = s.get(TeamMember, member_id)
        if m is None:
            raise NotFoundError(f"找不到编号为 {member_id} 的团队成员。", cli_hint="成员编号见 tisheng team show 团队。")
        teacher = s.get(Teacher, m.teacher_id) if m.teacher_id else None
        row = MemberRow(m.id, m.team_id, m.teacher_id, teacher.name if teacher else m.name, m.role, m.duty,
                        m.is_first_responsible)
        s.delete(m)
        s.commit()
        return row


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
               common_point: str = "", member_ids: list[int] | None = None,
               move_leader: bool | None = None) -> GroupRow:
    """Create or replace a 研修组; the 组长 becomes a member of it.

    move_leader None keeps the window's behaviour (a 组长 from another group is moved with the
    members chosen). False refuses a 组长 who belongs to another group, naming it; True moves
    them, and a group they led is left without a 组长 rather than led by an outsider.
    """
    name = clean_text(name, "研修组名称", 40, field="name", required=True)
    subject = clean_text(subject, "学科", 20, field="subject")
    common_point = clean_text(common_point, "共同能力点", 8, field="common_point").upper()
    with ws.sessions() as s:
        other = s.exec(select(StudyGroup).where(StudyGroup.name == name)).first()
        if other and other.id != group_id:
            raise ValidationError(f"研修组“{name}”已存在。", field="name")
        g = StudyGroup(name=name) if group_id is None else s.get(StudyGroup, group_id)
        if g is None:
            raise NotFoundError("找不到该研修组。")
        leader = s.get(Teacher, leader_id) if leader_id else None
        if leader_id and leader is None:
            raise NotFoundError("找不到所选的组长（该教师可能已被删除）。")
        g.name, g.subject, g.leader_id = name, subject, leader_id
        g.common_point = common_point
        if leader is not None and move_leader is not None:
            _leave_current_group(s, leader, target=g, move=move_leader, as_leader=True)
        s.add(g)
        s.flush()
        if member_ids is not None:
            wanted = set(member_ids) | ({leader_id} if leader_id else set())
            for t in s.exec(select(Teacher).where((Teacher.group_id == g.id) | Teacher.id.in_(wanted))):
                t.group_id = g.id if t.id in wanted else None
                s.add(t)
        elif leader is not None:
            leader.group_id = g.id
            s.add(leader)
        s.commit()
        return _group_row(s, g)


@dataclass(frozen=True)
class MovedTeacher:
    id: int
    name: str
    staff_no: str
    previous_group: str          # "" when the teacher was in no group


@dataclass(frozen=True)
class GroupChange:
    """What `join_group` / `leave_group` did."""

    group: GroupRow | None       # the group joined; None after leaving
    teachers: tuple[MovedTeacher, ...]
    leaderless_groups: tuple[str, ...]   # groups whose 组长 left by this change


def _leave_current_group(s, t: Teacher, *, target: StudyGroup | None, move: bool, as_leader: bool) -> str:
    """Check that teacher t may leave the group they are in for `target` (None: no group).

    Returns the name of a group t led and that is left without a 组长 ("" if none). Raises
    ConfirmationRequired, naming the group, when the move needs confirming and `move` is False.
    """
    if t.group_id is None or (target is not None and t.group_id == target.id):
        return ""
    current = s.get(StudyGroup, t.group_id)
    leads = current.leader_id == t.id
    where = f"“{target.name}”" if target is not None else ""
    if as_leader and not move:
        tail = f"，“{current.name}”的组长将空缺" if leads else ""
        raise ConfirmationRequired(f"{t.name}目前属于研修组“{current.name}”，不能直接设为{where}的组长（每位教师只属于一个研修组）。"
                                   f"如确需调动，请确认调动（该教师将离开“{current.name}”{tail}）。",
                                   cli_hint="确认调动：命令行加 --move。")
    if leads and not move:
        if target is None:
            raise ConfirmationRequired(f"{t.name}是研修组“{current.name}”的组长，离组后该组将没有组长。"
                                       f"请先为“{current.name}”另选组长，或确认离组。",
                                       cli_hint="另选组长：tisheng group set 研修组 --leader 教师；确认离组：命令行加 --yes。")
        raise ConfirmationRequired(f"{t.name}是研修组“{current.name}”的组长，调入{where}后“{current.name}”将没有组长。"
                                   f"请先为“{current.name}”另选组长，或确认调动。",
                                   cli_hint="另选组长：tisheng group set 研修组 --leader 教师；确认调动：命令行加 --move。")
    if leads:
        current.leader_id = None
        s.add(current)
        return current.name
    return ""


def _set_group(s, teacher_ids: list[int], target: StudyGroup | None, *, move: bool) -> GroupChange:
    teachers, problems, moved, leaderless = [], [], [], []
    hint = ""
    for tid in dict.fromkeys(teacher_ids):
        t = s.get(Teacher, tid)
        if t is None:
            raise NotFoundError("所列教师中有人不存在（可能已被删除）。")
        teachers.append(t)
    names = {g.id: g.name for g in s.exec(select(StudyGroup))}
    for t in teachers:
        try:
            lost = _leave_current_group(s, t, target=target, move=move, as_leader=False)
        except ConfirmationRequired as exc:
            problems.append(exc.user_message)
            hint = exc.cli_hint
            continue
        if lost:
            leaderless.append(lost)
        moved.append(MovedTeacher(t.id, t.name, t.staff_no or "", names.get(t.group_id, "") if t.group_id else ""))
        t.group_id, t.updated_at = (target.id if target is not None else None), now()
        s.add(t)
    if problems:        # every refusal at once, and nothing changed
        raise ConfirmationRequired(problems[0] if len(problems) == 1 else "以下教师不能调动，未做任何更改：",
                                   details=problems if len(problems) > 1 else None, cli_hint=hint)
    s.commit()
    return GroupChange(_group_row(s, target) if target is not None else None, tuple(moved), tuple(leaderless))


def join_group(ws, group_id: int, teacher_ids: list[int], *, move_leaders: bool = False) -> GroupChange:
    """Put teachers in a 研修组. Ordinary members of another group move (and are reported);
    the 组长 of another group moves only when move_leaders is given."""
    with ws.sessions() as s:
        g = s.get(StudyGroup, group_id)
        if g is None:
            raise NotFoundError("找不到该研修组。")
        return _set_group(s, teacher_ids, g, move=move_leaders)


def leave_group(ws, teacher_ids: list[int], *, drop_leaders: bool = False) -> GroupChange:
    """Take teachers out of their 研修组; a 组长 leaves only when drop_leaders is given."""
    with ws.sessions() as s:
        return _set_group(s, teacher_ids, None, move=drop_leaders)


def find_team(ws, ref: object) -> TeamRow:
    """A team named on the command line by its name or its number."""
    with ws.sessions() as s:
        return _team_row(s, find_by_name_or_id(s, Team, ref, noun="团队"))


def find_group(ws, ref: object) -> GroupRow:
    """A 研修组 named on the command line by its name or its number."""
    with ws.sessions() as s:
        return _group_row(s, find_by_name_or_id(s, StudyGroup, ref, noun="研修组"))


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
