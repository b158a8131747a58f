"""The English locale mirrors the Vietnamese one.

Every template and label file in `messages/templates/vi/` has an English
counterpart with the same label keys, the same variables and the same control
flow (the `step == "..."` branches are what the Python code selects), and the
English texts use only the HTML tags Telegram's HTML parse mode accepts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jinja2 import ChainableUndefined, meta

from messages import render as render_module
from tests.auxil.telegram_checks import html_problems

TEMPLATES = Path(render_module.__file__).parent / "templates"
VI, EN = TEMPLATES / "vi", TEMPLATES / "en"
ENV = render_module._HTML

# Telegram HTML parse mode, as the bot uses it.
ALLOWED_TAGS = {"b", "i", "u", "s", "code", "pre", "a"}
# Block tags whose whole statement must match (their conditions select the branches).
COMPARED_STATEMENTS = {"if", "elif", "for"}

_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_COMPARED_LITERAL = re.compile(r"""[!=]=\s*(?:"([^"]*)"|'([^']*)')""")


def _names(folder: Path, suffix: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.name.endswith(suffix))


def _all_names(folder: Path) -> set[str]:
    return set(_names(folder, ".j2")) | set(_names(folder, ".yaml"))


VI_TEMPLATES = _names(VI, ".j2")
EN_TEMPLATES = _names(EN, ".j2")
VI_LABELS = _names(VI, ".yaml")


def _source(locale: str, name: str) -> str:
    return (TEMPLATES / locale / name).read_text(encoding="utf-8")


def _variables(source: str) -> set[str]:
    return meta.find_undeclared_variables(ENV.parse(source))


def _statements(source: str) -> list[tuple[str, ...]]:
    """The block tags in order: keyword, plus the whole statement for if/elif/for."""
    statements: list[tuple[str, ...]] = []
    current: list[str] | None = None
    for _, kind, value in ENV.lex(source):
        if kind == "block_begin":
            current = []
        elif kind == "block_end" and current is not None:
            keyword = current[0] if current else ""
            statements.append(tuple(current) if keyword in COMPARED_STATEMENTS else (keyword,))
            current = None
        elif current is not None and kind != "whitespace":
            current.append(value)
    return statements


def _references(locale: str, name: str) -> list[str]:
    return sorted(meta.find_referenced_templates(ENV.parse(_source(locale, name))) or [])


# ---------------------------------------------------------------------------
# (1) the same files


def test_every_vi_file_has_an_en_counterpart_and_back() -> None:
    vi, en = _all_names(VI), _all_names(EN)
    assert not vi - en, f"Vietnamese files without an English version: {sorted(vi - en)}"
    assert not en - vi, f"English files without a Vietnamese original: {sorted(en - vi)}"


# ---------------------------------------------------------------------------
# (2) the same label keys


def _labels(locale: str, name: str) -> dict[str, Any]:
    data = yaml.safe_load(_source(locale, name))
    assert isinstance(data, dict), f"{locale}/{name} is not a mapping"
    return data


@pytest.mark.parametrize("name", VI_LABELS)
def test_label_keys_match(name: str) -> None:
    if not (EN / name).exists():
        pytest.fail(f"en/{name} is missing")
    vi, en = _labels("vi", name), _labels("en", name)
    assert not set(vi) - set(en), f"keys missing in en/{name}: {sorted(set(vi) - set(en))}"
    assert not set(en) - set(vi), f"keys only in en/{name}: {sorted(set(en) - set(vi))}"


@pytest.mark.parametrize("name", VI_LABELS)
def test_label_values_are_texts_with_the_same_placeholders(name: str) -> None:
    if not (EN / name).exists():
        pytest.fail(f"en/{name} is missing")
    vi, en = _labels("vi", name), _labels("en", name)
    for key, text in en.items():
        # An unquoted Yes/No/On/Off or a number would load as a bool or int.
        assert isinstance(text, str) and text.strip(), f"en/{name}: {key} is {text!r}"
        assert "<" not in text, f"en/{name}: {key} is a plain label, not HTML"
        if isinstance(vi.get(key), str):
            assert _variables(text) == _variables(vi[key]), f"en/{name}: {key} placeholders"


