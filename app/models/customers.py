"""The customer master: customers, contacts, addresses, devices, readings, merged numbers."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Unicode,
    text,
)
from sqlalchemy.dialects import mssql, postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import (
    Base,
    Code40,
    Day,
    Flag,
    LongText,
    Text100,
    Text200,
    Text500,
    Timestamp,
    Tracked,
)
from app.models.enums import (
    AddressKind,
    CustomerClass,
    CustomerKind,
    CustomerSource,
    CustomerStatus,
    DeviceStatus,
)

# The customer list's columns that its sort index carries on a server, besides its key.
_LIST_COLUMNS = ["code", "customer_class", "source", "status", "owner_id", "phone"]
# What a page of the list sorted by phone reads besides the phone and the id.
_PHONE_ORDER_COLUMNS = ["code", "name", "short_name", "customer_class", "source", "status",
                        "owner_id", "sort_key"]


class Customer(Tracked, Base):
    """A company or person the business sells to or services (客户).

    Customers belong to the company; ``owner_id`` says which salesperson looks after one.
    ``name_key`` (normalised name), ``pinyin_full``, ``pinyin_initials`` (also
    ``core_initials`` without the leading place and ``short_initials`` of the short name) and
    ``phone_digits`` are search keys kept by the service layer, each indexed for prefix
    search so the list and the duplicate check stay fast at 100 000 rows.
    """

    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_name_key", "name_key"),
        Index("ix_customers_pinyin_full", "pinyin_full"),
        Index("ix_customers_pinyin_initials", "pinyin_initials"),
        Index("ix_customers_core_initials", "core_initials"),
        Index("ix_customers_short_initials", "short_initials"),
        Index("ix_customers_phone_digits", "phone_digits"),
        Index("ix_customers_owner_status", "owner_id", "status"),
        # The list's order, carrying the columns a text search scans: a search walks this
        # narrow index in display order and reads only the matching rows. On a server it
        # also carries (INCLUDE) the list's other columns, so a page of the list never
        # reads the table (SQLite has no INCLUDE).
        Index("ix_customers_sort_key", "sort_key", "id", "name", "short_name", "phone_digits",
              postgresql_include=_LIST_COLUMNS, mssql_include=_LIST_COLUMNS),
        Index("ix_customers_class_source", "customer_class", "source"),
        Index("ix_customers_created_at", "created_at"),
        # New and lost customers per month (statistics).
        Index("ix_customers_first_contact_on", "first_contact_on"),
        Index("ix_customers_lost_on", "lost_on"),
        # The list sorted by phone, page by page (for those who see every customer); on a
        # server carrying the list's columns too, like the sort key's index.
        Index("ix_customers_phone", "phone", "id", postgresql_include=_PHONE_ORDER_COLUMNS,
              mssql_include=_PHONE_ORDER_COLUMNS),
    )

    code: Mapped[Code40] = mapped_column(unique=True)
    kind: Mapped[CustomerKind]
    name: Mapped[Text200]
    short_name: Mapped[Text100 | None]
    name_key: Mapped[Text200]
    pinyin_full: Mapped[str] = mapped_column(String(400))
    pinyin_initials: Mapped[str] = mapped_column(String(200))
    # Initials of the name without its leading place (北京博普装饰 → bpzs) and of the
    # short name: users search "bpzs", not "bjbpzs".
    core_initials: Mapped[str | None] = mapped_column(String(200))
    short_initials: Mapped[str | None] = mapped_column(String(200))
    # Pinyin of the name, padded for ordering, so lists sort the way Chinese readers expect.
    sort_key: Mapped[str] = mapped_column(String(400))
    source: Mapped[CustomerSource]
    customer_class: Mapped[CustomerClass]
    status: Mapped[CustomerStatus]
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_digits: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    industry: Mapped[Text100 | None]
    tax_number: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[LongText | None]
    first_contact_on: Mapped[Day | None]
    lost_on: Mapped[Day | None]

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="Contact.id"
    )
    addresses: Mapped[list[Address]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="Address.id"
    )
    devices: Mapped[list[Device]] = relationship(
        back_populates="customer", order_by="Device.id"
    )


class Contact(Tracked, Base):
    """A person at a customer (联系人)."""

    __tablename__ = "contacts"
    __table_args__ = (
        # Covers the search by contact name or phone without reading the table.
        Index("ix_contacts_search", "customer_id", "name", "phone_digits", "mobile_digits"),
        Index("ix_contacts_name", "name"),
        Index("ix_contacts_phone_digits", "phone_digits"),
        Index("ix_contacts_mobile_digits", "mobile_digits"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    name: Mapped[Text100]
    title: Mapped[Text100 | None]
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_digits: Mapped[str | None] = mapped_column(String(40))
    mobile: Mapped[str | None] = mapped_column(String(40))
    mobile_digits: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    birthday: Mapped[Day | None]
    is_primary: Mapped[Flag] = mapped_column(default=False)
    notes: Mapped[Text500 | None]

    customer: Mapped[Customer] = relationship(back_populates="contacts")


# Suffixes of digits compare by code point on every engine (collation C on PostgreSQL, BIN2
# on SQL Server), so "starts with 138" is the range ['138', '13:') whatever the database's
# collation (a linguistic one may ignore the ':').
DIGITS_SUFFIX = (String(40)
                 .with_variant(postgresql.VARCHAR(40, collation="C"), "postgresql")
                 .with_variant(mssql.VARCHAR(40, collation="Latin1_General_100_BIN2"), "mssql"))


class PhoneSuffix(Base):
    """A tail (three digits or more) of a phone number of a customer or of one of its
    contacts (app.textkeys.digit_suffixes): "any part of a number" is then one index range,
    "the suffixes starting with 5678", instead of LIKE '%5678%' over every number.

    ``contact_id`` is the contact whose number it is (its rows go with it), NULL for the
    customer's own number. Seen with the customer (row security) and, like the numbers,
    not by a role whose phone field is hidden. Kept at every flush that changes a number
    (app.services.search_keys); a customer being deleted has its rows dropped first
    (search_keys.drop_keys) — only the contact's path cascades, as SQL Server allows one.
    """

    __tablename__ = "phone_suffixes"
    __table_args__ = (
        # A search is one range of this index, read without the table, with each match's
        # place in pinyin order (sort_key, as in app.models.catalog.SearchKey).
        Index("ix_phone_suffixes_lookup", "suffix", "customer_id", "sort_key"),
        Index("ix_phone_suffixes_customer_id", "customer_id"),
        Index("ix_phone_suffixes_contact_id", "contact_id"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"))
    suffix: Mapped[str] = mapped_column(DIGITS_SUFFIX)
    # The customer's sort key (Customer.sort_key), rewritten with it.
    sort_key: Mapped[str] = mapped_column(String(400), default="", server_default="")


class CustomerAlias(Base):
    """A number another customer card had before it was merged into this one (原客户编号).

    Written by the merge (app.services.merging): the absorbed card is deleted, and its
    number, printed on old slips and typed by people who remember it, still finds the kept
    card (the customer search matches an alias exactly). Seen with the customer it points
    to (row security). ``merged_by_id`` is a plain user id, like ``Tracked.created_by_id``:
    the audit log is the authoritative record of the merge.
    """

    __tablename__ = "customer_aliases"

    code: Mapped[Code40] = mapped_column(unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    merged_at: Mapped[Timestamp]
    merged_by_id: Mapped[int | None] = mapped_column(Integer)


class Address(Tracked, Base):
    """A postal or site address of a customer."""

    __tablename__ = "addresses"
    __table_args__ = (Index("ix_addresses_customer", "customer_id"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[AddressKind]
    city: Mapped[Text100 | None]
    district: Mapped[Text100 | None]
    street: Mapped[Text200]
    postal_code: Mapped[str | None] = mapped_column(String(20))
    is_default: Mapped[Flag] = mapped_column(default=False)

    customer: Mapped[Customer] = relationship(back_populates="addresses")


class Device(Tracked, Base):
    """A customer's printer, copier or PC (设备); its history belongs to it, not to a technician."""

    __tablename__ = "devices"
    __table_args__ = (
        Index("ix_devices_customer", "customer_id"),
        Index("ix_devices_serial_number", "serial_number"),
        # A serial number identifies one machine of a model (blank: not known yet).
        Index("uq_devices_serial_number", "model", "serial_number", unique=True,
              postgresql_where=text("serial_number <> ''"),
              sqlite_where=text("serial_number <> ''"),
              mssql_where=text("serial_number <> ''")),
        Index("ix_devices_model", "model"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    brand: Mapped[Text100]
    model: Mapped[Text100]
    serial_number: Mapped[str] = mapped_column(String(60))
    install_date: Mapped[Day | None]
    location: Mapped[Text200 | None]
    status: Mapped[DeviceStatus] = mapped_column(default=DeviceStatus.IN_USE)
    notes: Mapped[Text500 | None]

    customer: Mapped[Customer] = relationship(back_populates="devices")
    readings: Mapped[list[MeterReading]] = relationship(
        back_populates="device", cascade="all, delete-orphan", order_by="MeterReading.read_at"
    )


class MeterReading(Base):
    """A page counter reading (计数器读数) taken at a visit or repair."""

    __tablename__ = "meter_readings"
    __table_args__ = (Index("ix_meter_readings_device_read_at", "device_id", "read_at"),)

    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    read_at: Mapped[Timestamp]
    value: Mapped[int] = mapped_column(Integer)
    service_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("service_tickets.id"),
                                                          index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    device: Mapped[Device] = relationship(back_populates="readings")




# A view (migrations 8c2f4d1e6a90, 5d7a2e913c4b), not a table: its own MetaData keeps it
# out of create_all and of the schema comparison. What anyone may read of every customer:
# the name and whose customer it is (app.security grants it; row security hides the rest).
customer_directory = Table(
    "customer_directory", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("code", String(40)),
    Column("name", Unicode(200)),
    Column("short_name", Unicode(100)),
    Column("owner_id", Integer),
    Column("name_key", Unicode(200)),
    Column("pinyin_full", String(400)),
    Column("pinyin_initials", String(100)),
    Column("core_initials", String(100)),
    Column("short_initials", String(100)),
    Column("sort_key", String(400)),
    Column("status", Customer.__table__.c.status.type),
    Column("source", Customer.__table__.c.source.type),  # migration 5d7a2e913c4b
)

# The phone numbers with the customer's owner (migration c4f8a2d6e1b9), views like the
# directory: a role with the phone field hidden reads its own customers' numbers here (the
# program filters by owner; a secured server's views show only the login's own).
customer_phones = Table(
    "customer_phones", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("owner_id", Integer),
    Column("phone", String(40)),
    Column("phone_digits", String(40)),
)
contact_phones = Table(
    "contact_phones", MetaData(),
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer),
    Column("owner_id", Integer),
    Column("phone", String(40)),
    Column("mobile", String(40)),
    Column("phone_digits", String(40)),
    Column("mobile_digits", String(40)),
)
