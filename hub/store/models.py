"""Every model in one import, so Alembic and tests see the whole schema."""

from hub.store.accounts import AddressFailures, ApiToken, User
from hub.store.audit import AuditEntry
from hub.store.base import Base
from hub.store.bulk_edits import BulkEdit
from hub.store.catalog import Attribute, Category, Currency, Family, FamilyRequirement, Locale, family_attribute
from hub.store.category_members import CategoryMember
from hub.store.channels import BrandGuide, Channel
from hub.store.completeness import ChannelTally, ProductCompleteness
from hub.store.document_changes import DocumentCounter, DocumentRemoval
from hub.store.documents import ProductDocument, ProductDocumentBody
from hub.store.export_jobs import ExportJob
from hub.store.history import Version
from hub.store.import_fingerprints import ImportFingerprint
from hub.store.imports import ColumnMapping, ImportJob
from hub.store.inventory import Location, Stock
from hub.store.media import Media
from hub.store.publications import ChannelLock, Publication, PublicationDiagnostic, PublicationFile, ScheduledRun
from hub.store.products import Offer, Product, ProductModel, model_category, product_category

__all__ = [
    "AddressFailures", "ApiToken", "Attribute", "AuditEntry", "Base", "BrandGuide", "BulkEdit", "CategoryMember", "ChannelTally", "ProductCompleteness", "Category", "Channel", "ColumnMapping", "Currency", "DocumentCounter", "DocumentRemoval", "ExportJob", "Family",
    "FamilyRequirement", "ImportFingerprint", "ImportJob", "Locale", "Location", "Media", "Offer", "Product", "ProductDocument", "ProductDocumentBody", "ProductModel", "Stock",
    "User", "Version", "ChannelLock", "Publication", "PublicationDiagnostic", "PublicationFile", "ScheduledRun", "family_attribute", "model_category", "product_category",
]