# ---------------------------------------------------------------------------
# (3) the same variables and control flow


def _require_en(name: str) -> None:
    if not (EN / name).exists():
        pytest.fail(f"en/{name} is missing")


@pytest.mark.parametrize("name", VI_TEMPLATES)
def test_template_variables_match(name: str) -> None:
    _require_en(name)
    vi, en = _variables(_source("vi", name)), _variables(_source("en", name))
    assert vi == en, f"{name}: only in vi {sorted(vi - en)}, only in en {sorted(en - vi)}"


@pytest.mark.parametrize("name", VI_TEMPLATES)
def test_template_control_flow_matches(name: str) -> None:
    _require_en(name)
    vi, en = _statements(_source("vi", name)), _statements(_source("en", name))
    assert vi == en, f"{name}: block tags differ between vi and en"


@pytest.mark.parametrize("name", VI_TEMPLATES)
def test_template_imports_stay_in_their_locale(name: str) -> None:
    _require_en(name)
    vi, en = _references("vi", name), _references("en", name)
    assert all(ref.startswith("en/") for ref in en), f"en/{name} uses {en}"
    assert [r.split("/", 1)[-1] for r in vi] == [r.split("/", 1)[-1] for r in en]


# ---------------------------------------------------------------------------
# (4) only the HTML Telegram accepts


class _Probe:
    """Stands in for every context value: attributes, items, calls and arithmetic give
    the probe back, loops run once, and it equals one chosen literal (so each
    `step == "..."` branch can be rendered in turn)."""

    def __init__(self, literal: object) -> None:
        self._literal = literal

    def __getattr__(self, name: str) -> _Probe:
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __getitem__(self, key: object) -> _Probe:
        return self

    def __call__(self, *args: object, **kwargs: object) -> _Probe:
        return self

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter([self])

    def __len__(self) -> int:
        return 1

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return other == self._literal

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return 0

    def __lt__(self, other: object) -> bool:
        return True

    __le__ = __gt__ = __ge__ = __lt__

    def _same(self, *other: object) -> _Probe:
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _same
    __neg__ = __pos__ = _same

    def __index__(self) -> int:
        return 0

    def __float__(self) -> float:
        return 0.5

    def __str__(self) -> str:
        return "x"


_NO_LITERAL = object()
# Same loader, filters and whitespace rules as the bot; lenient only for dict lookups the
# probe cannot satisfy. No cache: cached templates are bound to the strict environment.
_PROBE_ENV = ENV.overlay(undefined=ChainableUndefined, cache_size=0)


def _probe_renders(name: str) -> list[tuple[str, str]]:
    source = _source("en", name)
    variables = set(_variables(source))
    for ref in _references("en", name):
        variables |= _variables(_source(*ref.split("/", 1)))
    literals: list[object] = [_NO_LITERAL]
    for a, b in _COMPARED_LITERAL.findall(source):
        if (a or b) not in literals:
            literals.append(a or b)
    template = _PROBE_ENV.get_template(f"en/{name}")
    renders = []
    for literal in literals:
        context = {v: _Probe(literal) for v in variables}
        label = "no branch" if literal is _NO_LITERAL else str(literal)
        renders.append((label, template.render(**context)))
    return renders


@pytest.mark.parametrize("name", EN_TEMPLATES)
def test_en_template_source_uses_only_telegram_tags(name: str) -> None:
    markup = _JINJA.sub("", _source("en", name))
    tags = {t.lower() for t in _TAG.findall(markup)}
    assert tags <= ALLOWED_TAGS, f"en/{name}: {sorted(tags - ALLOWED_TAGS)}"


@pytest.mark.parametrize("name", EN_TEMPLATES)
def test_rendered_en_texts_are_valid_telegram_html(name: str) -> None:
    for literal, text in _probe_renders(name):
        problems = html_problems(text)
        tags = {t.lower() for t in _TAG.findall(text)}
        assert not problems, f"en/{name} (branch {literal!r}): {problems}\n{text}"
        assert tags <= ALLOWED_TAGS, f"en/{name} (branch {literal!r}): {tags - ALLOWED_TAGS}"
