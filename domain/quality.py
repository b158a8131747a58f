"""Quality levels of a meeting (xếp loại chất lượng sinh hoạt)."""

from __future__ import annotations

from enum import StrEnum


class QualityLevel(StrEnum):
    """The four levels; values are stable ASCII codes (also used in the policy YAML)."""

    TOT = "tot"
    KHA = "kha"
    TRUNG_BINH = "trung_binh"
    KEM = "kem"

    @property
    def label_vi(self) -> str:
        return _LABELS[self]

    @property
    def rank(self) -> int:
        """Higher is better: KEM 0 … TOT 3; use it to compare or cap levels."""
        return _RANKS[self]


_LABELS = {
    QualityLevel.TOT: "Tốt",
    QualityLevel.KHA: "Khá",
    QualityLevel.TRUNG_BINH: "Trung bình",
    QualityLevel.KEM: "Kém",
}
_RANKS = {
    QualityLevel.KEM: 0,
    QualityLevel.TRUNG_BINH: 1,
    QualityLevel.KHA: 2,
    QualityLevel.TOT: 3,
}


def lower_of(a: QualityLevel, b: QualityLevel) -> QualityLevel:
    return a if a.rank <= b.rank else b
