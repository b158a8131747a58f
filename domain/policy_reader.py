"""Building and validating a `Policy` from its YAML: every section checked up front."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction
from importlib import resources
from itertools import pairwise

import yaml

from domain import admissions as admissions_rules
from domain import grading as grading_rules
from domain import survey as survey_rules
from domain.periods import PeriodKind
from domain.policy import (
    _MESSAGE_FIELDS,
    _WEEKDAYS,
    DEFAULT_POLICY_FILE,
    MAX_REPORT_TYPE_LENGTH,
    MEMBER_CODE,
    REPORT_TYPE_CODE,
    AttendanceBand,
    CommitteeMember,
    CriteriaGroup,
    Criterion,
    DeadlineReminders,
    Escalation,
    MeetingReminders,
    NoticeNames,
    PlausibilityRule,
    Policy,
    QuietHours,
    RecordNudges,
    RegistrationRule,
    ReminderPolicy,
    ReportType,
    Rubric,
    TopLevelRequirements,
    WeeklyDigest,
)
from domain.quality import QualityLevel
from domain.text_vi import format_percent
from domain.yaml_node import YamlNode


def build_policy(root: YamlNode) -> Policy:
    if root.integer("version") != 1:
        root.fail("chỉ hỗ trợ version: 1", "version")
    target = root.rate("attendance_target")
    if target == 0:
        root.fail("phải lớn hơn 0", "attendance_target")
    rubric = _rubric(root.node("rubric"), target)
    policy = Policy(
        attendance_target=target,
        edit_grace_days=root.integer("edit_grace_days", 0, 31),
        registration=_registration(root.node("registration")),
        report_types=_report_types(root.node("report_types")),
        rubric=rubric,
        plausibility=_plausibility(root, rubric),
        reminders=_reminders(root.node("reminders")),
        survey=survey_rules.parse_policy(_section(root, "survey")),
        grading=grading_rules.parse_policy(_section(root, "grading")),
        admissions=admissions_rules.parse_policy(_section(root, "admissions")),
        source=root.source,
    )
    if root.has("notice"):
        policy = replace(policy, notice=_notice(root.node("notice")))
    if root.has("roll_up"):
        node = root.node("roll_up")
        policy = replace(policy, committee_counts_itself=node.flag("committee_counts_itself"))
        node.done()
    if root.has("committee_members"):
        policy = replace(policy, committee_members=_committee_members(root))
    root.done()
    return policy


def _notice(node: YamlNode) -> NoticeNames:
    def optional(key: str, default: str = "") -> str:
        if not node.has(key):
            return default
        value = node.raw(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            node.fail("phải là một chuỗi", key)
        return value.strip()

    names = NoticeNames(
        province=optional("province"),
        bloc=optional("bloc"),
        place=optional("place"),
        signer=optional("signer"),
        signer_title=optional("signer_title", NoticeNames.signer_title) or NoticeNames.signer_title,
        number_suffix=optional("number_suffix", NoticeNames.number_suffix)
        or NoticeNames.number_suffix,
    )
    node.done()
    return names


def _committee_members(root: YamlNode) -> tuple[CommitteeMember, ...]:
    value = root.raw("committee_members")
    if value in (None, []):
        return ()
    members = []
    for item in root.nodes("committee_members"):
        code = item.text("code")
        if not MEMBER_CODE.fullmatch(code):
            item.fail("mã phải gồm chữ, số, - hoặc _, tối đa 32 ký tự", "code")
        title = item.text("title") if item.has("title") else None
        members.append(CommitteeMember(code, item.text("name"), title))
        item.done()
    codes = [m.code for m in members]
    if len(set(codes)) != len(codes):
        root.fail("mã cấp ủy viên bị trùng", "committee_members")
    return tuple(members)


def _section(root: YamlNode, key: str) -> YamlNode:
    """A section added after the first policy files were written: a file without it
    takes the shipped default's."""
    if root.has(key):
        return root.node(key)
    text = resources.files("domain").joinpath(DEFAULT_POLICY_FILE).read_text(encoding="utf-8")
    return YamlNode(yaml.safe_load(text)[key], key, DEFAULT_POLICY_FILE)


