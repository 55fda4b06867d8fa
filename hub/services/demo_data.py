"""The demo catalog's reference data: a small French-American retailer of clothes and groceries."""

from __future__ import annotations

from typing import Any

LOCALES = {"en_US": "English (United States)", "fr_FR": "Français (France)"}
CURRENCIES = {"EUR": "Euro", "USD": "US dollar"}

COLORS = {
    "black": ("Black", "Noir", (30, 30, 34)), "white": ("White", "Blanc", (240, 240, 236)),
    "navy": ("Navy", "Bleu marine", (28, 42, 84)), "red": ("Red", "Rouge", (190, 40, 46)),
    "green": ("Forest green", "Vert forêt", (34, 96, 60)), "grey": ("Heather grey", "Gris chiné", (150, 150, 156)),
    "beige": ("Sand", "Sable", (214, 196, 160)), "yellow": ("Mustard", "Moutarde", (214, 168, 40)),
}
SIZES = ["xs", "s", "m", "l", "xl"]


def _select(code: str, en: str, fr: str, options: list[tuple[str, str, str]]) -> dict[str, Any]:
    return {"code": code, "type": "select", "labels": {"en_US": en, "fr_FR": fr},
            "options": [{"code": c, "labels": {"en_US": e, "fr_FR": f}} for c, e, f in options]}


ATTRIBUTES: list[dict[str, Any]] = [
    {"code": "name", "type": "text", "localizable": True, "labels": {"en_US": "Name", "fr_FR": "Nom"}, "validation": {"max_length": 150}},
    {"code": "description", "type": "textarea", "localizable": True, "labels": {"en_US": "Description", "fr_FR": "Description"},
     "validation": {"max_length": 5000}},
    {"code": "short_description", "type": "text", "localizable": True, "scopable": True,
     "labels": {"en_US": "Short description", "fr_FR": "Description courte"}, "validation": {"max_length": 200}},
    {"code": "brand", "type": "text", "labels": {"en_US": "Brand", "fr_FR": "Marque"}, "validation": {"max_length": 70}},
    {"code": "ean", "type": "identifier", "labels": {"en_US": "EAN / GTIN", "fr_FR": "EAN / GTIN"}, "validation": {"format": "gtin"}},
    {"code": "mpn", "type": "identifier", "labels": {"en_US": "Manufacturer part number", "fr_FR": "Référence fabricant"},
     "validation": {"max_length": 70}},
    _select("color", "Colour", "Couleur", [(c, en, fr) for c, (en, fr, _) in COLORS.items()]),
    _select("size", "Size", "Taille", [(s, s.upper(), s.upper()) for s in SIZES]),
    _select("gender", "Gender", "Genre", [("female", "Women", "Femme"), ("male", "Men", "Homme"), ("unisex", "Unisex", "Mixte")]),
    _select("age_group", "Age group", "Tranche d'âge", [("adult", "Adults", "Adultes"), ("kids", "Kids", "Enfants")]),
    {"code": "material", "type": "text", "localizable": True, "labels": {"en_US": "Material", "fr_FR": "Matière"}},
    {"code": "net_weight", "type": "measurement", "unit": "GRAM", "labels": {"en_US": "Net weight", "fr_FR": "Poids net"},
     "validation": {"min": "0"}},
    {"code": "net_volume", "type": "measurement", "unit": "MILLILITER", "labels": {"en_US": "Net volume", "fr_FR": "Volume net"},
     "validation": {"min": "0"}},
    {"code": "organic", "type": "boolean", "labels": {"en_US": "Organic", "fr_FR": "Bio"}},
    {"code": "dietary", "type": "multiselect", "labels": {"en_US": "Dietary", "fr_FR": "Régime"},
     "options": [{"code": c, "labels": {"en_US": e, "fr_FR": f}} for c, e, f in (
         ("vegan", "Vegan", "Végan"), ("gluten_free", "Gluten free", "Sans gluten"), ("fair_trade", "Fair trade", "Commerce équitable"))]},
    {"code": "main_image", "type": "image", "labels": {"en_US": "Main image", "fr_FR": "Image principale"}},
    {"code": "product_url", "type": "url", "scopable": False, "labels": {"en_US": "Product page", "fr_FR": "Page produit"}},
    {"code": "release_date", "type": "date", "labels": {"en_US": "Release date", "fr_FR": "Date de sortie"}},
    {"code": "rating", "type": "number", "labels": {"en_US": "Rating", "fr_FR": "Note"}, "validation": {"min": "0", "max": "5"}},
]

