"""The one cast of personas: every named user of the suite, each with a telegram id and a
name no other persona has, and the usual post in the comment.

Unit codes are those of the demo bloc (bot/demo/org.csv) and of the small bloc
(tests/auxil/orgs.SMALL_ORG), which share DUK, C1, C2, TNMT-01, NTM and NOICHINH.
A test binds the personas it needs (`bind`, a real invite redeemed) to the post it
needs; the security, fuzz and end-to-end suites take the whole `PERSONAS` table,
bound once into a template database (`bind_personas`).

Ids: the cast holds 5000–5099. Tests that make users in bulk keep their own ranges
(the ledger world's secretaries 7100+, survey respondents 9_100_000+ and
7_351_962_084+), and one-off users made inside a single test use ids outside 5000–5099.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.roles import Role
from services.invites import Outcome, TelegramUser, Throttle, create_invite, redeem
from storage.db import Database
from tests.auxil.updates import User

STRANGER = User(5000, "Người", "Lạ")  # no post
SECRETARY = User(5001, "Trần Thị", "Bình")  # Chi bộ Văn phòng (VPUBND-01), cluster C2
SECRETARY_TNMT_01 = User(5002, "Đinh Thị", "Hoa")  # Chi bộ Văn phòng Sở TN&MT (TNMT-01)
DEPUTY = User(5003, "Phạm Thị", "Dung")  # phó bí thư (VPUBND-02, or VPUBND-01 in the scheduler)
OFFICER_C1 = User(5004, "Hoàng Văn", "Em")  # cán bộ theo dõi Cụm 1
OFFICER_C2 = User(5005, "Vũ Thị", "Giang")  # cán bộ theo dõi Cụm 2
LEADER = User(5006, "Nguyễn Quốc", "Hùng")  # lãnh đạo Đảng ủy Khối (DUK)
ADMIN = User(5007, "Văn phòng", "Khối")  # quản trị của Khối (DUK)
SECRETARY_NOICHINH = User(5008, "Lý Thị", "Mai")  # a base cell (NOICHINH)
SECRETARY_NTM = User(5009, "Lê Văn", "Cường")  # Chi bộ Ban Xây dựng nông thôn mới (NTM)
SECRETARY_VPUBND = User(5010, "Phạm Minh", "Dũng")  # Đảng ủy cơ quan VPUBND (base committee)
SECRETARY_TNMT = User(5011, "Đặng Văn", "Khoa")  # Đảng ủy cơ quan Sở TN&MT (base committee)
SECRETARY_TAICHINH = User(5012, "Đỗ Thu", "Hà")  # Đảng ủy cơ quan Sở Tài chính
DEPUTY_NTM = User(5013, "Bùi Thị", "Thu")  # phó bí thư NTM
ADMIN_C1 = User(5014, "Văn phòng", "Cụm 1")  # quản trị của Cụm 1 only
OFFICER_C4 = User(5015, "Vũ Văn", "Tài")  # cán bộ theo dõi Cụm 4
NEWCOMER = User(5016, "Đinh Thị", "Hà")  # holds an invite, not yet bound
ATTACKER = User(5017, "Kẻ", "Dò")  # guesses invite codes
MEMBER = User(5018, "Đảng", "Viên")  # a party member answering the survey
OTHER_MEMBER = User(5019, "Nguyễn Thị", "Lệ")  # another member


@dataclass(frozen=True)
class Persona:
    key: str
    user: User
    role: Role | None
    unit: str | None


# The cast of the security, fuzz and end-to-end suites, bound in the demo bloc. Units:
# VPUBND-01/-02 are sub-cells of VPUBND in cluster C2; TNMT-01 is in cluster C4;
# NOICHINH is a base cell in cluster C1 (its secretary confirms periodic reports).
PERSONAS: tuple[Persona, ...] = (
    Persona("stranger", STRANGER, None, None),
    Persona("secretary_a", SECRETARY, Role.SECRETARY, "VPUBND-01"),
    Persona("secretary_b", SECRETARY_TNMT_01, Role.SECRETARY, "TNMT-01"),
    Persona("deputy_a", DEPUTY, Role.DEPUTY, "VPUBND-02"),
    # A base cell reports to the bloc itself (periodic reports are theirs, not sub-cells').
    Persona("secretary_base", SECRETARY_NOICHINH, Role.SECRETARY, "NOICHINH"),
    Persona("cluster_1", OFFICER_C1, Role.CLUSTER_OFFICER, "C1"),
    Persona("cluster_2", OFFICER_C2, Role.CLUSTER_OFFICER, "C2"),
    Persona("leader", LEADER, Role.LEADER, "DUK"),
    Persona("admin", ADMIN, Role.ADMIN, "DUK"),
)
BY_KEY = {p.key: p for p in PERSONAS}


def bind(
    db: Database, now: datetime, user: User, role: Role, unit: str, *, locale: str | None = None
) -> None:
    """A real onboarding: an invite created for the post and redeemed by `user` (with
    `locale` as their stored language; None: each update's language decides)."""
    invite = create_invite(
        db, role=role, unit_code=unit, now=now, ttl=timedelta(days=14), actor="test"
    )
    result = redeem(
        db,
        TelegramUser(user.id, user.full_name, None, locale),
        invite.code,
        now=now,
        throttle=Throttle(5, timedelta(minutes=30)),
    )
    assert result.outcome == Outcome.BOUND and result.role == role, (user, result)


def bind_personas(db: Database, now: datetime) -> dict[str, Persona]:
    """Bind every persona of `PERSONAS` that has a post, as onboarding would."""
    for p in PERSONAS:
        if p.role is not None and p.unit is not None:
            bind(db, now, p.user, p.role, p.unit, locale="vi")
    return BY_KEY
