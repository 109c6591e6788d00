"""Display names of modules, stations and customer codes, translated through Qt."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.models.enums import (
    AddressKind,
    CustomerClass,
    CustomerKind,
    CustomerSource,
    CustomerStatus,
    DeviceStatus,
    Module,
    StationCode,
)

# Words follow /work/shared/GLOSSARY.md; the zh_CN catalog translates them per context.
_MODULES: Mapping[Module, str] = {
    Module.CUSTOMERS: QT_TRANSLATE_NOOP("Modules", "Customers"),
    Module.VISITS: QT_TRANSLATE_NOOP("Modules", "Visits"),
    Module.SALES_PLANS: QT_TRANSLATE_NOOP("Modules", "Sales plans"),
    Module.OPPORTUNITIES: QT_TRANSLATE_NOOP("Modules", "Opportunities"),
    Module.PRODUCTS: QT_TRANSLATE_NOOP("Modules", "Product catalog"),
    Module.QUOTATIONS: QT_TRANSLATE_NOOP("Modules", "Quotations"),
    Module.ORDERS: QT_TRANSLATE_NOOP("Modules", "Orders"),
    Module.PAYMENTS: QT_TRANSLATE_NOOP("Modules", "Payments received"),
    Module.CONTRACTS: QT_TRANSLATE_NOOP("Modules", "Service contracts"),
    Module.SERVICE_TICKETS: QT_TRANSLATE_NOOP("Modules", "Service tickets"),
    Module.KNOWLEDGE: QT_TRANSLATE_NOOP("Modules", "Knowledge base"),
    Module.TASKS: QT_TRANSLATE_NOOP("Modules", "Tasks"),
    Module.CARE: QT_TRANSLATE_NOOP("Modules", "Customer care"),
    Module.STATISTICS: QT_TRANSLATE_NOOP("Modules", "Statistics"),
    Module.ADMINISTRATION: QT_TRANSLATE_NOOP("Modules", "Administration"),
}

_STATIONS: Mapping[StationCode, str] = {
    StationCode.STOREFRONT: QT_TRANSLATE_NOOP("Stations", "Storefront / dealers"),
    StationCode.KEY_ACCOUNTS: QT_TRANSLATE_NOOP("Stations", "Key accounts"),
    StationCode.REPAIR: QT_TRANSLATE_NOOP("Stations", "Repair department"),
    StationCode.MANAGEMENT: QT_TRANSLATE_NOOP("Stations", "Management department"),
    StationCode.MANAGER_OFFICE: QT_TRANSLATE_NOOP("Stations", "Manager's office"),
}

_CLASSES: Mapping[CustomerClass, str] = {
    CustomerClass.A: QT_TRANSLATE_NOOP("CustomerClass", "A"),
    CustomerClass.B: QT_TRANSLATE_NOOP("CustomerClass", "B"),
    CustomerClass.C: QT_TRANSLATE_NOOP("CustomerClass", "C"),
    CustomerClass.KEY_ACCOUNT: QT_TRANSLATE_NOOP("CustomerClass", "Key account"),
    CustomerClass.DEALER: QT_TRANSLATE_NOOP("CustomerClass", "Dealer"),
    CustomerClass.RETAIL: QT_TRANSLATE_NOOP("CustomerClass", "Retail"),
}

_SOURCES: Mapping[CustomerSource, str] = {
    CustomerSource.WALK_IN: QT_TRANSLATE_NOOP("CustomerSource", "Walk-in"),
    CustomerSource.PHONE: QT_TRANSLATE_NOOP("CustomerSource", "Phone"),
    CustomerSource.REFERRAL: QT_TRANSLATE_NOOP("CustomerSource", "Referral"),
    CustomerSource.VISIT: QT_TRANSLATE_NOOP("CustomerSource", "Visit"),
    CustomerSource.WEB: QT_TRANSLATE_NOOP("CustomerSource", "Web"),
    CustomerSource.DEALER: QT_TRANSLATE_NOOP("CustomerSource", "Dealer"),
    CustomerSource.SERVICE_RENEED: QT_TRANSLATE_NOOP("CustomerSource", "Service re-need"),
}

_STATUSES: Mapping[CustomerStatus, str] = {
    CustomerStatus.PROSPECT: QT_TRANSLATE_NOOP("CustomerStatus", "Prospect"),
    CustomerStatus.ACTIVE: QT_TRANSLATE_NOOP("CustomerStatus", "Active"),
    CustomerStatus.DORMANT: QT_TRANSLATE_NOOP("CustomerStatus", "Dormant"),
    CustomerStatus.LOST: QT_TRANSLATE_NOOP("CustomerStatus", "Lost"),
}


_KINDS: Mapping[CustomerKind, str] = {
    CustomerKind.COMPANY: QT_TRANSLATE_NOOP("CustomerKind", "Company"),
    CustomerKind.PERSON: QT_TRANSLATE_NOOP("CustomerKind", "Person"),
}

_ADDRESS_KINDS: Mapping[AddressKind, str] = {
    AddressKind.OFFICE: QT_TRANSLATE_NOOP("AddressKind", "Office"),
    AddressKind.BILLING: QT_TRANSLATE_NOOP("AddressKind", "Billing"),
    AddressKind.DELIVERY: QT_TRANSLATE_NOOP("AddressKind", "Delivery"),
    AddressKind.SITE: QT_TRANSLATE_NOOP("AddressKind", "Site"),
}

_DEVICE_STATUSES: Mapping[DeviceStatus, str] = {
    DeviceStatus.IN_USE: QT_TRANSLATE_NOOP("DeviceStatus", "In use"),
    DeviceStatus.IN_REPAIR: QT_TRANSLATE_NOOP("DeviceStatus", "In repair"),
    DeviceStatus.RETIRED: QT_TRANSLATE_NOOP("DeviceStatus", "Retired"),
}


def module_label(module: Module) -> str:
    return QCoreApplication.translate("Modules", _MODULES[module])


def station_label(station: StationCode | str | None) -> str:
    try:
        code = StationCode(station) if station else None
    except ValueError:
        return str(station)
    if code is None:
        return QCoreApplication.translate("Stations", "No station")
    return QCoreApplication.translate("Stations", _STATIONS[code])


def customer_class_label(value: CustomerClass | str | None) -> str:
    return _enum_label("CustomerClass", _CLASSES, CustomerClass, value)


def customer_source_label(value: CustomerSource | str | None) -> str:
    return _enum_label("CustomerSource", _SOURCES, CustomerSource, value)


def customer_status_label(value: CustomerStatus | str | None) -> str:
    return _enum_label("CustomerStatus", _STATUSES, CustomerStatus, value)


def customer_classes() -> list[tuple[CustomerClass, str]]:
    return [(c, customer_class_label(c)) for c in CustomerClass]


def customer_sources() -> list[tuple[CustomerSource, str]]:
    return [(s, customer_source_label(s)) for s in CustomerSource]


def customer_statuses() -> list[tuple[CustomerStatus, str]]:
    return [(s, customer_status_label(s)) for s in CustomerStatus]


def customer_kind_label(value: CustomerKind | str | None) -> str:
    return _enum_label("CustomerKind", _KINDS, CustomerKind, value)


def address_kind_label(value: AddressKind | str | None) -> str:
    return _enum_label("AddressKind", _ADDRESS_KINDS, AddressKind, value)


def device_status_label(value: DeviceStatus | str | None) -> str:
    return _enum_label("DeviceStatus", _DEVICE_STATUSES, DeviceStatus, value)


def customer_kinds() -> list[tuple[CustomerKind, str]]:
    return [(k, customer_kind_label(k)) for k in CustomerKind]


def address_kinds() -> list[tuple[AddressKind, str]]:
    return [(k, address_kind_label(k)) for k in AddressKind]


def device_statuses() -> list[tuple[DeviceStatus, str]]:
    return [(s, device_status_label(s)) for s in DeviceStatus]


def _enum_label(context: str, table: Mapping, kind: type, value: object) -> str:  # type: ignore[type-arg]
    if value is None or value == "":
        return ""
    try:
        member = kind(value)
    except ValueError:
        return str(value)
    return QCoreApplication.translate(context, table[member])
