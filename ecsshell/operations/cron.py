"""AWS schedule expressions (`cron(...)` of six fields, `rate(...)`, `at(...)`) and when they next fire.

Pure: the standard library only. The cron syntax is EventBridge's: minutes, hours, day-of-month,
month, day-of-week, year; `, - * /` everywhere, `?` in exactly one of day-of-month and day-of-week,
`L` and `W` (and `LW`) in day-of-month, `L` (`5L`: the last Thursday) and `#` (`2#1`: the first
Monday) in day-of-week, month names JAN-DEC and day names SUN-SAT (1 is Sunday), years 1970-2199.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FIRST_YEAR, LAST_YEAR = 1970, 2199
MONTHS = {name: i for i, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
DAYS = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}
RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
_EXPRESSION = re.compile(r"^\s*(cron|rate|at)\((.*)\)\s*$", re.IGNORECASE)


class ExpressionError(ValueError):
    """A schedule expression that EventBridge would not take."""


@dataclass(frozen=True)
class Cron:
    """A parsed six-field cron expression: the values each plain field allows, and the day rules."""

    minutes: frozenset[int]
    hours: frozenset[int]
    months: frozenset[int]
    years: frozenset[int]
    month_days: str  # the day-of-month field as written ("?" when the day-of-week field rules)
    week_days: str  # the day-of-week field as written ("?" when the day-of-month field rules)

    def days(self, year: int, month: int) -> list[int]:
        """Return the days of MONTH in YEAR this expression fires on, in order."""
        last = calendar.monthrange(year, month)[1]
        if self.week_days == "?":
            found: set[int] = set()
            for part in self.month_days.split(","):
                found.update(_month_day(part, year, month, last))
            return sorted(d for d in found if 1 <= d <= last)
        found = set()
        for part in self.week_days.split(","):
            found.update(_week_day(part, year, month, last))
        return sorted(found)

    def matches(self, moment: datetime) -> bool:
        """Say whether the expression fires at MOMENT's minute (MOMENT in the expression's own time zone)."""
        return (moment.minute in self.minutes and moment.hour in self.hours and moment.month in self.months
                and moment.year in self.years and moment.day in self.days(moment.year, moment.month))


@dataclass(frozen=True)
class Rate:
    """A `rate(N unit)` expression: every SECONDS."""

    seconds: int


@dataclass(frozen=True)
class At:
    """A one-time `at(yyyy-mm-ddThh:mm:ss)` expression (a wall time in the schedule's time zone)."""

    moment: datetime  # naive


Expression = Cron | Rate | At


def parse(expression: str) -> Expression:
    """Parse a schedule expression; ExpressionError says what is wrong with one EventBridge refuses."""
    match = _EXPRESSION.match(expression or "")
    if match is None:
        raise ExpressionError(f"{expression!r} is not cron(...), rate(...) or at(...)")
    kind, body = match.group(1).lower(), match.group(2).strip()
    if kind == "rate":
        return _rate(body)
    if kind == "at":
        try:
            return At(datetime.strptime(body, "%Y-%m-%dT%H:%M:%S"))
        except ValueError:
            raise ExpressionError(f"at({body}) is not at(yyyy-mm-ddThh:mm:ss)") from None
    return _cron(body)


def _rate(body: str) -> Rate:
    parts = body.split()
    if len(parts) != 2 or not parts[0].isdigit() or parts[1].lower() not in RATE_UNITS or int(parts[0]) < 1:
        raise ExpressionError(f"rate({body}) is not rate(VALUE minutes|hours|days) with a positive VALUE")
    return Rate(int(parts[0]) * RATE_UNITS[parts[1].lower()])


def _cron(body: str) -> Cron:
    fields = body.split()
    if len(fields) != 6:
        raise ExpressionError(f"cron({body}) has {len(fields)} fields, not 6 (minutes hours day-of-month month "
                              "day-of-week year)")
    minute, hour, month_day, month, week_day, year = fields
    if (month_day == "?") == (week_day == "?"):
        raise ExpressionError(f"cron({body}): exactly one of day-of-month and day-of-week must be ?")
    cron = Cron(_values(minute, 0, 59, "minutes"), _values(hour, 0, 23, "hours"),
                _values(month, 1, 12, "month", MONTHS), _values(year, FIRST_YEAR, LAST_YEAR, "year"),
                month_day.upper(), week_day.upper())
    for part in cron.month_days.split(",") if month_day != "?" else ():
        _month_day(part, 2000, 1, 31)  # refuses a bad part at once
    for part in cron.week_days.split(",") if week_day != "?" else ():
        _week_day(part, 2000, 1, 31)
    return cron


def _number(text: str, low: int, high: int, what: str, names: dict[str, int] | None = None) -> int:
    value = (names or {}).get(text.upper())
    if value is None:
        if not text.isdigit():
            raise ExpressionError(f"{text!r} is not a valid {what} value")
        value = int(text)
    if not low <= value <= high:
        raise ExpressionError(f"{what} value {value} is outside {low}-{high}")
    return value


def _values(field: str, low: int, high: int, what: str, names: dict[str, int] | None = None) -> frozenset[int]:
    """Return the values a field of `, - * /` allows (a range may wrap: FRI-MON, 22-2)."""
    found: set[int] = set()
    for part in field.split(","):
        base, slash, step_text = part.partition("/")
        step = _number(step_text, 1, high - low + 1, f"{what} increment") if slash else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = _number(first, low, high, what, names), _number(last, low, high, what, names)
        else:
            start = _number(base, low, high, what, names)
            end = high if slash else start
        span = (end - start) % (high - low + 1)
        found.update(low + (start - low + offset) % (high - low + 1) for offset in range(0, span + 1, step))
    return frozenset(found)


def _weekday_near(year: int, month: int, day: int, last: int) -> int:
    """Return the weekday (Monday-Friday) nearest DAY within the month, as `W` picks it."""
    weekday = date(year, month, day).weekday()  # Monday 0
    if weekday == 5:
        return day - 1 if day > 1 else day + 2
    if weekday == 6:
        return day + 1 if day < last else day - 2
    return day


def _month_day(part: str, year: int, month: int, last: int) -> set[int]:
    """Return the days one part of the day-of-month field picks in a month of LAST days."""
    if part == "L":
        return {last}
    if part == "LW":
        return {_weekday_near(year, month, last, last)}
    if part.endswith("W"):
        day = _number(part[:-1], 1, 31, "day-of-month")
        return {_weekday_near(year, month, day, last)} if day <= last else set()
    return {d for d in _values(part, 1, 31, "day-of-month") if d <= last}


def _sunday_first(day: date) -> int:
    """Return DAY's day-of-week as cron counts it: 1 Sunday ... 7 Saturday."""
    return (day.weekday() + 1) % 7 + 1


def _week_day(part: str, year: int, month: int, last: int) -> set[int]:
    """Return the days of a month one part of the day-of-week field picks."""
    first = _sunday_first(date(year, month, 1))

    def days_of(weekday: int) -> list[int]:
        return list(range(1 + (weekday - first) % 7, last + 1, 7))

    if "#" in part:
        day_text, _, nth_text = part.partition("#")
        weekday, nth = _number(day_text, 1, 7, "day-of-week", DAYS), _number(nth_text, 1, 5, "week of the month")
        matching = days_of(weekday)
        return {matching[nth - 1]} if nth <= len(matching) else set()
    if part.endswith("L"):
        weekday = _number(part[:-1], 1, 7, "day-of-week", DAYS) if part != "L" else 7
        return {days_of(weekday)[-1]}
    weekdays = _values(part, 1, 7, "day-of-week", DAYS)
    return {d for w in weekdays for d in days_of(w)}


def zone(name: str | None) -> ZoneInfo | None:
    """Return the IANA time zone NAME (UTC when empty), or None when it is unknown here."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return None


def next_run(expression: str, now: datetime, *, timezone: str | None = None, start: datetime | None = None,
             end: datetime | None = None, anchor: datetime | None = None) -> datetime | None:
    """Return when EXPRESSION next fires after NOW (aware, UTC), or None when it never will or cannot be told.

    TIMEZONE is the schedule's (cron and at are read in it); START and END bound a recurring schedule;
    ANCHOR is when a rate schedule began (its start date, else its creation): without one a rate has no
    phase, and its next run cannot be told.
    """
    try:
        parsed = parse(expression)
    except ExpressionError:
        return None
    tz = zone(timezone)
    if tz is None:
        return None
    after = max(now, start - timedelta(microseconds=1)) if start is not None else now
    if isinstance(parsed, At):
        moment = parsed.moment.replace(tzinfo=tz).astimezone(UTC)
        return moment if moment > now else None
    if isinstance(parsed, Rate):
        if anchor is None:
            return None
        base = max(anchor, start) if start is not None else anchor
        if after < base:
            found = base
        else:
            steps = int((after - base).total_seconds() // parsed.seconds) + 1
            found = base + timedelta(seconds=steps * parsed.seconds)
    else:
        found_cron = next_cron(parsed, after, tz)
        if found_cron is None:
            return None
        found = found_cron
    return None if end is not None and found > end else found.astimezone(UTC)


def next_cron(cron: Cron, after: datetime, tz: ZoneInfo) -> datetime | None:
    """Return the first minute after AFTER (aware) that CRON, read in time zone TZ, fires at; None if none."""
    local = after.astimezone(tz)
    hours, minutes = sorted(cron.hours), sorted(cron.minutes)
    year, month = local.year, local.month
    while year <= LAST_YEAR:
        if year in cron.years and month in cron.months:
            for day in cron.days(year, month):
                if (year, month, day) < (local.year, local.month, local.day):
                    continue
                for hour in hours:
                    for minute in minutes:
                        moment = datetime(year, month, day, hour, minute, tzinfo=tz)
                        if moment.astimezone(UTC) > after:
                            return moment.astimezone(UTC)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return None
