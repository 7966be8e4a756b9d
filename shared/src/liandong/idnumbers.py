"""Resident identity numbers (居民身份证号码, GB 11643-1999): 18 characters with an ISO 7064 check digit."""
from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def born_on(number: str) -> date | None:
    """The date of birth an ID number states (characters 7-14), or None when they are no date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except (ValueError, TypeError, IndexError):
        return None


def sex_of(number: str) -> str:
    """"male" or "female" as the ID number states it (the 17th digit: odd for a man)."""
    return "male" if int(number[16]) % 2 else "female"


def years_old(born: date, day: date) -> int:
    """Whole years of life completed on `day` (a birthday counts on its day)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_on(number: str, day: date) -> int | None:
    """The age on `day` of the holder of an ID number, or None when it states no date of birth."""
    born = born_on(number)
    return None if born is None else years_old(born, day)


def problem(number: str) -> str | None:
    """Why `number` is not a valid ID number, or None if it is."""
    if not isinstance(number, str) or not _SHAPE.match(number.upper()):
        return "an ID number has 17 digits and a final digit or X"
    number = number.upper()
    born = born_on(number)
    if born is None:
        return "the date of birth in the ID number does not exist"
    if born.year < 1900 or born > date.today():
        return "the date of birth in the ID number is out of range"
    if check_digit(number[:17]) != number[17]:
        return "the check digit of the ID number is wrong"
    return None


def is_valid(number: str) -> bool:
    return problem(number) is None


def mask(number: str | None) -> str | None:
    """110101********8515: region and last four only, for roles that do not need the number."""
    if not number:
        return number
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_mobile(number: str | None) -> str | None:
    if not number:
        return number
    return number[:3] + "****" + number[-4:] if len(number) >= 11 else "*" * len(number)


def mask_address(address: str | None) -> str | None:
    """家园社区****: roughly where, no more, for roles that do not need a resident's address (personal data
    like the ID and mobile numbers)."""
    if not address:
        return address
    return address[:4] + "****" if len(address) > 4 else "****"
