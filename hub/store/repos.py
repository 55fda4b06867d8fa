"""Repositories: every query the services need, and the only place that builds ``select()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Iterator, Sequence, TypeVar

from sqlalchemy import Select, Text, bindparam, cast, delete, func, or_, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from hub.store.base import for_writing
from hub.store.bulk_rows import among, plain_rows, upsert_many
from hub.store.models import (
    AddressFailures, ApiToken, Attribute, Publication, PublicationDiagnostic, PublicationFile, BrandGuide, Category, Channel, Currency, Family, Locale, Location, Media,
    Offer, Product, ProductModel, Stock, User, Version, family_attribute, model_category, product_category,
)
from hub.store.publication_items import last_succeeded
from hub.store.publications import DiagnosticCount, DiagnosticRepo
from hub.store.types import utcnow

T = TypeVar("T")


class CodeRepo:
    """Look-ups shared by every entity that has a unique code."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def by_code(self, model: type[T], code: str, lock: bool = False) -> T | None:
        """``lock``: read as the subject of a write (``for_writing``)."""
        query = select(model).where(model.code == code)  # type: ignore[attr-defined]
        return self._s.scalar(for_writing(self._s, query, model, lock))  # type: ignore[arg-type]

    def page(self, model: type[T], after: str | None, limit: int) -> Sequence[T]:
        key = model.code  # type: ignore[attr-defined]
        query = select(model).order_by(key).limit(limit)
        if after is not None:
            query = query.where(key > after)
        return self._s.scalars(query).all()

    def all(self, model: type[T]) -> Sequence[T]:
        return self._s.scalars(select(model).order_by(model.code)).all()  # type: ignore[attr-defined]

    def codes(self, model: type[Any]) -> set[str]:
        return set(self._s.scalars(select(model.code)))

    def add(self, obj: object) -> None:
        self._s.add(obj)
        self._s.flush()

    def delete(self, obj: object) -> None:
        self._s.delete(obj)
        self._s.flush()


class CatalogRepo(CodeRepo):
    def attributes(self) -> Sequence[Attribute]:
        return self.all(Attribute)

    def offers_at(self, location_id: int) -> int:
        """How many offers name this location: a store's own prices."""
        return self._s.scalar(select(func.count()).select_from(Offer).where(Offer.location_id == location_id)) or 0

    def code_maps(self) -> dict[str, dict[int, str]]:
        """Codes by id of the families, categories, channels and stores (``CatalogContext.codes``)."""
        found = {name: dict(plain_rows(self._s, select(model.id, model.code)).all())  # type: ignore[attr-defined]
                 for name, model in (("families", Family), ("categories", Category), ("channels", Channel))}
        found["stores"] = dict(plain_rows(self._s, select(Location.id, Location.code).where(Location.type == "store")).all())
        return found

    def families(self) -> Sequence[Family]:
        return self.all(Family)

    def categories(self) -> Sequence[Category]:
        return self.all(Category)

    def channels(self) -> Sequence[Channel]:
        return self.all(Channel)

    def locales(self) -> set[str]:
        return self.codes(Locale)

    def definitions(self) -> list[Any]:
        """What of the catalog decides how an imported row reads, as plain sorted values: each
        attribute's rules, each family's attribute codes, and the codes of categories, channels,
        locales, currencies and stores. Read as rows, in six light queries: an import asks for
        every batch, and loading them as objects was a tenth of a file whose rows all changed
        nothing (``hub.imports.row_fingerprints``)."""
        a, f, fa = Attribute.__table__.c, Family.__table__.c, family_attribute.c
        rules = [[code, kind, localizable, scopable, validation or {}, options or [], unit] for
                 code, kind, localizable, scopable, validation, options, unit in self._s.execute(select(
                     a.code, a.type, a.localizable, a.scopable, a.validation, a.options, a.unit).order_by(a.code))]
        held: dict[str, list[str]] = {code: [] for code in self._s.scalars(select(f.code))}
        for family, attribute in self._s.execute(select(f.code, a.code).join(family_attribute, fa.family_id == f.id).join(
                Attribute.__table__, a.id == fa.attribute_id)):
            held[family].append(attribute)
        families = [[code, sorted(codes)] for code, codes in sorted(held.items())]
        stores = select(Location.code).where(Location.type == "store")
        codes = [sorted(self._s.scalars(query)) for query in (
            select(Category.code), select(Channel.code), select(Locale.code), select(Currency.code), stores)]
        return [rules, families, codes]

    def currencies(self) -> set[str]:
        return self.codes(Currency)

    def media_paths(self, paths: Iterable[str]) -> set[str]:
        wanted = list(set(paths))
        if not wanted:
            return set()
        return set(self._s.scalars(select(Media.path).where(Media.path.in_(wanted))))

    def media_by_path(self, path: str) -> Media | None:
        return self._s.scalar(select(Media).where(Media.path == path))

    def family_in_use(self, family_id: int) -> bool:
        return self._s.scalar(select(func.count()).select_from(Product).where(Product.family_id == family_id)) > 0

    def category_children(self, category_id: int) -> Sequence[Category]:
        return self._s.scalars(select(Category).where(Category.parent_id == category_id)).all()

    def category_in_use(self, category_id: int) -> bool:
        for table in (product_category, model_category):
            if self._s.scalar(select(func.count()).select_from(table).where(table.c.category_id == category_id)):
                return True
        return False

    def brand_guide(self, lock: bool = False) -> BrandGuide | None:
        """``lock``: read as the subject of a write (``for_writing``)."""
        query = select(BrandGuide).where(BrandGuide.id == 1)
        return self._s.scalar(for_writing(self._s, query, BrandGuide, lock))


