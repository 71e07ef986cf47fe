"""Languages of the pages: Babel catalogues, the user's choice, and dates and numbers
formatted per locale.

The ``.po`` files under ``translations/`` are the source; they are compiled in memory
when the app starts (no ``.mo`` build step to forget). Add a language by adding its
catalogue (``pybabel init -l sw``) and its name to :data:`LANGUAGES`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from markupsafe import Markup

from kuza.domain.money import Money

TRANSLATIONS = Path(__file__).parent / "translations"
DEFAULT = "en"
LANGUAGES = {"en": "English", "fr": "Français"}


def _compiled(locale: str, domain: str) -> NullTranslations:
    po = TRANSLATIONS / locale / "LC_MESSAGES" / f"{domain}.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


@cache
def translations(locale: str) -> NullTranslations:
    return _compiled(locale, "messages")


@cache
def error_translations(locale: str) -> NullTranslations:
    """The domain's error messages (``errors.po``), then the pages' catalogue for the
    messages the web edge raises itself."""
    found = _compiled(locale, "errors")
    found.add_fallback(translations(locale))
    return found


def pick(*candidates: object) -> str:
    """The first supported language among the candidates ('fr', 'fr-MG', 'fr_FR' …)."""
    for c in candidates:
        if isinstance(c, str) and c:
            base = c.replace("_", "-").split("-")[0].lower()
            if base in LANGUAGES:
                return base
    return DEFAULT


def from_accept_language(header: str) -> str | None:
    for part in header.split(","):
        tag = part.split(";")[0].strip()
        if tag and pick(tag) == tag.split("-")[0].lower():
            return tag
    return None


def gettext_for(locale: str) -> Callable[..., str]:
    """A gettext that formats ``%(name)s`` placeholders with escaped values."""
    t = translations(locale)

    def gettext(message: str, **values: Any) -> str:
        text = Markup(t.gettext(message))
        return text % values if values else text

    return gettext


def text_for(locale: str) -> Callable[..., str]:
    """gettext for text that is not HTML (a PDF): values set as they are, so a name
    like N'Diaye & Co is printed as typed, not as HTML escapes."""
    t = translations(locale)

    def gettext(message: str, **values: Any) -> str:
        text = t.gettext(message)
        return text % values if values else text

    return gettext


def ngettext_for(locale: str) -> Callable[..., str]:
    t = translations(locale)

    def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
        text = Markup(t.ngettext(singular, plural, n))
        return text % {"num": n, **values}

    return ngettext


def format_money(value: Money, locale: str) -> str:
    """The amount with the currency's decimals, grouped per locale: '1,250.00 KES' in
    English, '1 250,00 KES' in French."""
    exponent = value.amount.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return f"{format_decimal(value.amount, format=pattern, locale=locale)} {value.currency}"


def format_number(value: int | Decimal, locale: str) -> str:
    return str(format_decimal(value, locale=locale))


def format_day(value: date | None, locale: str) -> str:
    return "" if value is None else str(format_date(value, format="medium", locale=locale))


def template_globals(locale: str) -> Mapping[str, Any]:
    return {
        "locale": locale,
        "languages": LANGUAGES,
        "_": gettext_for(locale),
        "gettext": gettext_for(locale),
        "ngettext": ngettext_for(locale),
    }


def N_(message: str) -> str:  # noqa: N802 - the name pybabel looks for
    """Marks a message for the catalogue; it is translated where it is shown."""
    return message


# Values shown through _() in the templates: roles, statuses, frequencies, officers.
SHOWN_VALUES = (
    N_("admin"),
    N_("country manager"),
    N_("branch manager"),
    N_("field agent"),
    N_("finance"),
    N_("donor"),
    N_("forming"),
    N_("active"),
    N_("graduated"),
    N_("closed"),
    N_("weekly"),
    N_("biweekly"),
    N_("monthly"),
    N_("president"),
    N_("treasurer"),
    N_("secretary"),
    N_("educator"),
)


# Codes whose word is not the code itself: sex is stored F/M/X, the forms say these.
CODE_WORDS = {"F": N_("woman"), "M": N_("man"), "X": N_("other")}

# What the audit log says was done (its action codes, shown through format_code).
AUDIT_ACTIONS = (
    N_("apply"), N_("approve"), N_("check"), N_("collect_premiums"), N_("create"),
    N_("disburse"), N_("donor_scope"), N_("elect"), N_("end"), N_("enrol"),
    N_("enter_stage"), N_("follow_up"), N_("fund"), N_("guarantee"), N_("leave"),
    N_("load"), N_("move_meeting"), N_("pay"), N_("post"), N_("record"), N_("recover"),
    N_("refund_overpayment"), N_("reject"), N_("repay"), N_("reschedule"),
    N_("reverse_repayment"), N_("set_active"), N_("settings"), N_("share_out"),
    N_("status"), N_("submit"), N_("supersede"), N_("verify"), N_("write_off"),
    N_("withdraw"), N_("undo_approval"), N_("undo_disbursal"), N_("repay_in_full"),
    N_("recover_in_full"), N_("passbook_deposit"), N_("passbook_withdrawal"),
    N_("set_role"), N_("set_password"), N_("set_locale"),
    N_("created"), N_("grown"), N_("lost"),  # a job's events
)  # fmt: skip

# A stored record's kind (its table: the rows behind a dashboard figure, the objects of
# the audit log) as people name it.
RECORDS = {
    "branch": N_("Branch"),
    "cost_entry": N_("Cost entry"),
    "enterprise": N_("Enterprise"),
    "field_agent": N_("Field agent"),
    "group": N_("Group"),
    "household_visit": N_("Household visit"),
    "insurance_claim": N_("Insurance claim"),
    "insurance_enrolment": N_("Insurance enrolment"),
    "insurance_plan": N_("Insurance plan"),
    "job": N_("Job"),
    "job_event": N_("Job event"),
    "journal_entry": N_("Ledger entry"),
    "loan": N_("Loan"),
    "loan_fund": N_("Loan fund"),
    "loan_product": N_("Loan product"),
    "market_activity": N_("Market activity"),
    "market_contract": N_("Market contract"),
    "market_linkage": N_("Market linkage"),
    "meeting": N_("Meeting"),
    "member": N_("Member"),
    "membership": N_("Membership"),
    "officer_term": N_("Officer term"),
    "partner": N_("Partner"),
    "pending_action": N_("Action awaiting approval"),
    "programme": N_("Programme"),
    "referral": N_("Referral"),
    "scorecard": N_("Scorecard"),
    "training_module": N_("Training module"),
    "training_session": N_("Training session"),
    "user_account": N_("User account"),
    "value_chain": N_("Value chain"),
}


def format_code(code: object, locale: str) -> str:
    """A stored code (an enum value) as a word in the locale: 'full_time' -> 'full time'
    (English) or 'temps plein'; 'F' -> 'woman'. The catalogue's msgid is the code (marked
    with N_ where the page's values are listed). A plain string: the page escapes it."""
    text = str(code)
    msgid = CODE_WORDS.get(text, text)
    shown = translations(locale).gettext(msgid)
    return shown.replace("_", " ") if shown == msgid else shown


def format_record(table: str, locale: str) -> str:
    """A record kind (a table name) as people name it in the locale: 'job_event' ->
    'Job event' or 'Événement d'emploi'; an unknown one with spaces for underscores."""
    if table not in RECORDS:
        return table.replace("_", " ")
    return translations(locale).gettext(RECORDS[table])