def _registration(node: YamlNode) -> RegistrationRule:
    rule = RegistrationRule(
        due_day=node.integer("due_day", 1, 31),
        due_month_offset=node.integer("due_month_offset", -3, 0),
    )
    node.done()
    return rule


def _report_types(node: YamlNode) -> tuple[ReportType, ...]:
    if not node.data:
        node.fail("cần ít nhất một loại báo cáo")
    result = []
    for code in list(node.data):
        item = node.node(str(code))
        if not REPORT_TYPE_CODE.fullmatch(str(code)):
            node.fail(
                f"mã loại báo cáo {str(code)!r} phải gồm chữ thường a-z, số và _, bắt đầu bằng "
                f"chữ, tối đa {MAX_REPORT_TYPE_LENGTH} ký tự (nó nằm trong dữ liệu của nút bấm)"
            )
        kind = item.raw("period")
        try:
            period = PeriodKind(kind)
        except ValueError:
            allowed = ", ".join(k.value for k in PeriodKind)
            item.fail(f"kỳ không hợp lệ {kind!r}; dùng một trong: {allowed}", "period")
        result.append(
            ReportType(
                code=str(code),
                name_vi=item.text("name_vi"),
                period=period,
                due_month_offset=item.integer("due_month_offset", 0, 24),
                due_day=item.integer("due_day", 1, 31),
                only_periods=_only_periods(item, period) if item.has("only_periods") else None,
            )
        )
        item.done()
    node.done()
    return tuple(result)


def _only_periods(item: YamlNode, kind: PeriodKind) -> tuple[int, ...]:
    value = item.raw("only_periods")
    valid = (
        isinstance(value, list)
        and value
        and all(isinstance(n, int) and 1 <= n <= kind.per_year for n in value)
        and len(set(value)) == len(value)
    )
    if not valid:
        item.fail(
            f"phải là danh sách số thứ tự kỳ khác nhau trong năm, từ 1 đến {kind.per_year}",
            "only_periods",
        )
    return tuple(sorted(value))


def _rubric(node: YamlNode, target: Fraction) -> Rubric:
    groups = tuple(_group(g) for g in node.nodes("groups"))
    codes = [g.code for g in groups] + [c.code for g in groups for c in g.criteria]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        node.fail(f"mã nhóm/tiêu chí bị trùng: {', '.join(duplicates)}", "groups")
    total = sum(g.max_points for g in groups)
    if total != 100:
        node.fail(f"tổng điểm các nhóm phải là 100 (thang 100 điểm), đang là {total}", "groups")
    criteria = {c.code: c for g in groups for c in g.criteria}

    attendance_code = node.text("attendance_criterion")
    if attendance_code not in criteria:
        node.fail(f"không có tiêu chí {attendance_code!r}", "attendance_criterion")
    bands = _attendance_bands(node, criteria[attendance_code].max_points, target)
    levels = _levels(node.node("levels"))
    top = _top_level(node.node("top_level"), criteria, attendance_code)
    node.done()
    return Rubric(groups, attendance_code, bands, levels, top)


def _group(node: YamlNode) -> CriteriaGroup:
    criteria = []
    for item in node.nodes("criteria"):
        criteria.append(
            Criterion(item.text("code"), item.text("label_vi"), item.integer("max_points", 1, 100))
        )
        item.done()
    group = CriteriaGroup(
        node.text("code"),
        node.text("label_vi"),
        node.integer("max_points", 1, 100),
        tuple(criteria),
    )
    node.done()
    subtotal = sum(c.max_points for c in group.criteria)
    if subtotal != group.max_points:
        node.fail(
            f"tổng điểm các tiêu chí ({subtotal}) khác điểm của nhóm ({group.max_points})",
            "max_points",
        )
    return group


