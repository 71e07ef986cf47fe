"""A group's stability grade in words, in the reader's language: one reason per
component, then the verdict, worded from the grade's values
(:class:`kuza.domain.stability.StabilityGrade`) with the pages' catalogue; numbers and
percentages per locale. The group page and the API say the same sentences."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal, format_percent

from kuza.domain.stability import Component, ComponentScore, Note, StabilityGrade
from kuza.web.i18n import N_, translations

# The components' names (Component.label, the msgid), marked for the catalogue.
LABELS = (
    N_("meeting regularity"),
    N_("attendance"),
    N_("savings regularity"),
    N_("internal lending"),
    N_("on-time repayment"),
    N_("bookkeeping"),
)


def _say(locale: str, template: str, **values: object) -> str:
    try:
        return str(translations(locale).gettext(template)) % values
    except (KeyError, ValueError, TypeError):  # a broken translation: say it in English
        return template % values


def label(component: Component, locale: str) -> str:
    return str(translations(locale).gettext(component.label))


def percent(value: Decimal, locale: str) -> str:
    """A fraction as a percent, its decimals kept: '62%' / '62 %', '82.5%' / '82,5 %'."""
    return str(format_percent(value, locale=locale, decimal_quantization=False))


def number(value: Decimal, locale: str) -> str:
    return str(format_decimal(value, locale=locale))


def score(value: Decimal, locale: str) -> str:
    """The score with its one decimal: '85.0' / '85,0'."""
    return str(format_decimal(value, format="#,##0.0", locale=locale))


def reason(c: ComponentScore, grade: StabilityGrade, locale: str) -> str:
    name = label(c.component, locale)
    if c.percent is None:
        return _say(
            locale,
            N_(
                "%(label)s not applicable: no loan instalment is due yet, so its "
                "%(points)s points are shared among the other components"
            ),
            label=name,
            points=number(c.weight, locale),
        )
    shown = percent(c.percent / 100, locale)
    if c.minimum is None:
        text = _say(locale, N_("%(label)s %(percent)s"), label=name, percent=shown)
    else:
        template = N_("%(label)s %(percent)s < %(minimum)s")
        if not c.below_minimum:
            template = N_("%(label)s %(percent)s ≥ %(minimum)s")
        text = _say(locale, template, label=name, percent=shown, minimum=percent(c.minimum, locale))
    if c.note is Note.NO_INTERNAL_LOANS:
        text = _say(locale, N_("%(reason)s (no internal loans yet)"), reason=text)
    if c.component is Component.BOOKKEEPING:
        text = _say(
            locale,
            N_("%(reason)s of meetings posted within %(days)s days"),
            reason=text,
            days=grade.posting_days,
        )
    return text


def verdict(grade: StabilityGrade, locale: str) -> str:
    values = {"score": score(grade.score, locale), "pass_mark": number(grade.pass_mark, locale)}
    short = grade.below_minimum
    if not short:
        if grade.reaches_pass_mark:
            return _say(locale, N_("score %(score)s ≥ pass mark %(pass_mark)s"), **values)
        return _say(locale, N_("score %(score)s < pass mark %(pass_mark)s"), **values)
    names = ", ".join(label(c.component, locale) for c in short)
    if grade.reaches_pass_mark:
        template = N_("score %(score)s ≥ pass mark %(pass_mark)s; below the minimum: %(names)s")
    else:
        template = N_("score %(score)s < pass mark %(pass_mark)s; below the minimum: %(names)s")
    return _say(locale, template, names=names, **values)


def reasons(grade: StabilityGrade, locale: str) -> list[str]:
    """One sentence per component, in the grade's order, then the verdict."""
    return [*(reason(c, grade, locale) for c in grade.components), verdict(grade, locale)]
