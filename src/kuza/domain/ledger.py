"""Double-entry ledger: accounts, postings, balanced journal entries, reversals.

A posting's amount is signed: positive is a debit, negative a credit. An entry balances
when, for every currency, its postings sum to zero. Entries are never changed; a
correction is a new entry that reverses the old one line by line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from kuza.domain.errors import UnbalancedEntry
from kuza.domain.money import Money


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"

    @property
    def debit_normal(self) -> bool:
        return self in (AccountType.ASSET, AccountType.EXPENSE)


class AccountCode(StrEnum):
    """The default chart of accounts of a programme (codes follow the usual 1-5 classes)."""

    GROUP_CASH = "1000"
    PASSBOOK_CASH = "1010"
    INTERNAL_LOANS = "1100"
    EXTERNAL_LOANS = "1200"
    MEMBER_SAVINGS = "2000"
    VOLUNTARY_SAVINGS = "2010"
    SOCIAL_FUND = "2100"
    PASSBOOK = "2200"
    SHARE_OUT_PAYABLE = "2300"
    FUND_EQUITY = "3000"
    FINES_INCOME = "4000"
    INTEREST_INCOME = "4100"
    FEE_INCOME = "4200"
    # Credit (appended): the programme's loan fund lives in group_id None accounts.
    LOAN_FUND_CASH = "1020"
    GUARANTEE_DEPOSIT = "1030"
    LOAN_OVERPAYMENTS = "2400"
    LOAN_FUND_CAPITAL = "3100"
    PENALTY_INCOME = "4300"
    RECOVERY_INCOME = "4400"
    WRITE_OFF_EXPENSE = "5000"
    GRANT_EXPENSE = "5100"
    # Programme costs (appended, issue 5): paid from the programme's operating cash.
    OPERATING_CASH = "1040"
    STAFF_COST = "5500"
    TRAINING_COST = "5510"
    MATERIALS_COST = "5520"
    OVERHEAD_COST = "5530"
    # Micro health insurance (appended, issue 5): the scheme's fund is programme-wide.
    INSURANCE_CASH = "1050"
    PREMIUM_INCOME = "4500"
    PREMIUM_SUBSIDY = "5540"
    CLAIMS_EXPENSE = "5600"
    # Accrual of interest on external loans by close-day (appended, issue 4).
    ACCRUED_INTEREST_RECEIVABLE = "1210"


@dataclass(frozen=True)
class ChartAccount:
    code: AccountCode
    name: str
    type: AccountType
    per_member: bool


DEFAULT_CHART: tuple[ChartAccount, ...] = (
    ChartAccount(AccountCode.GROUP_CASH, "Group fund cash", AccountType.ASSET, False),
    ChartAccount(AccountCode.PASSBOOK_CASH, "Passbook cash held", AccountType.ASSET, False),
    ChartAccount(AccountCode.INTERNAL_LOANS, "Internal loans outstanding", AccountType.ASSET, True),
    ChartAccount(AccountCode.EXTERNAL_LOANS, "External loans outstanding", AccountType.ASSET, True),
    ChartAccount(
        AccountCode.MEMBER_SAVINGS, "Members' compulsory savings", AccountType.LIABILITY, True
    ),
    ChartAccount(
        AccountCode.VOLUNTARY_SAVINGS, "Members' voluntary savings", AccountType.LIABILITY, True
    ),
    ChartAccount(AccountCode.SOCIAL_FUND, "Social (welfare) fund", AccountType.LIABILITY, False),
    ChartAccount(AccountCode.PASSBOOK, "Member passbook savings", AccountType.LIABILITY, True),
    ChartAccount(
        AccountCode.SHARE_OUT_PAYABLE, "Share-out payable to members", AccountType.LIABILITY, True
    ),
    ChartAccount(
        AccountCode.FUND_EQUITY, "Group fund retained earnings", AccountType.EQUITY, False
    ),
    ChartAccount(AccountCode.FINES_INCOME, "Fines income", AccountType.INCOME, False),
    ChartAccount(AccountCode.INTEREST_INCOME, "Interest income", AccountType.INCOME, False),
    ChartAccount(AccountCode.FEE_INCOME, "Fee income", AccountType.INCOME, False),
    ChartAccount(AccountCode.LOAN_FUND_CASH, "Programme loan fund cash", AccountType.ASSET, False),
    ChartAccount(
        AccountCode.GUARANTEE_DEPOSIT,
        "Group fund blocked as loan guarantee",
        AccountType.ASSET,
        False,
    ),
    ChartAccount(
        AccountCode.LOAN_OVERPAYMENTS, "Loan overpayments to refund", AccountType.LIABILITY, True
    ),
    ChartAccount(
        AccountCode.LOAN_FUND_CAPITAL,
        "Loan fund capital (programme, partner)",
        AccountType.EQUITY,
        False,
    ),
    ChartAccount(AccountCode.PENALTY_INCOME, "Penalty income", AccountType.INCOME, False),
    ChartAccount(
        AccountCode.RECOVERY_INCOME, "Recoveries on written-off loans", AccountType.INCOME, False
    ),
    ChartAccount(AccountCode.WRITE_OFF_EXPENSE, "Loans written off", AccountType.EXPENSE, False),
    ChartAccount(AccountCode.GRANT_EXPENSE, "In-kind grants given", AccountType.EXPENSE, False),
    ChartAccount(AccountCode.OPERATING_CASH, "Programme operating cash", AccountType.ASSET, False),
    ChartAccount(AccountCode.STAFF_COST, "Programme staff costs", AccountType.EXPENSE, False),
    ChartAccount(AccountCode.TRAINING_COST, "Programme training costs", AccountType.EXPENSE, False),
    ChartAccount(AccountCode.MATERIALS_COST, "Programme materials", AccountType.EXPENSE, False),
    ChartAccount(AccountCode.OVERHEAD_COST, "Programme overhead", AccountType.EXPENSE, False),
    ChartAccount(
        AccountCode.INSURANCE_CASH, "Health insurance fund cash", AccountType.ASSET, False
    ),
    ChartAccount(
        AccountCode.PREMIUM_INCOME, "Health insurance premiums", AccountType.INCOME, False
    ),
    ChartAccount(
        AccountCode.PREMIUM_SUBSIDY,
        "Premium subsidies paid by the programme",
        AccountType.EXPENSE,
        False,
    ),
    ChartAccount(
        AccountCode.CLAIMS_EXPENSE, "Health insurance claims paid", AccountType.EXPENSE, False
    ),
    ChartAccount(
        AccountCode.ACCRUED_INTEREST_RECEIVABLE,
        "Accrued interest receivable (external loans)",
        AccountType.ASSET,
        False,
    ),
)

CHART_BY_CODE: dict[AccountCode, ChartAccount] = {a.code: a for a in DEFAULT_CHART}


@dataclass(frozen=True)
class AccountKey:
    """Which account: a chart code, scoped to a group and, for member accounts, a member."""

    code: AccountCode
    group_id: int | None = None
    member_id: int | None = None

    def __post_init__(self) -> None:
        if CHART_BY_CODE[self.code].per_member and self.member_id is None:
            raise ValueError(f"account {self.code.name} needs a member")

    def __hash__(self) -> int:
        # Computed once: keys are looked up in dicts for every posting (balances, ids),
        # and the generated hash called the enum's Python-level __hash__ each time.
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash((self.code.value, self.group_id, self.member_id))
            object.__setattr__(self, "_hash", cached)
        return cached

    def __getstate__(self) -> dict[str, object]:
        # A string's hash differs between processes: a pickled key computes its own.
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}


@dataclass(frozen=True)
class Posting:
    account: AccountKey
    amount: Money  # debit > 0, credit < 0
    memo: str = ""


@dataclass(frozen=True)
class JournalEntry:
    posted_on: date
    memo: str
    postings: tuple[Posting, ...]
    source: str = ""  # what caused it, e.g. "meeting:42"
    reverses: int | None = None  # id of the entry this one reverses
    key: str | None = None  # idempotency key, unique per programme

    def imbalances(self) -> dict[str, Decimal]:
        sums: dict[str, Decimal] = defaultdict(Decimal)
        for p in self.postings:
            sums[p.amount.currency] += p.amount.amount
        return {cur: amt for cur, amt in sums.items() if amt != 0}


@dataclass
class EntryBuilder:
    """Collects debit/credit pairs and yields one balanced entry (zero amounts skipped)."""

    posted_on: date
    memo: str
    source: str = ""
    key: str | None = None
    postings: list[Posting] = field(default_factory=list)

    def move(self, debit: AccountKey, credit: AccountKey, amount: Money, memo: str = "") -> None:
        if amount.is_zero():
            return
        self.postings.append(Posting(debit, amount, memo))
        self.postings.append(Posting(credit, -amount, memo))

    def build(self) -> JournalEntry:
        return checked(
            JournalEntry(
                self.posted_on, self.memo, tuple(self.postings), self.source, None, self.key
            )
        )


def checked(entry: JournalEntry) -> JournalEntry:
    """Return ``entry`` if it balances per currency, else raise :class:`UnbalancedEntry`."""
    if not entry.postings:
        raise UnbalancedEntry("entry %(memo)s has no postings", memo=repr(entry.memo))
    off = entry.imbalances()
    if off:
        detail = ", ".join(f"{amt} {cur}" for cur, amt in sorted(off.items()))
        raise UnbalancedEntry(
            "entry %(memo)s does not balance: off by %(detail)s",
            memo=repr(entry.memo),
            detail=detail,
        )
    return entry


def reversal(entry_id: int, entry: JournalEntry, on: date, reason: str) -> JournalEntry:
    """The entry that cancels ``entry`` exactly: same accounts, opposite amounts."""
    return checked(
        JournalEntry(
            posted_on=on,
            memo=f"Reversal of entry {entry_id}: {reason}",
            postings=tuple(Posting(p.account, -p.amount, p.memo) for p in entry.postings),
            source=entry.source,
            reverses=entry_id,
        )
    )


def balances(entries: Iterable[JournalEntry]) -> dict[AccountKey, Money]:
    """Signed (debit-positive) balance of every account touched by ``entries``."""
    result: dict[AccountKey, Money] = {}
    for e in entries:
        for p in e.postings:
            result[p.account] = result.get(p.account, Money.zero(p.amount.currency)) + p.amount
    return result


def normal_balance(code: AccountCode, signed: Money) -> Money:
    """Balance as a person reads it: a liability of 100 shows 100, not -100."""
    return signed if CHART_BY_CODE[code].type.debit_normal else -signed


def trial_balance_errors(entries: Sequence[JournalEntry]) -> list[str]:
    errors = []
    for e in entries:
        off = e.imbalances()
        if off:
            errors.append(f"entry {e.memo!r} on {e.posted_on} is off by {off}")
    return errors
