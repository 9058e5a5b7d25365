"""EventBridge's schedule expressions and their next run: a table of known answers, and properties of any cron."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecsshell.operations import cron


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


NOW = utc("2026-12-06T14:20:30")  # a Sunday

# (expression, time zone, now, expected next run in UTC or None)
TABLE: list[tuple[str, str, datetime, datetime | None]] = [
    ("cron(0 6 * * ? *)", "UTC", NOW, utc("2026-12-07T06:00:00")),
    ("cron(0 6 * * ? *)", "Europe/Berlin", NOW, utc("2026-12-07T05:00:00")),  # CET: UTC+1
    ("cron(0 6 * * ? *)", "Europe/Berlin", utc("2026-07-01T10:00:00"), utc("2026-07-02T04:00:00")),  # CEST
    ("cron(0/15 * * * ? *)", "UTC", NOW, utc("2026-12-06T14:30:00")),
    ("cron(*/20 14 * * ? *)", "UTC", NOW, utc("2026-12-06T14:40:00")),
    ("cron(20 14 * * ? *)", "UTC", NOW, utc("2026-12-07T14:20:00")),  # this minute has begun: the next day's
    ("cron(0 12 ? * MON-FRI *)", "UTC", utc("2026-12-05T13:00:00"), utc("2026-12-07T12:00:00")),
    ("cron(0 22 ? * FRI-MON *)", "UTC", utc("2026-12-08T00:00:00"), utc("2026-12-11T22:00:00")),  # wraps
    ("cron(0 10 L * ? *)", "UTC", utc("2026-02-10T00:00:00"), utc("2026-02-28T10:00:00")),
    ("cron(0 9 ? * 2#1 *)", "UTC", utc("2026-12-08T00:00:00"), utc("2027-01-04T09:00:00")),  # first Monday
    ("cron(0 9 ? * 6L *)", "UTC", utc("2026-12-01T00:00:00"), utc("2026-12-25T09:00:00")),  # last Friday
    ("cron(0 8 15W * ? *)", "UTC", utc("2026-08-01T00:00:00"), utc("2026-08-14T08:00:00")),  # 15th a Saturday
    ("cron(0 8 LW * ? *)", "UTC", utc("2026-05-01T00:00:00"), utc("2026-05-29T08:00:00")),  # 31st a Sunday
    ("cron(0 0 29 FEB ? *)", "UTC", utc("2026-03-01T00:00:00"), utc("2028-02-29T00:00:00")),
    ("cron(0 0 1 JAN,JUL ? 2027/2)", "UTC", NOW, utc("2027-01-01T00:00:00")),
    ("cron(30 2 * * ? 2025)", "UTC", NOW, None),  # every run is over
    ("cron(0 0 31 2 ? *)", "UTC", NOW, None),  # never
    ("at(2026-12-24T18:00:00)", "Europe/Berlin", NOW, utc("2026-12-24T17:00:00")),
    ("at(2026-12-01T18:00:00)", "UTC", NOW, None),  # one time, past
    ("rate(5 minutes)", "UTC", NOW, None),  # no anchor: a rule's rate cannot be told
]


@pytest.mark.parametrize(("expression", "timezone", "now", "expected"), TABLE, ids=[t[0] + " " + t[1] for t in TABLE])
def test_next_run_of_known_expressions(expression: str, timezone: str, now: datetime,
                                       expected: datetime | None) -> None:
    assert cron.next_run(expression, now, timezone=timezone) == expected


def test_a_rate_counts_from_its_anchor_and_the_bounds_hold() -> None:
    created = utc("2026-12-06T14:02:00")
    assert cron.next_run("rate(5 minutes)", NOW, anchor=created) == utc("2026-12-06T14:22:00")
    assert cron.next_run("rate(1 hour)", NOW, anchor=created) == utc("2026-12-06T15:02:00")
    assert cron.next_run("rate(2 days)", NOW, anchor=created) == utc("2026-12-08T14:02:00")
    start = utc("2026-12-10T00:00:00")  # not started yet: its first run is its start
    assert cron.next_run("rate(1 day)", NOW, anchor=start, start=start) == start
    assert cron.next_run("cron(0 6 * * ? *)", NOW, start=start) == utc("2026-12-10T06:00:00")
    assert cron.next_run("cron(0 6 * * ? *)", NOW, end=utc("2026-12-07T00:00:00")) is None  # ended before
    assert cron.next_run("cron(0 6 * * ? *)", NOW, timezone="Mars/Olympus") is None  # a zone not known here


@pytest.mark.parametrize("expression", [
    "cron(0 6 * * * *)",  # both day fields given
    "cron(0 6 ? * ? *)",  # neither
    "cron(0 6 * * ?)",  # five fields
    "cron(60 6 * * ? *)", "cron(0 24 * * ? *)", "cron(0 6 32 * ? *)", "cron(0 6 ? * 8 *)",
    "cron(0 6 ? * MON#6 *)", "cron(0 6 * FOO ? *)", "cron(0 6 * * ? 1969)", "cron(0/0 6 * * ? *)",
    "rate(0 minutes)", "rate(5 weeks)", "rate(five minutes)", "at(2026-12-24 18:00)", "every(5 minutes)", "",
])
def test_what_eventbridge_refuses_is_refused(expression: str) -> None:
    with pytest.raises(cron.ExpressionError):
        cron.parse(expression)
    assert cron.next_run(expression, NOW) is None


MINUTES = st.sampled_from(["*", "0", "0/15", "5,35", "10-20", "*/7"])
HOURS = st.sampled_from(["*", "3", "8-17", "*/6", "22-2"])
MONTH_DAYS = st.sampled_from(["*", "1", "L", "1,15", "15W", "LW", "10-12"])
WEEK_DAYS = st.sampled_from(["*", "MON-FRI", "2#1", "6L", "SUN", "SAT,SUN"])
ZONES = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])


@st.composite
def expressions(draw: st.DrawFn) -> str:
    minute, hour, month = draw(MINUTES), draw(HOURS), draw(st.sampled_from(["*", "JAN-MAR", "6", "*/2"]))
    if draw(st.booleans()):
        return f"cron({minute} {hour} {draw(MONTH_DAYS)} {month} ? *)"
    return f"cron({minute} {hour} ? {month} {draw(WEEK_DAYS)} *)"


@settings(max_examples=40, deadline=None)
@given(expression=expressions(), zone=ZONES,
       now=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)))
def test_the_next_run_fires_and_none_comes_between(expression: str, zone: str, now: datetime) -> None:
    now = now.replace(tzinfo=UTC)
    parsed = cron.parse(expression)
    assert isinstance(parsed, cron.Cron)
    found = cron.next_run(expression, now, timezone=zone)
    assert found is not None and found > now and found.second == 0 and found.tzinfo == UTC
    local = found.astimezone(ZoneInfo(zone))
    assert parsed.matches(local), (expression, zone, now, found)
    # no minute between now and the run found fires (looked at minute by minute, when that is near)
    moment = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while moment < found and moment - now < timedelta(hours=26):
        assert not parsed.matches(moment.astimezone(ZoneInfo(zone))), (expression, zone, now, moment, found)
        moment += timedelta(minutes=1)
