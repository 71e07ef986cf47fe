"""A group meeting: the collection sheet, its validation and its ledger entry.

A sheet is parsed from plain data (JSON) into a :class:`MeetingSheet`; parsing names the
field at fault. :func:`validate_sheet` checks it against what the ledger says before the
meeting; :func:`meeting_entry` turns it into one balanced journal entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from kuza.domain.errors import DomainError, InvalidAmount, RuleViolation
from kuza.domain.groups import Group, GroupStatus
from kuza.domain.ledger import AccountCode, AccountKey, EntryBuilder, JournalEntry
from kuza.domain.money import Money


@dataclass(frozen=True)
class Fine:
    amount: Money
    reason: str


@dataclass(frozen=True)
class LoanRepayment:
    """A member's repayment on one of her loans, collected at the meeting."""

    loan_id: int
    amount: Money


@dataclass(frozen=True)
class MemberLine:
    member_id: int
    present: bool
    compulsory: Money
    voluntary: Money
    social: Money
    withdrawal: Money
    social_payout: Money
    fines: tuple[Fine, ...] = ()
    social_payout_reason: str = ""
    repayments: tuple[LoanRepayment, ...] = ()

    @property
    def cash_in(self) -> Money:
        return sum((f.amount for f in self.fines), self.compulsory + self.voluntary + self.social)

    @property
    def cash_out(self) -> Money:
        return self.withdrawal + self.social_payout


