"""The moments the suite's clocks stand at."""

from datetime import UTC, datetime

# 09:00 in Hà Nội on a Thursday: where every test's ManualClock starts.
T0 = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
# Tuesday 15/12/2026 09:00 in Hà Nội: the Q4 survey takes answers 10/12/2026–10/01/2027.
IN_WINDOW = datetime(2026, 12, 15, 2, 0, tzinfo=UTC)
