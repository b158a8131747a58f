"""Reading the policy's YAML with error messages that name the field: every error
says which file and which key is wrong, in Vietnamese, so a typo stops the bot at
start-up with a clear message."""

from __future__ import annotations

from datetime import time
from fractions import Fraction
from typing import Any, NoReturn

from domain.errors import PolicyError
from domain.quality import QualityLevel


class YamlNode:
    """A YAML mapping plus its position, so each error can say which field is wrong."""

    def __init__(self, data: Any, where: str, source: str) -> None:
        self.where = where
        self.source = source
        if not isinstance(data, dict):
            self.fail("phải là một bảng khóa: giá trị")
        self.data: dict[str, Any] = data
        self.used: set[str] = set()

    def fail(self, problem: str, key: str | None = None) -> NoReturn:
        field = ".".join(p for p in (self.where, key) if p) or "(gốc)"
        raise PolicyError(f"Tệp chính sách {self.source}, mục {field}: {problem}")

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def raw(self, key: str) -> Any:
        if key not in self.data:
            self.fail("thiếu mục bắt buộc", key)
        self.used.add(key)
        return self.data[key]

    def has(self, key: str) -> bool:
        return key in self.data

    def node(self, key: str) -> YamlNode:
        return YamlNode(self.raw(key), self.path(key), self.source)

    def nodes(self, key: str) -> list[YamlNode]:
        value = self.raw(key)
        if not isinstance(value, list) or not value:
            self.fail("phải là một danh sách không rỗng", key)
        return [
            YamlNode(item, f"{self.path(key)}[{i}]", self.source) for i, item in enumerate(value)
        ]

    def text(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            self.fail("phải là một chuỗi không rỗng", key)
        return value.strip()

    def flag(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            self.fail("phải là true hoặc false", key)
        return value

    def integer(self, key: str, low: int | None = None, high: int | None = None) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"phải là số nguyên, đang là {value!r}", key)
        if (low is not None and value < low) or (high is not None and value > high):
            self.fail(f"phải trong khoảng {low}…{high}, đang là {value}", key)
        return value

    def rate(self, key: str) -> Fraction:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(f"phải là tỷ lệ dạng số thập phân (0.95 = 95%), đang là {value!r}", key)
        rate = Fraction(str(value))  # via str: 0.95 becomes exactly 19/20
        if not 0 <= rate <= 1:
            self.fail(f"phải trong khoảng 0…1 (0.95 = 95%), đang là {value}", key)
        return rate

    def clock(self, key: str) -> time:
        value = self.raw(key)
        if isinstance(value, int):
            self.fail('giờ phải đặt trong dấu nháy, ví dụ "07:30"', key)
        try:
            return time.fromisoformat(str(value))
        except ValueError:
            self.fail(f'giờ không hợp lệ {value!r}, ví dụ đúng: "07:30"', key)

    def level(self, key: str) -> QualityLevel:
        value = self.raw(key)
        try:
            return QualityLevel(value)
        except ValueError:
            allowed = ", ".join(level.value for level in QualityLevel)
            self.fail(f"mức không hợp lệ {value!r}; dùng một trong: {allowed}", key)

    def done(self) -> None:
        """Refuse unknown keys: a misspelt key would otherwise be silently ignored."""
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            self.fail(f"khóa không hợp lệ: {', '.join(map(str, unknown))}")
