"""Display names of modules, stations and customer codes for the screens.

Thin calls into :mod:`app.labels`, the one catalog; the language is the one
``app.ui.i18n.install_translator`` chose for the interface.
"""

from __future__ import annotations

from app import labels
from app.enums import (
    AddressKind,
    CustomerClass,
    CustomerKind,
    CustomerSource,
    CustomerStatus,
    DeviceStatus,
    Module,
    StationCode,
)


def module_label(module: Module) -> str:
    return labels.label(module)


def station_label(station: StationCode | str | None) -> str:
    return labels.station_label(station)


def customer_class_label(value: CustomerClass | str | None) -> str:
    return labels.label_of(CustomerClass, value)


def customer_source_label(value: CustomerSource | str | None) -> str:
    return labels.label_of(CustomerSource, value)


def customer_status_label(value: CustomerStatus | str | None) -> str:
    return labels.label_of(CustomerStatus, value)


def customer_classes() -> list[tuple[CustomerClass, str]]:
    return labels.choices(CustomerClass)


def customer_sources() -> list[tuple[CustomerSource, str]]:
    return labels.choices(CustomerSource)


def customer_statuses() -> list[tuple[CustomerStatus, str]]:
    return labels.choices(CustomerStatus)


def customer_kind_label(value: CustomerKind | str | None) -> str:
    return labels.label_of(CustomerKind, value)


def address_kind_label(value: AddressKind | str | None) -> str:
    return labels.label_of(AddressKind, value)


def device_status_label(value: DeviceStatus | str | None) -> str:
    return labels.label_of(DeviceStatus, value)


def customer_kinds() -> list[tuple[CustomerKind, str]]:
    return labels.choices(CustomerKind)


def address_kinds() -> list[tuple[AddressKind, str]]:
    return labels.choices(AddressKind)


def device_statuses() -> list[tuple[DeviceStatus, str]]:
    return labels.choices(DeviceStatus)
