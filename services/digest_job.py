"""A digest with its texts and files, built where `services.file_renderer` says.

Under `chibo run` that is the renderer child: the digest of a big bloc allocates
tens of megabytes and seconds of CPU, and in a child neither stays with the bot nor
competes with its event loop for the interpreter. The job carries only what a fresh
process needs (the database URL, the zone, the policy, the request) and returns
plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.localtime import local_zone, use_zone
from domain.notice import NoticeHeader
from domain.policy import Policy
from messages.digest_chart import digest_chart_png
from messages.digest_files import digest_docx, digest_xlsx, file_stem
from messages.digest_text import digest_summary, listed_units, overdue_text
from services import file_renderer
from services.digest import build_digest
from services.digest_extras import build_extras
from services.gc_pause import without_gc
from services.org import unit_labels
from storage.db import Database

TEXTS = ("summary", "overdue")
FILES = ("xlsx", "png", "docx")


@dataclass(frozen=True)
class DigestJob:
    database_url: str
    zone: str
    policy: Policy
    scope_code: str
    at: date
    locales: tuple[str, ...]
    texts: tuple[str, ...] = ("summary",)
    files: tuple[str, ...] = ()
    notice: NoticeHeader | None = None  # the DOCX notice's names and number


@dataclass(frozen=True)
class DigestOutput:
    scope_name: str
    at: date
    stem: str
    totals: dict[str, Any]  # the headline figures (Totals.as_dict), to freeze
    texts: dict[tuple[str, str], str] = field(default_factory=dict)  # (locale, kind)
    files: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (locale, format)


def digest_job(
    db: Database,
    policy: Policy,
    scope_code: str,
    at: date,
    locales: tuple[str, ...],
    *,
    texts: tuple[str, ...] = ("summary",),
    files: tuple[str, ...] = (),
    notice: NoticeHeader | None = None,
) -> DigestJob:
    return DigestJob(
        db.url, local_zone().key, policy, scope_code, at, locales, texts, files, notice
    )


def build(db: Database, job: DigestJob) -> DigestOutput:
    """Run `job` where files are drawn: in the renderer child, or here on `db` (raises
    ScopeNotFound for an unknown scope)."""
    if file_renderer.in_child_process():
        return file_renderer.render(run, job)
    return without_gc(_compute)(db, job)


def run(job: DigestJob) -> DigestOutput:
    """The job in a renderer child: a fresh process with its own engine."""
    use_zone(job.zone)
    return _compute(_database(job.database_url), job)


def _compute(db: Database, job: DigestJob) -> DigestOutput:
    digest = build_digest(db, job.scope_code, job.at, job.policy)
    names = unit_labels(db, listed_units(digest), scope_path=digest.scope.path)
    # The survey, admissions and year-end shares beside the ledger's figures.
    extras = build_extras(db, job.scope_code, job.at, job.policy) if _wants_extras(job) else None
    output = DigestOutput(
        digest.scope.name,
        digest.at,
        file_stem(digest),
        digest.totals.as_dict(job.policy.attendance_target),
    )
    for locale in job.locales:
        if "summary" in job.texts:
            output.texts[(locale, "summary")] = digest_summary(
                digest, locale, names=names, extras=extras
            )
        if "overdue" in job.texts:
            output.texts[(locale, "overdue")] = overdue_text(digest, locale, names)
        if "xlsx" in job.files:
            output.files[(locale, "xlsx")] = digest_xlsx(digest, locale, extras)
        if "png" in job.files:
            output.files[(locale, "png")] = digest_chart_png(digest, locale)
        if "docx" in job.files:
            assert job.notice is not None, "a notice needs its header"
            output.files[(locale, "docx")] = digest_docx(digest, job.notice, locale)
    return output


def _wants_extras(job: DigestJob) -> bool:
    return "summary" in job.texts or "xlsx" in job.files


_databases: dict[str, Database] = {}


def _database(url: str) -> Database:
    """One engine per URL and process (a renderer child serves several jobs)."""
    found = _databases.get(url)
    if found is None:
        found = _databases[url] = Database(url)
    return found
