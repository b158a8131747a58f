"""Tỷ lệ đảng viên dự sinh hoạt: present over members, against the bloc's target."""

from __future__ import annotations

from fractions import Fraction

from domain.policy import Policy


def attendance_rate(present: int, total_members: int) -> Fraction:
    if total_members <= 0 or not 0 <= present <= total_members:
        raise ValueError(f"bad attendance {present}/{total_members}")
    return Fraction(present, total_members)


def meets_attendance_target(policy: Policy, rate: Fraction) -> bool:
    return rate >= policy.attendance_target
