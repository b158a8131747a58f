"""Policy files for tests that run a real process on the real clock."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from domain.policy import DEFAULT_POLICY_FILE, Policy


def without_quiet_hours(folder: Path) -> Path:
    """The shipped policy with an empty quiet window, so the test may run at any hour."""
    text = resources.files("domain").joinpath(DEFAULT_POLICY_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["reminders"]["quiet_hours"] = {"start": "00:00", "end": "00:00"}
    path = folder / "policy-no-quiet-hours.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert (
        Policy.load(path).reminders.quiet_hours.start == Policy.load(path).reminders.quiet_hours.end
    )
    return path
