"""The love bank (爱心银行): accounts and double-entry transfers of love coins (爱心币)."""
from __future__ import annotations

from dataclasses import dataclass

from liandong.errors import ValidationFailed

# Why transfers and not balances: every coin a volunteer holds was issued by a community's issuing
# account and every coin spent went somewhere (the charity supermarket, another volunteer), so the
# sum over all accounts is always zero and any balance can be recomputed from the entries.
ENTRY_KINDS = ("attendance", "patrol", "adjustment", "redemption", "time_bank", "opening")
OPENING_REASON = "期初结转"  # the reason of an opening entry: a balance carried forward from the office's own books
DEFAULT_COINS_PER_HOUR = 10


def volunteer_account(volunteer_id: str) -> str:
    return f"vol:{volunteer_id}"


def issuer_account(org_unit_id: str) -> str:
    """The community's issuing account: it may go negative (that is how many coins it issued)."""
    return f"issuer:{org_unit_id}"


def supermarket_account(org_unit_id: str) -> str:
    """The charity supermarket (爱心超市) where coins are spent on goods."""
    return f"supermarket:{org_unit_id}"


def opening_account(org_unit_id: str) -> str:
    """The community's opening balances (期初余额): the counterpart of every balance carried forward from
    the office's books on rollout day. Like the issuer it may go negative (how many coins were carried
    forward), and it keeps those coins apart from the ones issued in this system, so this year's
    issuance still reads from the issuer alone."""
    return f"opening:{org_unit_id}"


def opening_entry_id(volunteer_id: str) -> str:
    """One opening entry per volunteer, ever: a re-import or a retry finds it instead of posting again."""
    return f"opening:{volunteer_id}"


def may_go_negative(account: str) -> bool:
    return account.startswith(("issuer:", "opening:"))


@dataclass(frozen=True)
class Transfer:
    """One ledger entry: `coins` leave `from_account` and reach `to_account` (the pair sums to zero)."""

    id: str
    from_account: str
    to_account: str
    coins: int
    kind: str
    reason: str
    org_path: str
    time: str
    refs: dict

    def __post_init__(self):
        if not isinstance(self.coins, int) or self.coins <= 0:
            raise ValidationFailed("a transfer moves a positive whole number of coins", {"coins": ["must be > 0"]})
        if self.from_account == self.to_account:
            raise ValidationFailed("a transfer needs two different accounts", {"to": ["same as from"]})
        if self.kind not in ENTRY_KINDS:
            raise ValidationFailed("unknown entry kind", {"kind": [f"one of {', '.join(ENTRY_KINDS)}"]})
        if not self.reason.strip():
            raise ValidationFailed("every entry gives a reason", {"reason": ["required"]})

    def legs(self) -> list[tuple[str, int]]:
        return [(self.from_account, -self.coins), (self.to_account, self.coins)]


def balances_from(entries: list[dict]) -> dict[str, int]:
    """What each account holds according to the ledger alone."""
    out: dict[str, int] = {}
    for e in entries:
        out[e["from_account"]] = out.get(e["from_account"], 0) - e["coins"]
        out[e["to_account"]] = out.get(e["to_account"], 0) + e["coins"]
    return out
