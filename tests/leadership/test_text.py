"""The chat summary fits Telegram's limit at any size, and escapes what users typed."""

from __future__ import annotations

from datetime import date

from domain.digest.build import compute_digest
from domain.digest.facts import DigestFacts, LedgerCount, UnitInfo, digest_days
from domain.obligations import Obligation, ObligationKind, Resolution
from domain.org import UnitKind
from domain.policy import default_policy
from domain.windows import registration_month_at, window_at
from messages.digest_text import TELEGRAM_LIMIT, digest_summary, overdue_text
from tests.leadership.seed import AT


def big_bloc(committees: int, cells_each: int):  # type: ignore[no-untyped-def]
    """The digest of a bloc where no unit registered next month's meetings."""
    units = [UnitInfo("DUK", "Đảng bộ Khối các cơ quan tỉnh", UnitKind.BLOC, "/DUK/", None)]
    units.append(UnitInfo("C1", "Cụm 1", UnitKind.CLUSTER, "/DUK/C1/", "DUK"))
    for b in range(committees):
        path = f"/DUK/C1/B{b:03d}/"
        name = f"Đảng bộ cơ quan Sở <Số {b}> & Công ty Trách nhiệm hữu hạn một thành viên"
        units.append(UnitInfo(f"B{b:03d}", name, UnitKind.BASE_COMMITTEE, path, "C1"))
        for i in range(cells_each):
            code = f"B{b:03d}-{i:02d}"
            units.append(
                UnitInfo(code, f"Chi bộ {code}", UnitKind.SUB_CELL, f"{path}{code}/", f"B{b:03d}")
            )
    for i in range(60):
        units.append(
            UnitInfo(f"BC{i}", f"Chi bộ cơ sở số {i}", UnitKind.BASE_CELL, f"/DUK/C1/BC{i}/", "C1")
        )
    policy = default_policy()
    windows = tuple(window_at(policy, day) for day in digest_days(AT))
    month = windows[-1].registration_month
    due = windows[-1].registration_due
    holders = [u for u in units if u.kind not in (UnitKind.BLOC, UnitKind.CLUSTER)]
    missing = [
        (u, Obligation(u.code, ObligationKind.REGISTRATION, "regular", month.key, due))
        for u in holders
    ]
    count = LedgerCount(
        ObligationKind.REGISTRATION, "regular", month.key, due, Resolution.OPEN, False, None, "C1",
        len(holders),
    )  # fmt: skip
    committees_ = {u.code: u for u in units if u.kind == UnitKind.BASE_COMMITTEE}
    totals = {code: cells_each + 1 for code in committees_} | {None: 60}
    facts = DigestFacts(
        scope=units[0],
        children=(units[1],),
        days=tuple(w.day for w in windows),
        current=(count,),
        history=(),
        problems=tuple(missing),
        group_totals=totals,
        groups=committees_,
    )
    return compute_digest(windows, facts, policy.attendance_target)


def test_summary_of_a_thousand_silent_units_fits_and_points_to_the_file() -> None:
    digest = big_bloc(50, 19)
    assert digest.totals.registration_expected == 50 * 20 + 60
    text = digest_summary(digest)
    assert len(text) <= TELEGRAM_LIMIT
    assert "… và" in text and "xem tệp Excel gửi kèm" in text
    assert "có 20/20 tổ chức đảng chưa đăng ký" in text
    overdue = overdue_text(digest)
    assert len(overdue) <= TELEGRAM_LIMIT
    # /overdue sends no file: it points to /digest instead of to an attachment.
    assert "gõ /digest để nhận tệp Excel đầy đủ" in overdue and "gửi kèm" not in overdue


def test_names_are_html_escaped() -> None:
    text = digest_summary(big_bloc(2, 1))
    assert "&lt;Số 0&gt; &amp; Công ty" in text
    assert "<Số" not in text


def test_registration_month_turns_over_on_the_due_day() -> None:
    policy = default_policy()
    assert registration_month_at(policy, date(2026, 11, 24)).key == "2026-11"
    assert registration_month_at(policy, date(2026, 11, 25)).key == "2026-12"
    assert registration_month_at(policy, date(2026, 12, 31)).key == "2027-01"
    p = window_at(policy, date(2027, 1, 4))
    assert (p.registration_month.key, p.meeting_month.key, p.quarter.key) == (
        "2027-01",
        "2026-12",
        "2026-Q4",
    )
