"""The leadership digest: from the ledger's counts to totals, lists, changes and trend.

Pure arithmetic. `storage.digest_queries` aggregates the ledger in SQL (a fixed
number of statements whatever the size of the subtree) and hands in counts; the
status of each count as of a day follows `domain.obligations`, the one definition
of what counts. Which periods a day is judged on is the obligations' `Window`.

As of an earlier day (last week, the 8-week trend) a count is resolved only if
its fact became known before that day ended; figures sent in a weekly digest are
frozen (`DigestSnapshot`), and a later correction is shown beside the frozen
figure, never silently written over it.

Modules: `facts` (what storage hands in), `results` (totals, snapshots, the digest),
`lists` (who is listed and why), `build` (the computation), `duties` (directives and
cluster meetings), `extras` (survey, admissions, grade preview), `month_rows` (one
line per unit: the month export, /unit).
"""
