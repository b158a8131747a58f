"""The bloc's committee members (cấp ủy viên) who attend units' meetings, as data.

Who from the higher committee attended a meeting is chosen from the policy's
`committee_members`, so the roll-ups can count visits per member and per unit
("116 lượt"). Pure.
"""

from __future__ import annotations

from domain.errors import UserInputError
from domain.org import fold
from domain.policy import CommitteeMember, Policy

MEMBER_PREFIX = "member:"  # a button's value: "member:<code>"


def chosen_member(policy: Policy, value: str) -> CommitteeMember | None:
    """The committee member chosen (a button) or typed (a name found in the list, ignoring
    diacritics and case). With a list in the policy, anyone else is refused; without
    one (None), the name is kept as typed."""
    listed = policy.committee_members
    if value.startswith(MEMBER_PREFIX):
        member = policy.committee_member(value.removeprefix(MEMBER_PREFIX))
        if member is not None:
            return member
    if not listed:
        return None
    wanted = fold(value)
    found = [m for m in listed if wanted and wanted in fold(m.name)]
    if len(found) == 1:
        return found[0]
    names = ", ".join(m.name for m in (found or listed)[:6])
    raise UserInputError(
        f"Không tìm thấy đúng một đồng chí cấp ủy viên tên “{value[:60]}”. "
        f"Vui lòng chọn trong danh sách ({names}…)."
    )
