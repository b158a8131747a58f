"""The digest's PNG chart: the 8-week trend of the headline shares."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from domain.digest.results import Digest
from messages.digest_labels import dlabel
from messages.file_text import CHART_STYLE, share_percent, xml_text

if TYPE_CHECKING:  # openpyxl (and numpy with it) loads when a file is made, not at start
    pass


def digest_chart_png(d: Digest, locale: str | None = None) -> bytes:
    """Compliance by child unit (clusters of the bloc) and the 8-week trend, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    # Names are shown as typed: "Cụm $x^$" is a name, not a formula (CHART_STYLE).
    with matplotlib.rc_context(CHART_STYLE):
        L = lambda key: dlabel(key, locale)  # noqa: E731
        fig = Figure(figsize=(12, 5), dpi=100)
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})

        names = [xml_text(b.unit.code) for b in d.breakdown] or [xml_text(d.scope.code)]
        totals = [b.totals for b in d.breakdown] or [d.totals]
        series = (
            (
                L("chart.registered"),
                [share_percent(t.registered, t.registration_expected) or 0 for t in totals],
            ),
            (
                L("chart.held"),
                [share_percent(t.meetings_held, t.meetings_expected) or 0 for t in totals],
            ),
            (
                L("chart.reports"),
                [share_percent(t.reports_on_time, t.reports_expected) or 0 for t in totals],
            ),
        )
        width = 0.8 / len(series)
        for i, (label, values) in enumerate(series):
            xs = [x + (i - 1) * width for x in range(len(names))]
            left.bar(xs, values, width=width, label=label)
        left.set_xticks(
            range(len(names)),
            names,
            rotation=45 if len(names) > 8 else 0,
            ha="right" if len(names) > 8 else "center",
        )
        left.set_ylim(0, 105)
        left.set_ylabel(L("chart.percent"))
        left.set_title(f"{L('chart.breakdown_title')} — {xml_text(d.scope.name)}", fontsize=10)
        left.legend(fontsize=8, loc="upper right")

        days = [p.at.strftime("%d/%m") for p in d.trend]
        for label, key in (
            (L("chart.registered"), lambda t: share_percent(t.registered, t.registration_expected)),
            (L("chart.held"), lambda t: share_percent(t.meetings_held, t.meetings_expected)),
            (L("chart.reports"), lambda t: share_percent(t.reports_on_time, t.reports_expected)),
        ):
            right.plot(days, [key(p.totals) or 0 for p in d.trend], marker="o", label=label)
        right.set_ylim(0, 105)
        right.set_title(L("chart.trend_title"), fontsize=10)
        right.tick_params(axis="x", labelrotation=45)
        right.legend(fontsize=8, loc="upper left")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()