@dataclass(frozen=True)
class Selection:
    """Which products a channel carries, as the query needs it (None: no condition)."""

    family_ids: list[int] | None
    category_ids: list[int] | None
    enabled_only: bool


def in_categories(category_ids: list[int]) -> Any:
    """Products filed in these categories, themselves or through their product model."""
    own = select(product_category.c.product_id).where(product_category.c.category_id.in_(category_ids))
    models = select(model_category.c.product_model_id).where(model_category.c.category_id.in_(category_ids))
    return or_(Product.id.in_(own), Product.parent_id.in_(models))


def carried_query(selection: Selection) -> Select:
    """The products a channel carries, as a select other queries refine."""
    query = select(Product)
    if selection.enabled_only:
        query = query.where(Product.enabled.is_(True))
    if selection.family_ids is not None:
        query = query.where(Product.family_id.in_(selection.family_ids))
    if selection.category_ids is not None:
        query = query.where(in_categories(selection.category_ids))
    return query


class ProductRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def by_sku(self, sku: str, lock: bool = False) -> Product | None:
        """``lock``: read as the subject of a write (``for_writing``)."""
        query = select(Product).where(Product.sku == sku).options(*_AS_ANSWERED)
        return self._s.scalar(for_writing(self._s, query, Product, lock))

    def by_skus(self, skus: Iterable[str]) -> dict[str, Product]:
        wanted = list(set(skus))
        if not wanted:
            return {}
        return {p.sku: p for p in self._s.scalars(select(Product).where(Product.sku.in_(wanted)))}

    def filed(self, product_ids: Sequence[int]) -> dict[int, tuple[str, set[int]]]:
        """Each product's SKU and the categories it is filed in, its own and its model's."""
        found: dict[int, tuple[str, set[int]]] = {pid: (sku, set()) for pid, sku in plain_rows(
            self._s, select(Product.id, Product.sku).where(Product.id.in_(product_ids)))}
        own = select(product_category.c.product_id, product_category.c.category_id).where(
            product_category.c.product_id.in_(product_ids))
        inherited = (select(Product.id, model_category.c.category_id)
                     .join(model_category, model_category.c.product_model_id == Product.parent_id)
                     .where(Product.id.in_(product_ids)))
        for pid, category_id in plain_rows(self._s, own.union(inherited)):
            found[pid][1].add(category_id)
        return found

    def page(self, after: str | None, limit: int) -> Sequence[Product]:
        query = select(Product).order_by(Product.sku).limit(limit)
        if after is not None:
            query = query.where(Product.sku > after)
        return self._s.scalars(query).all()

    def variant_values(self, model_id: int) -> list[tuple[int, str, dict[str, Any]]]:
        """(id, sku, values) of a model's variants: enough to check axis combinations, cheaply."""
        query = select(Product.id, Product.sku, Product.values).where(Product.parent_id == model_id)
        return [tuple(row) for row in self._s.execute(query)]  # type: ignore[misc]

    def has_variants(self, model_id: int) -> bool:
        return self._s.scalar(select(Product.id).where(Product.parent_id == model_id).limit(1)) is not None

    def variants(self, model_id: int) -> Sequence[Product]:
        return self._s.scalars(select(Product).where(Product.parent_id == model_id).order_by(Product.sku)).all()

    def model_by_code(self, code: str, lock: bool = False) -> ProductModel | None:
        """``lock``: read as the subject of a write (``for_writing``)."""
        query = select(ProductModel).where(ProductModel.code == code)
        return self._s.scalar(for_writing(self._s, query, ProductModel, lock))

    def models_by_codes(self, codes: Iterable[str]) -> dict[str, ProductModel]:
        """The stored models with these codes, by code, in one query (and their eager loads):
        a models file's batch asked for each of its models apart, three fifths of its time."""
        wanted = list(set(codes))
        if not wanted:
            return {}
        return {m.code: m for m in self._s.scalars(select(ProductModel).where(ProductModel.code.in_(wanted)))}

    def models_page(self, after: str | None, limit: int) -> Sequence[ProductModel]:
        query = select(ProductModel).order_by(ProductModel.code).limit(limit)
        if after is not None:
            query = query.where(ProductModel.code > after)
        return self._s.scalars(query).all()

    def add(self, obj: object) -> None:
        self._s.add(obj)
        self._s.flush()

    def delete(self, obj: object) -> None:
        self._s.delete(obj)
        self._s.flush()

    def count(self) -> int:
        return self._s.scalar(select(func.count()).select_from(Product)) or 0

    def hold(self, product_ids: Sequence[int]) -> set[int]:
        """Which of these products exist, each kept from being deleted until the transaction
        ends (PostgreSQL's key-share lock; SQLite's writer runs alone)."""
        dialect = self._s.get_bind().dialect.name
        return set(self._s.scalars(select(Product.id).where(among(Product.id, list(product_ids), dialect))
                                   .with_for_update(key_share=True)))

    def _carried(self, selection: Selection) -> Select:
        return carried_query(selection)

    def carried_ids(self, selection: Selection) -> Select:
        """The ids of the products a channel carries, as a subquery for other queries."""
        return self._carried(selection).with_only_columns(Product.id)

    def carried(self, selection: Selection, after_id: int, limit: int) -> Sequence[Product]:
        """One batch of the products a channel carries, by id (keyset paging keeps each batch cheap)."""
        query = (self._carried(selection).where(Product.id > after_id)
                 .order_by(Product.id).limit(limit).options(selectinload(Product.parent)))
        return self._s.scalars(query).all()