@dataclass(frozen=True)
class MeetingSheet:
    group_id: int
    held_on: date
    lines: tuple[MemberLine, ...]
    notes: str = ""

    def content_hash(self) -> str:
        """Fingerprint of what the sheet books; equal sheets give equal hashes."""
        payload = {
            "group_id": self.group_id,
            "held_on": self.held_on.isoformat(),
            "lines": [
                {
                    "m": ln.member_id,
                    "p": ln.present,
                    "c": str(ln.compulsory.amount),
                    "v": str(ln.voluntary.amount),
                    "s": str(ln.social.amount),
                    "w": str(ln.withdrawal.amount),
                    "sp": str(ln.social_payout.amount),
                    "f": [[str(f.amount.amount), f.reason] for f in ln.fines],
                    # only when present, so sheets without repayments keep their old hash
                    **(
                        {"r": [[r.loan_id, str(r.amount.amount)] for r in ln.repayments]}
                        if ln.repayments
                        else {}
                    ),
                }
                for ln in sorted(self.lines, key=lambda x: x.member_id)
            ],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _date(raw: object, field_name: str) -> date:
    if not isinstance(raw, str):
        raise DomainError(
            "%(field_name)s must be a date like 2026-03-02", field=field_name, field_name=field_name
        )
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError(
            "%(field_name)s is not a valid date: %(raw)s",
            field=field_name,
            field_name=field_name,
            raw=repr(raw),
        ) from None


def _int(raw: object, field_name: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise DomainError(
            "%(field_name)s must be a whole number", field=field_name, field_name=field_name
        )
    return raw


@lru_cache(maxsize=4096, typed=True)
def _plain_amount(raw: str | int | None, currency: str) -> Money | None:
    """A valid, non-negative amount as :func:`_amount` parses it, or None (then the
    slow path raises the error naming the field). Sheets repeat a few amounts ("0", the
    group's savings rule) thousands of times: parsing each into a Decimal and checking
    its places was most of a sheet's parsing."""
    try:
        money = Money.of("0" if raw is None else raw, currency)
    except DomainError:
        return None
    return None if money.is_negative() else money


def _amount(raw: object, currency: str, field_name: str) -> Money:
    if raw is None or type(raw) is str or type(raw) is int:
        known = _plain_amount(raw, currency)
        if known is not None:
            return known
    money = Money.of("0" if raw is None else raw, currency, field_name)
    if money.is_negative():
        raise InvalidAmount(
            "%(field_name)s must not be negative (got %(amount)s)",
            field_name,
            field_name=field_name,
            amount=money.amount,
        )
    return money


def _repayments(raw: object, currency: str, at: str) -> tuple[LoanRepayment, ...]:
    if not isinstance(raw, list):
        raise DomainError("%(at)s.repayments must be a list", field=f"{at}.repayments", at=at)
    result: list[LoanRepayment] = []
    for j, r in enumerate(raw):
        rat = f"{at}.repayments[{j}]"
        if not isinstance(r, Mapping):
            raise DomainError("%(rat)s must be an object", field=rat, rat=rat)
        loan_id = _int(r.get("loan_id"), f"{rat}.loan_id")
        if any(x.loan_id == loan_id for x in result):
            raise DomainError(
                "loan %(loan_id)s is repaid twice", field=f"{rat}.loan_id", loan_id=loan_id
            )
        amount = _amount(r.get("amount"), currency, f"{rat}.amount")
        if amount.is_zero():
            raise InvalidAmount("%(rat)s.amount must be more than zero", f"{rat}.amount", rat=rat)
        result.append(LoanRepayment(loan_id, amount))
    return tuple(result)


def parse_sheet(data: object, group: Group) -> MeetingSheet:
    """Build a sheet from JSON-like data for ``group``; defaults compulsory savings to the
    group's rule for present members. Raises a :class:`DomainError` naming the field."""
    if not isinstance(data, Mapping):
        raise DomainError("a meeting must be a JSON object", field=None)
    cur = group.currency
    if "currency" in data and data["currency"] != cur:
        raise DomainError(
            "currency %(currency)s is not the group's currency %(cur)s",
            field="currency",
            currency=repr(data["currency"]),
            cur=cur,
        )
    held_on = _date(data.get("held_on"), "held_on")
    raw_lines = data.get("lines", [])
    if not isinstance(raw_lines, list):
        raise DomainError("lines must be a list", field="lines")
    lines: list[MemberLine] = []
    seen: set[int] = set()
    for i, raw in enumerate(raw_lines):
        at = f"lines[{i}]"
        if not isinstance(raw, Mapping):
            raise DomainError("%(at)s must be an object", field=at, at=at)
        member_id = _int(raw.get("member_id"), f"{at}.member_id")
        if member_id in seen:
            raise DomainError(
                "member %(member_id)s appears twice", field=f"{at}.member_id", member_id=member_id
            )
        seen.add(member_id)
        present = raw.get("present", True)
        if not isinstance(present, bool):
            raise DomainError("%(at)s.present must be true or false", field=f"{at}.present", at=at)
        compulsory_raw = raw.get("compulsory")
        if compulsory_raw is None:
            compulsory = group.compulsory_saving if present else Money.zero(cur)
        else:
            compulsory = _amount(compulsory_raw, cur, f"{at}.compulsory")
        fines_raw = raw.get("fines", [])
        if not isinstance(fines_raw, list):
            raise DomainError("%(at)s.fines must be a list", field=f"{at}.fines", at=at)
        fines = []
        for j, f in enumerate(fines_raw):
            fat = f"{at}.fines[{j}]"
            if not isinstance(f, Mapping):
                raise DomainError("%(fat)s must be an object", field=fat, fat=fat)
            reason = str(f.get("reason") or "").strip()
            if not reason:
                raise DomainError(
                    "%(fat)s.reason is required: say why the fine", f"{fat}.reason", fat=fat
                )
            fines.append(Fine(_amount(f.get("amount"), cur, f"{fat}.amount"), reason))
        payout = _amount(raw.get("social_payout"), cur, f"{at}.social_payout")
        reason = str(raw.get("social_payout_reason") or "").strip()
        if not payout.is_zero() and not reason:
            raise DomainError(
                "%(at)s.social_payout_reason is required for a welfare payout",
                field=f"{at}.social_payout_reason",
                at=at,
            )
        repayments = _repayments(raw.get("repayments", []), cur, at)
        lines.append(
            MemberLine(
                member_id=member_id,
                present=present,
                compulsory=compulsory,
                voluntary=_amount(raw.get("voluntary"), cur, f"{at}.voluntary"),
                social=_amount(raw.get("social"), cur, f"{at}.social"),
                withdrawal=_amount(raw.get("withdrawal"), cur, f"{at}.withdrawal"),
                social_payout=payout,
                fines=tuple(fines),
                social_payout_reason=reason,
                repayments=repayments,
            )
        )
    gid = data.get("group_id", group.id)
    if gid != group.id:
        raise DomainError(
            "group_id %(gid)s does not match group %(id)s",
            field="group_id",
            gid=repr(gid),
            id=group.id,
        )
    return MeetingSheet(group.id, held_on, tuple(lines), str(data.get("notes") or ""))


@dataclass(frozen=True)
class FundPosition:
    """What the ledger says just before the meeting."""

    cash: Money
    social_fund: Money
    voluntary: Mapping[int, Money] = field(default_factory=dict)
    # The group's own (internal) loans: their repayments come into the group's cash box.
    internal_loans: frozenset[int] = frozenset()


def validate_sheet(
    sheet: MeetingSheet,
    group: Group,
    members_in_group: Sequence[int],
    position: FundPosition,
    today: date,
) -> None:
    if group.status in (GroupStatus.CLOSED, GroupStatus.GRADUATED):
        raise RuleViolation(
            "group %(group_name)s is %(status)s",
            field="group_id",
            group_name=group.name,
            status=group.status.value,
        )
    if sheet.held_on < group.formed_on:
        raise RuleViolation(
            "held_on %(held_on)s is before the group formed on %(formed_on)s",
            field="held_on",
            held_on=sheet.held_on,
            formed_on=group.formed_on,
        )
    if sheet.held_on > today:
        raise RuleViolation(
            "held_on %(held_on)s is in the future", field="held_on", held_on=sheet.held_on
        )
    allowed = set(members_in_group)
    cur = group.currency
    # Running sums in minor units (every amount is of the group's currency, parsed so);
    # Money only for a refusal's message.
    cash = position.cash.minor
    social = position.social_fund.minor
    for i, ln in enumerate(sheet.lines):
        if ln.member_id not in allowed:
            raise RuleViolation(
                "member %(member_id)s is not in group %(group_name)s on %(held_on)s",
                field=f"lines[{i}].member_id",
                member_id=ln.member_id,
                group_name=group.name,
                held_on=sheet.held_on,
            )
        saved = position.voluntary.get(ln.member_id)
        available = (0 if saved is None else saved.minor) + ln.voluntary.minor
        if ln.withdrawal.minor > available:
            raise RuleViolation(
                (
                    "withdrawal %(withdrawal)s is above member %(member_id)s's "
                    "voluntary savings balance %(available)s"
                ),
                field=f"lines[{i}].withdrawal",
                withdrawal=ln.withdrawal,
                member_id=ln.member_id,
                available=Money.from_minor(available, cur),
            )
        cash += ln.compulsory.minor + ln.voluntary.minor + ln.social.minor
        cash += sum(f.amount.minor for f in ln.fines)
        for r in ln.repayments:
            if r.loan_id in position.internal_loans:
                cash += r.amount.minor
        social += ln.social.minor
    for i, ln in enumerate(sheet.lines):
        if ln.social_payout.minor > social:
            raise RuleViolation(
                "welfare payout %(social_payout)s is above the social fund %(social)s",
                field=f"lines[{i}].social_payout",
                social_payout=ln.social_payout,
                social=Money.from_minor(social, cur),
            )
        social -= ln.social_payout.minor
        cash -= ln.withdrawal.minor + ln.social_payout.minor
        if cash < 0:
            raise RuleViolation(
                "the payments out are more than the cash in the group fund",
                field=f"lines[{i}]",
            )


def meeting_entry(sheet: MeetingSheet, source: str) -> JournalEntry:
    g = sheet.group_id
    cash = AccountKey(AccountCode.GROUP_CASH, g)
    social = AccountKey(AccountCode.SOCIAL_FUND, g)
    fines = AccountKey(AccountCode.FINES_INCOME, g)
    book = EntryBuilder(sheet.held_on, f"Meeting of {sheet.held_on}", source)
    for ln in sheet.lines:
        m = ln.member_id
        book.move(cash, AccountKey(AccountCode.MEMBER_SAVINGS, g, m), ln.compulsory, "compulsory")
        book.move(cash, AccountKey(AccountCode.VOLUNTARY_SAVINGS, g, m), ln.voluntary, "voluntary")
        book.move(cash, social, ln.social, f"social fund, member {m}")
        for f in ln.fines:
            book.move(cash, fines, f.amount, f"fine member {m}: {f.reason}")
        book.move(
            AccountKey(AccountCode.VOLUNTARY_SAVINGS, g, m), cash, ln.withdrawal, "withdrawal"
        )
        book.move(social, cash, ln.social_payout, f"welfare member {m}: {ln.social_payout_reason}")
    if not book.postings:
        # A meeting with only attendance still leaves a trace: it is not an error.
        return JournalEntry(sheet.held_on, book.memo, (), source)
    return book.build()


def summarise(sheet: MeetingSheet, currency: str) -> dict[str, Any]:
    """The sheet's totals (sums in minor units, one Money each)."""

    def tot(minor: Iterable[int]) -> Money:
        return Money.from_minor(sum(minor), currency)

    lines = sheet.lines
    return {
        "present": sum(1 for ln in lines if ln.present),
        "compulsory": tot(ln.compulsory.minor for ln in lines),
        "voluntary": tot(ln.voluntary.minor for ln in lines),
        "social": tot(ln.social.minor for ln in lines),
        "fines": tot(f.amount.minor for ln in lines for f in ln.fines),
        "withdrawals": tot(ln.withdrawal.minor for ln in lines),
        "social_payouts": tot(ln.social_payout.minor for ln in lines),
    }
