"""What the weekly digest adds beside the ledger's figures: the members' survey, admissions
against target, and (from the preview month) the year-end shares.

Computed by their own services, next to `services.digest.build_digest` and not inside
it: the digest proper stays the ledger's SQL aggregates. Each reader (the chat text,
the XLSX, the JSON) gets these from here, so they agree.
"""

from __future__ import annotations

from datetime import date, time

from domain.digest.extras import DigestExtras
from domain.localtime import at_local
from domain.policy import Policy
from services import admissions, grading, surveys
from services.digest import ScopeNotFound
from storage import org_queries
from storage.db import Database


def build_extras(db: Database, scope_code: str, at: date, policy: Policy) -> DigestExtras:
    with db.transaction() as session:
        scope = org_queries.unit(session, scope_code)
        if scope is None:
            raise ScopeNotFound(scope_code)
        path = scope.path
    grades = None
    if at.month >= policy.grading.preview_from_month:
        grades = grading.preview(db, scope_code, at.year, now=at_local(at, time(12)), policy=policy)
    return DigestExtras(
        at=at,
        survey=surveys.section(db, path, at, policy),
        admissions=grades.admissions
        if grades is not None
        else admissions.scope_year(db, path, at.year, policy),
        grades=grades,
    )