# What a product's state and representation read, loaded with it: the family's and model's
# codes (not what they hold in turn), the offers with their channel and store. Loaded lazily,
# with each family's own relationships, a single GET took 4.0 ms in process (3.7 ms so).
_AS_ANSWERED = (joinedload(Product.family).lazyload("*"), selectinload(Product.parent).lazyload("*"),
                selectinload(Product.offers).options(joinedload(Offer.channel).lazyload("*"),
                                                     joinedload(Offer.location).lazyload("*")))


class StockRepo:
    def __init__(self, session: Session) -> None:
        self._s = session
        self._dialect = session.get_bind().dialect.name

    def for_products(self, product_ids: Iterable[int]) -> dict[int, list[Stock]]:
        ids = list(set(product_ids))
        found: dict[int, list[Stock]] = {pid: [] for pid in ids}
        if ids:
            query = select(Stock).where(Stock.product_id.in_(ids)).order_by(Stock.location_id).options(joinedload(Stock.location))
            for row in self._s.scalars(query):
                found[row.product_id].append(row)
        return found

    def locations(self) -> Sequence[Location]:
        return self._s.scalars(select(Location).order_by(Location.code)).all()

    def product_ids(self, skus: Iterable[str]) -> dict[str, int]:
        wanted = list(set(skus))
        return {sku: pid for sku, pid in plain_rows(self._s, select(Product.sku, Product.id).where(among(Product.sku, wanted, self._dialect)))}

    def quantities(self, product_ids: Iterable[int]) -> dict[tuple[int, int], int]:
        """Stored quantities by (product id, location id), as plain rows: a stock file compares
        every line with them."""
        ids = list(set(product_ids))
        if not ids:
            return {}
        query = select(Stock.product_id, Stock.location_id, Stock.quantity).where(among(Stock.product_id, ids, self._dialect))
        return {(pid, location): quantity for pid, location, quantity in plain_rows(self._s, query)}

    def upsert(self, rows: list[dict[str, Any]]) -> None:
        """Set quantities (``product_id``, ``location_id``, ``quantity``) in one statement of
        many rows (``upsert_many``); stock is written apart from products, never versioned."""
        if not rows:
            return
        now = utcnow()
        upsert_many(self._s, Stock.__table__, ["product_id", "location_id"], [{**row, "updated": now} for row in rows])


class VersionRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, version: Version) -> None:
        self._s.add(version)

    def list(self, entity: str, key: str) -> Sequence[Version]:
        query = select(Version).where(Version.entity == entity, Version.entity_key == key).order_by(Version.version)
        return self._s.scalars(query).all()

    def get(self, entity: str, key: str, number: int) -> Version | None:
        query = select(Version).where(Version.entity == entity, Version.entity_key == key, Version.version == number)
        return self._s.scalar(query)

    def delete_all(self, entity: str, key: str) -> None:
        self._s.execute(delete(Version).where(Version.entity == entity, Version.entity_key == key))

    def fill_creations(self, entity: str, states: list[tuple[str, dict[str, Any] | None]]) -> None:
        """Give the creations of these keys that stored no snapshot their state, ``(key, state)``,
        in one statement of many rows; a creation that holds one keeps it."""
        if not states:
            return
        v = Version.__table__.c
        statement = (update(Version.__table__)
                     .where(v.entity == entity, v.entity_key == bindparam("k"), v.version == 1,
                            cast(v.snapshot, Text) == "null")
                     .values(snapshot=bindparam("state", type_=Version.__table__.c.snapshot.type)))
        self._s.execute(statement, [{"k": key, "state": state} for key, state in states])


class AccountRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        return self._s.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash, ApiToken.revoked.is_(False)))

    def token_by_id(self, token_id: int) -> ApiToken | None:
        return self._s.get(ApiToken, token_id)

    def record_use(self, token_id: int, now: datetime, older_than: datetime) -> None:
        """Set the token's last use to ``now`` unless it was recorded after ``older_than``."""
        self._s.execute(update(ApiToken).where(ApiToken.id == token_id)
                        .where(or_(ApiToken.last_used.is_(None), ApiToken.last_used < older_than)).values(last_used=now))

    def tokens(self) -> Sequence[ApiToken]:
        return self._s.scalars(select(ApiToken).order_by(ApiToken.id)).all()

    def users(self) -> Sequence[User]:
        return self._s.scalars(select(User).order_by(User.email)).all()

    def user_by_email(self, email: str) -> User | None:
        return self._s.scalar(select(User).where(func.lower(User.email) == email.lower()))

    def user_by_id(self, user_id: int) -> User | None:
        return self._s.get(User, user_id)

    def address_failures(self, address: str) -> AddressFailures | None:
        return self._s.get(AddressFailures, address)

    def new_address_failures(self, address: str) -> AddressFailures:
        found = AddressFailures(address=address, failures=0, since=utcnow())
        self._s.add(found)
        return found

    def add(self, obj: object) -> None:
        self._s.add(obj)
        self._s.flush()



class PublicationRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, publication_id: int) -> Publication | None:
        return self._s.get(Publication, publication_id)

    def last_for_channels(self, channel_ids: Iterable[int]) -> dict[int, Publication]:
        """Each channel's newest publication, whatever its status, in one query."""
        ids = list(set(channel_ids))
        if not ids:
            return {}
        newest = select(func.max(Publication.id)).where(Publication.channel_id.in_(ids)).group_by(Publication.channel_id)
        return {p.channel_id: p for p in self._s.scalars(select(Publication).where(Publication.id.in_(newest)))}

    def last_succeeded_for_channels(self, channel_ids: Iterable[int]) -> dict[int, Publication]:
        """Each channel's newest succeeded publication: what the channel holds today."""
        ids = list(set(channel_ids))
        if not ids:
            return {}
        newest = (select(func.max(Publication.id)).where(Publication.channel_id.in_(ids), Publication.status == "succeeded")
                  .group_by(Publication.channel_id))
        return {p.channel_id: p for p in self._s.scalars(select(Publication).where(Publication.id.in_(newest)))}

    def diagnostic_counts(self, publication_ids: Iterable[int]) -> list[tuple[int, str, str, int]]:
        """(publication id, severity, code, products) for these publications, most frequent first:
        counted when each succeeded (``DiagnosticRepo.keep_counts``), counted now for the others."""
        ids = list(publication_ids)
        c = DiagnosticCount
        found = [(pid, severity, code, n) for pid, severity, code, n in self._s.execute(
            select(c.publication_id, c.severity, c.code, c.products).where(c.publication_id.in_(ids)))]
        kept = {row[0] for row in found}
        repo = DiagnosticRepo(self._s)
        for publication in self._s.scalars(select(Publication).where(Publication.id.in_([i for i in ids if i not in kept]))):
            found += [(publication.id, severity, code, n) for severity, code, n in repo.counted(publication)]
        return sorted(found, key=lambda row: (-row[3], row[2]))

    def move_file(self, publication_id: int, name: str, location: str) -> None:
        """The publication's file ``name`` now lies at ``location`` (written back by a restore)."""
        self._s.execute(update(PublicationFile).where(PublicationFile.publication_id == publication_id,
                                                      PublicationFile.name == name).values(location=location))

    def latest_succeeded(self, channel_id: int) -> Publication | None:
        """The channel's current publication: the newest that succeeded."""
        return next(iter(last_succeeded(self._s, channel_id, 1)), None)

    def for_channel(self, channel_id: int, limit: int = 50) -> Sequence[Publication]:
        query = select(Publication).where(Publication.channel_id == channel_id).order_by(Publication.id.desc()).limit(limit)
        return self._s.scalars(query).all()

    def diagnostics(self, publication_id: int, severity: str | None = None) -> Iterator[PublicationDiagnostic]:
        """The findings of a publication, by product."""
        publication = self._s.get(Publication, publication_id)
        if publication is None:
            return iter(())
        d = PublicationDiagnostic
        query = select(d).where(DiagnosticRepo.as_of(publication))
        if severity:
            query = query.where(d.severity == severity)
        return self._s.scalars(query.order_by(d.product_id, d.id).execution_options(yield_per=1000))

    def latest_file(self, channel_id: int, name: str, publication_id: int | None = None) -> tuple[Publication, PublicationFile] | None:
        """The newest succeeded publication's file of that name (or ``publication_id``'s): what a feed URL serves."""
        query = (select(Publication, PublicationFile).join(PublicationFile, PublicationFile.publication_id == Publication.id)
                 .where(Publication.channel_id == channel_id, Publication.status == "succeeded", PublicationFile.name == name)
                 .order_by(Publication.id.desc()).limit(1))
        if publication_id is not None:
            query = query.where(Publication.id == publication_id)
        row = self._s.execute(query).first()
        return (row[0], row[1]) if row else None
