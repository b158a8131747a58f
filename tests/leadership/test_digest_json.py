"""The seeded month against numbers worked out by hand (see conftest.seeded)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from domain.policy import default_policy
from services.digest import ScopeNotFound, build_digest
from storage.db import Database
from tests.leadership.seed import AT

pytestmark = pytest.mark.usefixtures("seeded")

EXPECTED_PERIODS = {
    "registration_month": "2026-12",
    "registration_due": "2026-11-25",
    "meeting_month": "2026-11",
    "quarter": "2026-Q4",
    "reports": [
        {"report_type": "monthly", "period": "2026-11", "due": "2026-11-20"},
        {"report_type": "quarterly", "period": "2026-Q3", "due": "2026-09-15"},
        {"report_type": "six_month", "period": "2026-H1", "due": "2026-06-15"},
        {"report_type": "annual", "period": "2026", "due": "2026-11-15"},
    ],
}

# 9 units hold monthly meetings (2 committees, 7 cells); 4 base organisations report.
EXPECTED_TOTALS = {
    "registration": {
        "expected": 9,
        "registered": 5,
        "on_time": 3,  # TNMT-01, TNMT, NTM (23:00 local on the due day)
        "late": 2,  # TNMT-02, TAICHINH-01 (01:00 local the day after)
        "missing": 4,  # TNMT-03, TAICHINH (nothing), TAICHINH-02 (thematic only), NOICHINH
        "pending": 0,
    },
    "meetings": {"expected": 9, "held": 5, "excused": 1, "unexcused": 1, "pending": 2},
    "rated": {"held": 5, "rated": 3},
    "quality": {"tot": 2, "kha": 1, "trung_binh": 0, "kem": 0},
    # (10/10 + 6/8 + 10/11 + 26/26) / 4 = 161/176
    "attendance": {"meetings": 4, "average": 0.9148, "target": 0.95, "below_target": 2},
    "thematic": {"expected": 7, "held": 2},
    "reports": {"expected": 16, "on_time": 9, "late": 3, "missing": 4},
    "unreachable": 1,
}

# As of 23/11: registration is for November (due 25/10); two records and one
# report came later; the secretary became unreachable on 24/11.
EXPECTED_PREVIOUS = {
    "registration": {
        "expected": 9,
        "registered": 9,
        "on_time": 8,
        "late": 1,
        "missing": 0,
        "pending": 0,
    },
    "meetings": {"expected": 9, "held": 4, "excused": 1, "unexcused": 0, "pending": 4},
    "rated": {"held": 4, "rated": 2},
    "quality": {"tot": 1, "kha": 1, "trung_binh": 0, "kem": 0},
    # (1 + 10/11 + 1) / 3 = 32/33
    "attendance": {"meetings": 3, "average": 0.9697, "target": 0.95, "below_target": 1},
    "thematic": {"expected": 7, "held": 1},
    "reports": {"expected": 16, "on_time": 9, "late": 2, "missing": 5},
    "unreachable": 0,
}

EXPECTED_CHANGES = {
    "registered": None,  # November's registration last week, December's now
    "meetings_held": 1,
    "rated": 1,
    "attendance_average": -0.0549,  # 161/176 - 32/33 = -319/5808
    "thematic_held": 1,
    "reports_on_time": 0,
    "reports_late": 1,
    "reports_missing": -1,
    "unreachable": 1,
}

EXPECTED_LISTS = {
    "not_registered": [
        {
            "group": "TNMT",
            "group_name": "Đảng bộ cơ quan Sở Tài nguyên và Môi trường",
            "missing": 1,
            "total": 4,
            "units": ["TNMT-03"],
        },
        {
            "group": "TAICHINH",
            "group_name": "Đảng bộ cơ quan Sở Tài chính",
            "missing": 2,
            "total": 3,
            "units": ["TAICHINH", "TAICHINH-02"],
        },
        {"group": None, "group_name": None, "missing": 1, "total": 2, "units": ["NOICHINH"]},
    ],
    "registered_late": [
        {"unit": "TNMT-02", "registered_on": "2026-11-27"},
        {"unit": "TAICHINH-01", "registered_on": "2026-11-26"},
    ],
    "reports": [
        {
            "unit": "NTM",
            "report_type": "annual",
            "period": "2026",
            "due": "2026-11-15",
            "status": "missing",
            "sent_on": None,
        },
        {
            "unit": "NOICHINH",
            "report_type": "quarterly",
            "period": "2026-Q3",
            "due": "2026-09-15",
            "status": "missing",
            "sent_on": None,
        },
        {
            "unit": "NOICHINH",
            "report_type": "annual",
            "period": "2026",
            "due": "2026-11-15",
            "status": "missing",
            "sent_on": None,
        },
        {
            "unit": "TAICHINH",
            "report_type": "annual",
            "period": "2026",
            "due": "2026-11-15",
            "status": "missing",
            "sent_on": None,
        },
        {
            "unit": "NTM",
            "report_type": "monthly",
            "period": "2026-11",
            "due": "2026-11-20",
            "status": "late",
            "sent_on": "2026-11-22",
        },
        {
            "unit": "NOICHINH",
            "report_type": "monthly",
            "period": "2026-11",
            "due": "2026-11-20",
            "status": "late",
            "sent_on": "2026-11-27",
        },
        {
            "unit": "TAICHINH",
            "report_type": "quarterly",
            "period": "2026-Q3",
            "due": "2026-09-15",
            "status": "late",
            "sent_on": "2026-09-16",
        },
    ],
    "meetings_not_held": [
        {
            "unit": "TNMT-03",
            "kind": "regular",
            "status": "excused",
            "recorded": True,
            "reason": "Chi bộ đi công tác cơ sở",
        },
        {
            "unit": "TAICHINH-01",
            "kind": "regular",
            "status": "unexcused",
            "recorded": True,
            "reason": None,
        },
    ],
    "implausible_ratings": [
        {
            "unit": "TNMT-02",
            "kind": "regular",
            "level": "tot",
            "score": 91,
            "flags": ["tot_low_attendance"],
        },
    ],
    "attendance_below_target": [
        {"unit": "NTM", "present": 10, "total": 11, "rate": 0.9091},
        {"unit": "TNMT-02", "present": 6, "total": 8, "rate": 0.75},
    ],
    "thematic_missing": ["NTM", "TNMT-02", "TNMT-03", "TAICHINH-01", "TAICHINH-02"],
    "unreachable": [
        {"unit": "TAICHINH-02", "role": "secretary", "name": "Đỗ Văn Mạnh", "since": "2026-11-24"}
    ],
    "directives": [],
    "cluster_absences": [],
}


def _digest_json(db: Database, scope: str = "DUK", at: date = AT) -> dict:
    digest = build_digest(db, scope, at, default_policy())
    # Through a real JSON round trip, as `chibo digest --format json` prints it.
    return json.loads(json.dumps(digest.as_dict(), ensure_ascii=False))


def test_seeded_month_matches_hand_computed_digest(db: Database) -> None:
    doc = _digest_json(db)
    assert doc["schema"] == "chibo.digest/1"
    assert doc["scope"] == {"code": "DUK", "name": "Đảng bộ Khối các cơ quan tỉnh", "kind": "bloc"}
    assert doc["at"] == "2026-11-30"
    assert doc["periods"] == EXPECTED_PERIODS
    assert doc["totals"] == EXPECTED_TOTALS
    assert doc["lists"] == EXPECTED_LISTS


def test_previous_week_and_changes_are_recomputed_from_timestamps(db: Database) -> None:
    doc = _digest_json(db)
    assert doc["previous"]["at"] == "2026-11-23"
    assert doc["previous"]["periods"]["registration_month"] == "2026-11"
    assert doc["previous"]["totals"] == EXPECTED_PREVIOUS
    assert doc["changes"] == EXPECTED_CHANGES


def test_breakdown_by_cluster_adds_up_to_the_bloc(db: Database) -> None:
    doc = _digest_json(db)
    by_cluster = {b["unit"]: b["totals"] for b in doc["breakdown"]}
    assert list(by_cluster) == ["C1", "C2"]
    c1, c2 = by_cluster["C1"], by_cluster["C2"]
    assert c1["registration"]["registered"] == 4  # TNMT, TNMT-01, TNMT-02, NTM
    assert c2["registration"]["registered"] == 1  # TAICHINH-01
    for section, key in (("registration", "registered"), ("meetings", "held"),
                         ("reports", "missing"), ("thematic", "held")):  # fmt: skip
        assert c1[section][key] + c2[section][key] == doc["totals"][section][key]
    assert c2["unreachable"] == 1


def test_trend_has_eight_weekly_points_ending_today(db: Database) -> None:
    doc = _digest_json(db)
    trend = doc["trend"]
    assert [p["at"] for p in trend] == [
        "2026-10-12", "2026-10-19", "2026-10-26", "2026-11-02",
        "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30",
    ]  # fmt: skip
    assert trend[-1]["registered"] == 5 and trend[-1]["held"] == 5
    assert trend[-2]["registered"] == 9 and trend[-2]["held"] == 4
    assert trend[-1]["reports_on_time"] == 9


def test_cluster_scope_sees_only_its_units(db: Database) -> None:
    doc = _digest_json(db, "C1")
    assert doc["totals"]["registration"]["expected"] == 5
    assert doc["totals"]["unreachable"] == 0
    listed = {u for g in doc["lists"]["not_registered"] for u in g["units"]}
    assert listed == {"TNMT-03"}
    assert {r["unit"] for r in doc["lists"]["reports"]} == {"NTM"}
    assert [b["unit"] for b in doc["breakdown"]] == ["NTM", "TNMT"]


def test_month_over_turns_missing_records_into_unexcused(db: Database) -> None:
    # 03/12: November is still being recorded (grace 5 days) and is over.
    doc = _digest_json(db, at=date(2026, 12, 3))
    assert doc["periods"]["meeting_month"] == "2026-11"
    missing = [m for m in doc["lists"]["meetings_not_held"] if not m["recorded"]]
    assert [m["unit"] for m in missing] == ["TAICHINH", "TAICHINH-02"]
    assert doc["totals"]["meetings"]["unexcused"] == 3
    assert doc["totals"]["meetings"]["pending"] == 0
    # 06/12: the window has closed, the digest moves on to December.
    assert _digest_json(db, at=date(2026, 12, 6))["periods"]["meeting_month"] == "2026-12"


def test_unknown_scope_is_an_error(db: Database) -> None:
    with pytest.raises(ScopeNotFound):
        build_digest(db, "NOPE", AT, default_policy())
