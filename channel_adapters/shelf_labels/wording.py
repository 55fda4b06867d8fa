"""What a printed label says in the store's language: prices, the sale's end, the few fixed words.

Labels hang in a shop, so they speak its language (France even requires French). The channel's
locale picks the wording; a language not listed here falls back to English. Only a handful of
strings and number and date formats are needed, so a table beats a localisation library.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

# Symbols shoppers know; other currencies print their ISO code.
SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}


@dataclass(frozen=True)
class Wording:
    decimal_mark: str
    symbol_first: bool  # "$6.90" or "6,90 €"
    date_format: str  # numeric only, so strftime never depends on the process's C locale
    sale_until: str  # "{date}" is the sale's last day (or its last minute)
    sale: str  # an open-ended sale
    was: str  # "{price}" is the regular price
    none: str  # an empty sheet


WORDINGS = {
    "en": Wording(".", True, "%Y-%m-%d", "Sale until {date}", "Sale", "was {price}", "No shelf labels for this store."),
    "fr": Wording(",", False, "%d/%m/%Y", "Promo jusqu'au {date}", "Promo", "au lieu de {price}",
                  "Aucune étiquette pour ce magasin."),
    "de": Wording(",", False, "%d.%m.%Y", "Angebot bis {date}", "Angebot", "statt {price}",
                  "Keine Etiketten für diese Filiale."),
    "es": Wording(",", False, "%d/%m/%Y", "Oferta hasta el {date}", "Oferta", "antes {price}",
                  "No hay etiquetas para esta tienda."),
    "it": Wording(",", False, "%d/%m/%Y", "Offerta fino al {date}", "Offerta", "invece di {price}",
                  "Nessuna etichetta per questo negozio."),
    "nl": Wording(",", False, "%d-%m-%Y", "Actie t/m {date}", "Actie", "was {price}", "Geen schaplabels voor deze winkel."),
}


def wording_for(locale: str) -> Wording:
    """The wording of the locale's language (``fr_FR`` -> French), English when there is none."""
    return WORDINGS.get(locale.split("_")[0].split("-")[0].lower(), WORDINGS["en"])


def money_text(amount: str | Decimal, currency: str, wording: Wording) -> str:
    """A decimal string as shoppers read it: ``"€6.90"`` in English, ``"6,90 €"`` in French."""
    number = str(amount).replace(".", wording.decimal_mark)
    symbol = SYMBOLS.get(currency, currency)
    if wording.symbol_first:
        return f"{symbol}{number}" if len(symbol) == 1 else f"{symbol} {number}"
    return f"{number} {symbol}"


def sale_until_text(end: datetime, zone: tzinfo, wording: Wording) -> str:
    """The sale's end as shoppers read it, in the store's time zone.

    Sales end at an instant, usually a midnight, and "until 1 December" would read as one day
    too many: a midnight end prints the day before as the last day; any other end prints its time.
    """
    local = end.astimezone(zone)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        when = (local - timedelta(days=1)).strftime(wording.date_format)
    else:
        when = local.strftime(f"{wording.date_format} %H:%M")
    return wording.sale_until.format(date=when)