CATEGORIES = [  # (code, parent, en, fr)
    ("master", None, "All products", "Tous les produits"),
    ("apparel", "master", "Apparel", "Vêtements"),
    ("tops", "apparel", "Tops", "Hauts"), ("tees", "tops", "T-shirts", "T-shirts"), ("sweats", "tops", "Sweatshirts", "Sweats"),
    ("bottoms", "apparel", "Bottoms", "Bas"), ("jeans", "bottoms", "Jeans", "Jeans"),
    ("food", "master", "Food", "Épicerie"), ("coffee_tea", "food", "Coffee & tea", "Café et thé"),
    ("pantry", "food", "Pantry", "Épicerie salée"), ("sweets", "food", "Sweets", "Confiserie"),
    ("drinks", "master", "Drinks", "Boissons"), ("juices", "drinks", "Juices", "Jus"), ("oils", "food", "Oils & vinegars", "Huiles et vinaigres"),
    ("care", "master", "Personal care", "Hygiène"), ("hair", "care", "Hair care", "Cheveux"), ("body", "care", "Body care", "Corps"),
]

# Our categories mapped to Google's product taxonomy (full paths, which Merchant Center accepts).
GOOGLE_CATEGORIES = {
    "tops": "Apparel & Accessories > Clothing > Shirts & Tops",
    "bottoms": "Apparel & Accessories > Clothing > Pants",
    "coffee_tea": "Food, Beverages & Tobacco > Beverages > Coffee",
    "pantry": "Food, Beverages & Tobacco > Food Items",
    "sweets": "Food, Beverages & Tobacco > Food Items > Candy & Chocolate",
    "juices": "Food, Beverages & Tobacco > Beverages > Juice",
    "oils": "Food, Beverages & Tobacco > Food Items > Cooking & Baking Ingredients",
    "hair": "Health & Beauty > Personal Care > Hair Care",
    "body": "Health & Beauty > Personal Care > Cosmetics > Bath & Body",
}

LOCATIONS = [
    {"code": "WH_LYON", "type": "warehouse", "name": "Lyon distribution centre", "country": "FR",
     "address": {"street": "12 rue de l'Industrie", "city": "Vénissieux", "postal_code": "69200"}},
    {"code": "PAR01", "type": "store", "name": "Crosscanal Paris Marais", "country": "FR",
     "address": {"street": "18 rue des Francs-Bourgeois", "city": "Paris", "postal_code": "75003"}},
    {"code": "LYO01", "type": "store", "name": "Crosscanal Lyon Presqu'île", "country": "FR",
     "address": {"street": "45 rue de la République", "city": "Lyon", "postal_code": "69002"}},
    {"code": "BDX01", "type": "store", "name": "Crosscanal Bordeaux Chartrons", "country": "FR",
     "address": {"street": "7 quai des Chartrons", "city": "Bordeaux", "postal_code": "33000"}},
]

