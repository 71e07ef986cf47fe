"""Request-shape errors (pydantic's, a 422 before any service runs) in the user's
language. English keeps pydantic's own message, which carries the most detail; another
language gets the catalogue's translation of the error type's template below, filled
from the error's context. A type not listed here stays in English."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kuza.web import i18n
from kuza.web.i18n import N_

DATE = N_("Input should be a valid date in the format YYYY-MM-DD")
DATETIME = N_("Input should be a valid date and time in ISO 8601")
INTEGER = N_("Input should be a valid integer")
NUMBER = N_("Input should be a valid number")
BOOLEAN = N_("Input should be a valid boolean")
ONE_OF = N_("Input should be one of %(expected)s")
OBJECT = N_("Input should be an object")

# pydantic's error types (pydantic_core ErrorType) -> an English template with
# placeholders named as in the error's ``ctx``.
TEMPLATES: Mapping[str, str] = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "string_type": N_("Input should be a valid string"),
    "string_too_short": N_("String should have at least %(min_length)s characters"),
    "string_too_long": N_("String should have at most %(max_length)s characters"),
    "string_pattern_mismatch": N_("String should match the pattern %(pattern)s"),
    "int_type": INTEGER,
    "int_parsing": INTEGER,
    "int_parsing_size": INTEGER,
    "int_from_float": N_("Input should be a whole number, without a fractional part"),
    "float_type": NUMBER,
    "float_parsing": NUMBER,
    "decimal_type": N_("Input should be a decimal number"),
    "decimal_parsing": N_("Input should be a valid decimal"),
    "decimal_max_digits": N_("Decimal input should have no more than %(max_digits)s digits"),
    "decimal_max_places": N_(
        "Decimal input should have no more than %(decimal_places)s decimal places"
    ),
    "decimal_whole_digits": N_(
        "Decimal input should have no more than %(whole_digits)s digits before the point"
    ),
    "bool_type": BOOLEAN,
    "bool_parsing": BOOLEAN,
    "date_type": DATE,
    "date_parsing": DATE,
    "date_from_datetime_parsing": DATE,
    "date_from_datetime_inexact": N_("Input should be a date without a time of day"),
    "datetime_type": DATETIME,
    "datetime_parsing": DATETIME,
    "datetime_from_date_parsing": DATETIME,
    "greater_than": N_("Input should be greater than %(gt)s"),
    "greater_than_equal": N_("Input should be greater than or equal to %(ge)s"),
    "less_than": N_("Input should be less than %(lt)s"),
    "less_than_equal": N_("Input should be less than or equal to %(le)s"),
    "enum": ONE_OF,
    "literal_error": ONE_OF,
    "too_short": N_("Should have at least %(min_length)s items"),
    "too_long": N_("Should have at most %(max_length)s items"),
    "list_type": N_("Input should be a list"),
    "dict_type": OBJECT,
    "model_type": OBJECT,
    "model_attributes_type": OBJECT,
    "json_invalid": N_("The body is not valid JSON"),
}


def shape_message(error: Mapping[str, Any], locale: str) -> str:
    """One pydantic error's message in ``locale`` (English: pydantic's own)."""
    english = str(error.get("msg", "invalid request"))
    template = TEMPLATES.get(str(error.get("type", "")))
    if locale == i18n.DEFAULT or template is None:
        return english
    values = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    if "expected" in values:  # pydantic's "'a', 'b' or 'c'": the list without the English 'or'
        values["expected"] = values["expected"].replace("' or '", "', '")
    try:
        return str(i18n.error_translations(locale).gettext(template)) % values
    except (KeyError, ValueError, TypeError):  # a context unlike the template's: English
        return english
