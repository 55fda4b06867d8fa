"""The code lists our data is mapped onto: ISO 639-2 languages, UN/ECE Rec. 20 units, image types, feature names.

BMEcat names languages with three letters (ISO 639-2) where our channels use locales such as
``fr_FR``, and wants units as UN/ECE Recommendation 20 codes (the list of its ``dtPUNIT`` type).
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import Mapping

# ISO 639-1 -> ISO 639-2, terminology codes (every one is in the XSD's dtLANG; a test checks it).
# A language missing here can still be published: the channel's ``language`` setting names it.
LANGUAGES: Mapping[str, str] = MappingProxyType({
    "ar": "ara", "bg": "bul", "bs": "bos", "ca": "cat", "cs": "ces", "cy": "cym", "da": "dan", "de": "deu",
    "el": "ell", "en": "eng", "es": "spa", "et": "est", "eu": "eus", "fi": "fin", "fr": "fra", "ga": "gle",
    "gl": "glg", "he": "heb", "hi": "hin", "hr": "hrv", "hu": "hun", "id": "ind", "is": "isl", "it": "ita",
    "ja": "jpn", "ko": "kor", "lb": "ltz", "lt": "lit", "lv": "lav", "mk": "mkd", "ms": "msa", "mt": "mlt",
    "nb": "nob", "nl": "nld", "nn": "nno", "no": "nor", "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus",
    "sk": "slk", "sl": "slv", "sq": "sqi", "sr": "srp", "sv": "swe", "th": "tha", "tr": "tur", "uk": "ukr",
    "vi": "vie", "zh": "zho",
})

# Our measurement units (channel_adapters.base.units) -> UN/ECE Rec. 20, all in the XSD's dtPUNIT.
UNIT_CODES: Mapping[str, str] = MappingProxyType({
    "MILLIGRAM": "MGM", "GRAM": "GRM", "KILOGRAM": "KGM", "MILLILITER": "MLT", "CENTILITER": "CLT",
    "LITER": "LTR", "MILLIMETER": "MMT", "CENTIMETER": "CMT", "METER": "MTR", "SQUARE_CENTIMETER": "CMK",
    "SQUARE_METER": "MTK", "PIECE": "C62",
})

# MIME_TYPE's pattern allows only a few types with a slash (image/jpeg, image/gif, ...), so
# "image/png" or "image/webp" cannot be written; MIME_TYPE is optional, and is left out for them.
IMAGE_TYPES: Mapping[str, str] = MappingProxyType({".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"})

# Which role of our media becomes which MIME_PURPOSE.
MIME_PURPOSES: Mapping[str, str] = MappingProxyType({"main": "normal", "additional": "detail"})

# Attributes published as free features (FNAME/FVALUE) unless the channel's settings say otherwise.
DEFAULT_FEATURES: tuple[str, ...] = ("color", "size", "material", "gender", "net_weight", "net_volume")

# FNAME in the catalog's language: the view carries values, not attribute labels.
FEATURE_NAMES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "color": {"eng": "Colour", "deu": "Farbe", "fra": "Couleur", "spa": "Color", "ita": "Colore", "nld": "Kleur"},
    "size": {"eng": "Size", "deu": "Größe", "fra": "Taille", "spa": "Talla", "ita": "Taglia", "nld": "Maat"},
    "material": {"eng": "Material", "deu": "Material", "fra": "Matière", "spa": "Material", "ita": "Materiale",
                 "nld": "Materiaal"},
    "gender": {"eng": "Gender", "deu": "Geschlecht", "fra": "Genre", "spa": "Género", "ita": "Genere",
               "nld": "Geslacht"},
    "net_weight": {"eng": "Net weight", "deu": "Nettogewicht", "fra": "Poids net", "spa": "Peso neto",
                   "ita": "Peso netto", "nld": "Nettogewicht"},
    "net_volume": {"eng": "Net volume", "deu": "Nettovolumen", "fra": "Volume net", "spa": "Volumen neto",
                   "ita": "Volume netto", "nld": "Netto-inhoud"},
})

LOCALE_SEPARATOR = re.compile(r"[_\-.@]")


def language_code(locale: str) -> str | None:
    """``"fr_FR"`` -> ``"fra"``: the ISO 639-2 code of a locale's language, or None when unknown."""
    language = LOCALE_SEPARATOR.split(locale, maxsplit=1)[0].lower()
    return LANGUAGES.get(language)


def feature_name(attribute: str, language: str, overrides: Mapping[str, str]) -> str:
    """The channel's own name for a feature first, then ours in the catalog's language, then English."""
    if attribute in overrides:
        return overrides[attribute]
    names = FEATURE_NAMES.get(attribute, {})
    return names.get(language) or names.get("eng") or attribute