SOCIAL_REQUIRED = ["name", "description", "brand", "main_image", "product_url"]
CHANNELS: list[dict[str, Any]] = [
    {"code": "google_shopping", "adapter": "google_merchant", "locale": "en_US", "currency": "USD", "country": "US",
     "labels": {"en_US": "Google Shopping (US)"}, "schedule": "0 3 * * *",
     "mapping": {"category_map": GOOGLE_CATEGORIES, "title_template": "{brand} {name} {color} {size}"},
     "settings": {"shipping": [{"country": "US", "service": "Standard", "price": "4.95 USD"}]}},
    {"code": "google_local", "adapter": "google_local_inventory", "locale": "fr_FR", "currency": "EUR", "country": "FR",
     "labels": {"en_US": "Google local inventory (FR stores)"}, "settings": {"pickup_method": "buy", "pickup_sla": "same day"}},
    {"code": "marketplace", "adapter": "bmecat", "locale": "fr_FR", "currency": "EUR", "country": "FR",
     "labels": {"en_US": "Marketplace (BMEcat)"}, "settings": {"supplier_name": "Crosscanal Demo SAS"}},
    {"code": "shelf_labels", "adapter": "shelf_labels", "locale": "fr_FR", "currency": "EUR", "country": "FR",
     "labels": {"en_US": "Printed shelf labels"}, "settings": {"unit_price_families": ["grocery", "liquids"]}},
    {"code": "esl", "adapter": "esl", "locale": "fr_FR", "currency": "EUR", "country": "FR",
     "labels": {"en_US": "Electronic shelf labels"}, "settings": {"unit_price_families": ["grocery", "liquids"]}},
    {"code": "meta", "adapter": "meta_catalog", "locale": "en_US", "currency": "USD", "country": "US",
     "labels": {"en_US": "Meta catalog"}, "filter": {"families": ["apparel"]}},
    {"code": "pinterest", "adapter": "pinterest", "locale": "en_US", "currency": "USD", "country": "US",
     "labels": {"en_US": "Pinterest catalog"}},
    {"code": "tiktok", "adapter": "tiktok", "locale": "en_US", "currency": "USD", "country": "US",
     "labels": {"en_US": "TikTok catalog"}, "filter": {"families": ["apparel"]}},
]

_COMMON = ["name", "description", "short_description", "brand", "ean", "mpn", "main_image", "product_url", "release_date", "rating"]
_APPAREL = _COMMON + ["color", "size", "gender", "age_group", "material"]
_FOOD = _COMMON + ["net_weight", "organic", "dietary"]
_LIQUID = _COMMON + ["net_volume", "organic", "dietary"]


def _requirements(specific: list[str], web_extra: list[str]) -> dict[str, list[str]]:
    return {
        "google_shopping": ["name", "description", "brand", "ean", "main_image", "product_url", *web_extra],
        "google_local": ["name", "ean"],
        "marketplace": ["name", "description", "brand", "ean"],
        "shelf_labels": ["name", "brand", "ean", *specific],
        "esl": ["name", "ean", *specific],
        "meta": SOCIAL_REQUIRED, "pinterest": SOCIAL_REQUIRED, "tiktok": SOCIAL_REQUIRED,
    }


FAMILIES: list[dict[str, Any]] = [
    {"code": "apparel", "labels": {"en_US": "Apparel", "fr_FR": "Vêtements"}, "attributes": _APPAREL,
     "requirements": _requirements([], ["color", "size", "gender", "age_group"])},
    {"code": "grocery", "labels": {"en_US": "Grocery (by weight)", "fr_FR": "Épicerie (au poids)"}, "attributes": _FOOD,
     "requirements": _requirements(["net_weight"], [])},
    {"code": "liquids", "labels": {"en_US": "Drinks and care (by volume)", "fr_FR": "Boissons et hygiène (au volume)"},
     "attributes": _LIQUID, "requirements": _requirements(["net_volume"], [])},
]

BRANDS = ["Maison Lumière", "Northwind", "Atelier Brume", "Café Soleil", "Verdant", "Olea Nova", "Rivage"]

BRAND_GUIDE = {
    "brand_names": BRANDS,
    "banned_words": ["cheap", "miracle", "best ever"],
    "title_template": "{brand} {name}",
    "required_image_roles": ["main"],
}

