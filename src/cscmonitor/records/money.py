"""Money as whole pence: parsed from pounds exactly, never through a float's arithmetic."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from cscmonitor.records.errors import RecordsError


def pounds_to_pence(value: object, what: str | None = "amount") -> int:
    """Pounds (a whole number, a decimal with at most 2 places, or such text) as pence.

    `what` names the value in an error; None leaves that to the caller (a file's field path).
    """

    def refuse(problem: str) -> RecordsError:
        return RecordsError(f"{what}: {problem}" if what else problem)

    if isinstance(value, bool) or value is None:
        raise refuse(f"must be an amount in pounds, not {value!r}")
    # A float goes through its shortest text form, so 0.1 is read as 0.1, not 0.1000000000000000055.
    text = repr(value) if isinstance(value, float) else str(value)
    cleaned = text.strip().replace(",", "").replace("_", "").removeprefix("£")
    try:
        pounds = Decimal(cleaned)
    except InvalidOperation:
        raise refuse(f"must be an amount in pounds, not {value!r}") from None
    if not pounds.is_finite():
        raise refuse(f"must be an amount in pounds, not {value!r}")
    pence = pounds * 100
    if pence != pence.to_integral_value():
        raise refuse(f"pounds have at most 2 decimal places, not {value!r}")
    return int(pence)


def pence_to_pounds(pence: int) -> int | str:
    """Pence as pounds for a file: a whole number when it is one, else text with 2 places."""
    if pence % 100 == 0:
        return pence // 100
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


def format_pounds(pence: int) -> str:
    """Pence for people: `£42,200,000`, `-£348,000`, `£1,234.56`."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}" + (f".{part:02d}" if part else "")
