"""Scale-out tests need PostgreSQL (TEST_POSTGRES_URL, set by scripts/test via scripts/postgres)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.auxil.postgres import POSTGRES_URL, postgres_database


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated PostgreSQL database private to the test (skips without PostgreSQL)."""
    if not POSTGRES_URL:
        pytest.skip(
            "TEST_POSTGRES_URL is not set: several instances share one PostgreSQL "
            "(scripts/test starts one with scripts/postgres)"
        )
    with postgres_database(request.getfixturevalue("postgres_template")) as url:
        yield url