# Clothing models: (code stem, en name, fr name, category, brand, material en/fr, gender, base EUR price, colours)
APPAREL_MODELS = [
    ("crew_tee", "Organic cotton crew tee", "T-shirt col rond en coton bio", "tees", "Maison Lumière",
     ("100% organic cotton jersey", "Jersey 100 % coton bio"), "unisex", "24.90", ["white", "black", "navy", "grey"]),
    ("pocket_tee", "Heavyweight pocket tee", "T-shirt épais à poche", "tees", "Northwind",
     ("Heavyweight cotton, 220 g/m²", "Coton épais, 220 g/m²"), "male", "29.90", ["beige", "green", "black"]),
    ("linen_tee", "Linen V-neck tee", "T-shirt col V en lin", "tees", "Atelier Brume",
     ("Washed French linen", "Lin français lavé"), "female", "39.90", ["white", "beige", "yellow"]),
    ("hoodie", "Brushed fleece hoodie", "Sweat à capuche molletonné", "sweats", "Northwind",
     ("Brushed cotton fleece", "Molleton de coton gratté"), "unisex", "69.00", ["grey", "navy", "green"]),
    ("crewneck", "Merino crewneck sweater", "Pull col rond en mérinos", "sweats", "Atelier Brume",
     ("Extra-fine merino wool", "Laine mérinos extra-fine"), "female", "89.00", ["red", "navy", "beige"]),
    ("selvedge", "Slim selvedge jeans", "Jean slim selvedge", "jeans", "Maison Lumière",
     ("Japanese selvedge denim", "Denim selvedge japonais"), "male", "119.00", ["navy", "black"]),
    ("kids_tee", "Kids' striped tee", "T-shirt rayé enfant", "tees", "Rivage",
     ("Soft cotton jersey", "Jersey de coton doux"), "unisex", "14.90", ["red", "navy", "yellow"]),
]

# Groceries: (code stem, en, fr, category, family, brand, sizes as (amount, unit), EUR price per base size, organic, dietary)
GROCERIES = [
    ("espresso_beans", "Espresso coffee beans", "Café en grains espresso", "coffee_tea", "grocery", "Café Soleil",
     [("250", "GRAM"), ("500", "GRAM"), ("1", "KILOGRAM")], "6.90", True, ["fair_trade", "vegan"]),
    ("ground_coffee", "Ground filter coffee", "Café moulu filtre", "coffee_tea", "grocery", "Café Soleil",
     [("250", "GRAM"), ("500", "GRAM")], "4.50", False, ["vegan"]),
    ("green_tea", "Sencha green tea", "Thé vert sencha", "coffee_tea", "grocery", "Verdant",
     [("100", "GRAM"), ("250", "GRAM")], "5.90", True, ["vegan", "fair_trade"]),
    ("penne", "Durum wheat penne", "Penne de blé dur", "pantry", "grocery", "Verdant",
     [("500", "GRAM"), ("1", "KILOGRAM")], "1.79", True, ["vegan"]),
    ("chickpeas", "Cooked chickpeas", "Pois chiches cuisinés", "pantry", "grocery", "Verdant",
     [("400", "GRAM"), ("800", "GRAM")], "1.49", True, ["vegan", "gluten_free"]),
    ("dark_chocolate", "Dark chocolate 70%", "Chocolat noir 70 %", "sweets", "grocery", "Maison Lumière",
     [("100", "GRAM"), ("200", "GRAM")], "2.95", True, ["vegan", "fair_trade", "gluten_free"]),
    ("olive_oil", "Extra virgin olive oil", "Huile d'olive vierge extra", "oils", "liquids", "Olea Nova",
     [("500", "MILLILITER"), ("750", "MILLILITER"), ("1", "LITER")], "8.90", True, ["vegan", "gluten_free"]),
    ("apple_juice", "Cloudy apple juice", "Jus de pomme trouble", "juices", "liquids", "Verdant",
     [("1", "LITER"), ("1.5", "LITER")], "2.60", True, ["vegan", "gluten_free"]),
    ("shampoo", "Gentle oat shampoo", "Shampoing doux à l'avoine", "hair", "liquids", "Rivage",
     [("250", "MILLILITER"), ("500", "MILLILITER")], "5.40", False, ["vegan"]),
    ("shower_gel", "Sea salt shower gel", "Gel douche au sel marin", "body", "liquids", "Rivage",
     [("250", "MILLILITER"), ("400", "MILLILITER")], "3.90", False, ["vegan"]),
]
