from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import pytest
import yaml

from domain.policy import Policy, default_policy

_RAW = yaml.safe_load(resources.files("domain").joinpath("policy_default.yaml").read_text("utf-8"))


@pytest.fixture
def policy() -> Policy:
    return default_policy()


@pytest.fixture
def raw_policy() -> dict[str, Any]:
    """The default policy as parsed YAML, safe to mutate in a test."""
    return copy.deepcopy(_RAW)