def _attendance_bands(node: YamlNode, full: int, target: Fraction) -> tuple[AttendanceBand, ...]:
    bands = []
    for item in node.nodes("attendance_points"):
        bands.append(AttendanceBand(item.rate("min_rate"), item.integer("points", 0, full)))
        item.done()
    where = "attendance_points"
    for upper, lower in pairwise(bands):
        if lower.min_rate >= upper.min_rate:
            node.fail("min_rate phải giảm dần từ trên xuống", where)
        if lower.points > upper.points:
            node.fail("điểm phải giảm dần (hoặc bằng) theo tỷ lệ", where)
    if bands[0].points != full:
        node.fail(f"dòng đầu phải cho điểm tối đa ({full})", where)
    if bands[-1].min_rate != 0:
        node.fail("dòng cuối phải có min_rate: 0 để mọi tỷ lệ đều có điểm", where)
    for band in bands:
        if band.points == full and band.min_rate < target:
            node.fail(
                f"chỉ cho điểm tối đa khi đạt chỉ tiêu tỷ lệ dự ({format_percent(target)}), "
                f"dòng min_rate {format_percent(band.min_rate)} thấp hơn",
                where,
            )
    return tuple(bands)


def _levels(node: YamlNode) -> tuple[tuple[QualityLevel, int], ...]:
    order = (QualityLevel.TOT, QualityLevel.KHA, QualityLevel.TRUNG_BINH, QualityLevel.KEM)
    levels = tuple((level, node.integer(level.value, 0, 100)) for level in order)
    node.done()
    for (better, high), (_, low) in pairwise(levels):
        if low >= high:
            node.fail(f"điểm tối thiểu phải giảm dần; {better.value} = {high} không lớn hơn {low}")
    if levels[-1][1] != 0:
        node.fail("mức kem phải bắt đầu từ 0", "kem")
    return levels


def _top_level(
    node: YamlNode, criteria: Mapping[str, Criterion], attendance_code: str
) -> TopLevelRequirements:
    cap_to = node.level("cap_to")
    if cap_to == QualityLevel.TOT:
        node.fail("mức hạ xuống phải thấp hơn tot", "cap_to")
    required = node.raw("required_nonzero")
    if not isinstance(required, list) or not all(isinstance(c, str) for c in required):
        node.fail("phải là danh sách mã tiêu chí", "required_nonzero")
    for code in required:
        if code not in criteria or code == attendance_code:
            node.fail(f"không có tiêu chí chấm tay {code!r}", "required_nonzero")
    top = TopLevelRequirements(
        cap_to=cap_to,
        full_attendance_points=node.flag("full_attendance_points"),
        min_duration_minutes=node.integer("min_duration_minutes", 0, 600),
        required_nonzero=tuple(required),
        minutes_taken=node.flag("minutes_taken"),
    )
    node.done()
    return top


def _plausibility(root: YamlNode, rubric: Rubric) -> tuple[PlausibilityRule, ...]:
    if not root.has("plausibility") or root.data["plausibility"] in (None, []):
        root.used.add("plausibility")
        return ()
    rules = [_plausibility_rule(item, rubric) for item in root.nodes("plausibility")]
    codes = [r.code for r in rules]
    if len(set(codes)) != len(codes):
        root.fail("mã cảnh báo bị trùng", "plausibility")
    return tuple(rules)


def _plausibility_rule(item: YamlNode, rubric: Rubric) -> PlausibilityRule:
    conditions = ("attendance_at_most", "duration_below_minutes", "scored_without_minutes")
    present = [c for c in conditions if item.has(c)]
    if len(present) != 1:
        item.fail(f"cần đúng một điều kiện trong: {', '.join(conditions)}")
    condition = present[0]
    rule = PlausibilityRule(
        code=item.text("code"),
        message_vi=_message(item),
        level=item.level("level") if item.has("level") else None,
    )
    if condition == "attendance_at_most":
        rule = replace(rule, attendance_at_most=item.rate(condition))
    elif condition == "duration_below_minutes":
        rule = replace(rule, duration_below_minutes=item.integer(condition, 1, 600))
    else:
        code = item.text(condition)
        if code not in {c.code for c in rubric.criteria}:
            item.fail(f"không có tiêu chí {code!r}", condition)
        rule = replace(rule, scored_without_minutes=code)
    item.done()
    return rule


def _message(item: YamlNode) -> str:
    message = item.text("message_vi")
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(message) if name is not None}
    except ValueError as exc:
        item.fail(f"mẫu câu không hợp lệ: {exc}", "message_vi")
    unknown = fields - _MESSAGE_FIELDS
    if unknown:
        allowed = ", ".join("{" + f + "}" for f in sorted(_MESSAGE_FIELDS))
        item.fail(f"chỉ dùng được {allowed}; không có {sorted(unknown)}", "message_vi")
    return message


def _reminders(node: YamlNode) -> ReminderPolicy:
    quiet_node = node.node("quiet_hours")
    quiet = QuietHours(quiet_node.clock("start"), quiet_node.clock("end"))
    quiet_node.done()
    meeting_node = node.node("meeting")
    meeting = MeetingReminders(
        meeting_node.clock("day_before_at"), meeting_node.clock("morning_of_at")
    )
    meeting_node.done()
    nudge_node = node.node("record_nudge")
    nudges = RecordNudges(
        first_after_days=nudge_node.integer("first_after_days", 0, 31),
        every_days=nudge_node.integer("every_days", 1, 31),
        max_nudges=nudge_node.integer("max_nudges", 0, 20),
    )
    nudge_node.done()
    escalation_node = node.node("escalation")
    escalation = Escalation(escalation_node.integer("after_days_overdue", 1, 60))
    if escalation_node.has("repeat_every_days"):
        escalation = replace(
            escalation, repeat_every_days=escalation_node.integer("repeat_every_days", 1, 60)
        )
    escalation_node.done()
    digest_node = node.node("weekly_digest")
    weekday = digest_node.raw("weekday")
    if weekday not in _WEEKDAYS:
        digest_node.fail(f"phải là một trong: {', '.join(_WEEKDAYS)}", "weekday")
    digest = WeeklyDigest(_WEEKDAYS.index(weekday), digest_node.clock("at"))
    digest_node.done()

    policy = ReminderPolicy(
        send_at=node.clock("send_at"),
        quiet_hours=quiet,
        registration=_deadline_reminders(node.node("registration")),
        meeting=meeting,
        record_nudge=nudges,
        reports=_deadline_reminders(node.node("reports")),
        escalation=escalation,
        weekly_digest=digest,
    )
    if node.has("snooze_minutes"):
        policy = replace(policy, snooze_minutes=node.integer("snooze_minutes", 5, 24 * 60))
    if node.has("catch_up_days"):
        policy = replace(policy, catch_up_days=node.integer("catch_up_days", 0, 31))
    node.done()
    for key, clock in (
        ("send_at", policy.send_at),
        ("meeting.day_before_at", meeting.day_before_at),
        ("meeting.morning_of_at", meeting.morning_of_at),
        ("weekly_digest.at", digest.at),
    ):
        if quiet.contains(clock):
            node.fail(
                f"{clock:%H:%M} rơi vào giờ yên lặng ({quiet.start:%H:%M}–{quiet.end:%H:%M})", key
            )
    return policy


def _deadline_reminders(node: YamlNode) -> DeadlineReminders:
    days = node.raw("days_before")
    valid = isinstance(days, list) and all(
        isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 60 for d in days
    )
    if not valid or len(set(days)) != len(days):
        node.fail("phải là danh sách số ngày khác nhau, từ 1 đến 60", "days_before")
    result = DeadlineReminders(
        days_before=tuple(sorted(days, reverse=True)),
        on_due_day=node.flag("on_due_day"),
        overdue_every_days=node.integer("overdue_every_days", 1, 31),
    )
    node.done()
    return result
