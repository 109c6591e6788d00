"""The technical knowledge base (维修技术问题记录单): known faults and their fixes.

A technician writes an entry (model, symptom, cause, solution, parts, keywords); submitted
entries are ``pending`` until the repair lead approves (审核) or returns (退回) them. Only
approved entries are suggested at intake and in the repair record
(:func:`suggest_solutions`), so the same fault gets the same answer whoever takes the job.

The review loop: returning an entry needs a reason, stored on the entry
(``return_reason``) and shown to the author in "my entries" (:func:`list_my_knowledge`).
The author edits a returned or draft entry (:func:`update_knowledge`, with the version
they loaded) and resubmits it: pending again. Only the author, or someone who may
approve (``KNOWLEDGE/CONFIRM``, the repair lead), may edit an entry; an approved entry is
no longer edited. Everyone with ``KNOWLEDGE/VIEW`` browses and searches the approved
entries (:func:`list_knowledge`); the pending queue is the lead's. The three lists page
through :func:`page_knowledge` (:class:`KnowledgeListView`), sorted by any column
(:data:`KNOWLEDGE_SORT_KEYS`); the ``list_*`` calls are their first page.

Matching is done in Python over a bounded candidate set: approved entries whose model
starts with the first word of the typed model, plus approved entries whose symptom or
keywords contain one of a few key terms of the typed symptoms. Chinese text is split into
characters and bigrams, other text into words.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, case, func, or_, select, update

from app.i18n import tr
from app.models import User, utcnow
from app.models.enums import AuditAction, KnowledgeStatus, Module, Operation
from app.models.service import KnowledgeEntry
from app.services import audit
from app.services.errors import InvalidTransition, NotFound, PermissionDenied
from app.services.lifecycle import TransitionTable
from app.services.locking import check_version
from app.services.numbering import next_number
from app.services.paging import Cursor, Sort, SortExpr, count_rows, next_after, ordered_page, ranked
from app.services.permissions import Actor, grants_for, require
from app.services.uow import UnitOfWork
from app.services.validation import Checker, search_fields, search_text

KS = KnowledgeStatus
KNOWLEDGE_REVIEW: TransitionTable[KnowledgeStatus] = TransitionTable(
    entity="knowledge",
    states=KnowledgeStatus,
    initial=KS.DRAFT,
    edges=frozenset({
        (KS.DRAFT, KS.PENDING),
        (KS.PENDING, KS.APPROVED),
        (KS.PENDING, KS.REJECTED),
        (KS.REJECTED, KS.PENDING),
    }),
)
# Statuses in which an entry may still be edited (by its author or the lead).
EDITABLE = (KS.DRAFT, KS.PENDING, KS.REJECTED)
CANDIDATE_LIMIT = 200
MAX_KEY_TERMS = 6
MAX_SUGGESTIONS = 20
# The longest symptoms an intake takes (tickets.intake_ticket), typed as suggestions come.
SYMPTOMS_MAX = 4000
# Characters too common in symptom descriptions to say anything on their own.
_STOP_CHARS = frozenset("的了是不在有和与或时后前就都也很会能要把被")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class KnowledgeDraft:
    device_model: str
    symptom: str
    cause: str
    solution: str
    parts: str | None = None
    keywords: str | None = None


@dataclass(frozen=True)
class KnowledgeView:
    id: int
    version: int
    number: str
    device_model: str
    symptom: str
    cause: str
    solution: str
    parts: str | None
    keywords: str | None
    status: KnowledgeStatus
    author_id: int
    author_name: str | None
    approved_by_id: int | None
    approved_at: dt.datetime | None
    times_used: int
    return_reason: str | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class Suggestion:
    """One suggested entry; ``same_model`` and ``score`` say why it ranks where it does."""

    entry: KnowledgeView
    same_model: bool
    score: int


# --- use cases -----------------------------------------------------------------------------


def create_knowledge(*, uow: UnitOfWork, actor: Actor, draft: KnowledgeDraft,
                     submit: bool = True) -> KnowledgeView:
    """Write a new entry; submitted (``pending``) for the lead's approval unless ``submit``
    is False (``draft``)."""
    with uow:
        require(uow, actor, Module.KNOWLEDGE, Operation.CREATE)
        values = _clean(draft)
        entry = KnowledgeEntry(
            number=next_number(uow, "knowledge", dt.date.today()),
            status=KS.PENDING if submit else KS.DRAFT, author_id=actor.user_id, times_used=0,
            created_by_id=actor.user_id, updated_by_id=actor.user_id, **values)
        uow.session.add(entry)
        uow.flush()
        audit.record(uow, actor, AuditAction.CREATE, "knowledge", entry.id, _summary(entry),
                     {"after": audit.snapshot(entry)})
        uow.commit()
        return _view(uow, entry.id)


def get_knowledge(*, uow: UnitOfWork, actor: Actor, entry_id: int) -> KnowledgeView:
    with uow:
        require(uow, actor, Module.KNOWLEDGE, Operation.VIEW)
        _load(uow, entry_id)
        return _view(uow, entry_id)


def list_pending_knowledge(*, uow: UnitOfWork, actor: Actor,
                           limit: int = 200) -> tuple[KnowledgeView, ...]:
    """Entries waiting for the repair lead's approval, oldest first."""
    return page_knowledge(uow=uow, actor=actor, view=KnowledgeListView.PENDING,
                          limit=limit).rows


def approve_knowledge(*, uow: UnitOfWork, actor: Actor, entry_id: int,
                      expected_version: int | None = None) -> KnowledgeView:
    """The repair lead approves a pending entry: from now on it is suggested.

    ``expected_version`` (the version the lead looked at) refuses approving an entry its
    author changed in the meantime (ConflictError).
    """
    return _review(uow, actor, entry_id, KS.APPROVED, expected_version, None)


def reject_knowledge(*, uow: UnitOfWork, actor: Actor, entry_id: int, reason: str,
                     expected_version: int | None = None) -> KnowledgeView:
    """The repair lead returns a pending entry to its author (退回), saying why.

    The reason is required (ValidationError on ``reason``) and is shown to the author.
    """
    return _review(uow, actor, entry_id, KS.REJECTED, expected_version, reason)


def update_knowledge(*, uow: UnitOfWork, actor: Actor, entry_id: int, expected_version: int,
                     draft: KnowledgeDraft, submit: bool = True) -> KnowledgeView:
    """Edit a draft, pending or returned entry; ``submit`` sends it (again) for approval.

    Needs ``KNOWLEDGE/EDIT``, and the actor must be the entry's author or may approve
    entries (``KNOWLEDGE/CONFIRM``). An approved entry can no longer be edited
    (InvalidTransition). Without ``submit`` the entry keeps its status.
    """
    with uow:
        require(uow, actor, Module.KNOWLEDGE, Operation.EDIT)
        entry = _load(uow, entry_id)
        may_review = grants_for(uow, actor).allows(Module.KNOWLEDGE, Operation.CONFIRM)
        if entry.author_id != actor.user_id and not may_review:
            raise PermissionDenied(
                tr("Only the author or the repair lead may change this knowledge entry."),
                module=Module.KNOWLEDGE, operation=Operation.EDIT)
        before_status = KS(entry.status)
        if before_status not in EDITABLE:
            raise InvalidTransition(tr("An approved knowledge entry can no longer be changed."))
        check_version(uow, entry, expected_version, entity="knowledge",
                      label=tr("Knowledge entry"))
        values = _clean(draft)
        target = KS.PENDING if submit else before_status
        if target is not before_status:
            KNOWLEDGE_REVIEW.check(before_status, target,
                                   record=f"{tr('Knowledge entry')} {entry.number}")
        before = audit.snapshot(entry)
        for key, value in values.items():
            setattr(entry, key, value)
        entry.status = target
        changes: dict[str, Any] = audit.diff(before, audit.snapshot(entry))
        if changes:
            entry.updated_by_id = actor.user_id
            uow.flush()
            audit.record(uow, actor, AuditAction.UPDATE, "knowledge", entry.id,
                         _summary(entry), changes)
        uow.commit()
        return _view(uow, entry.id)


def list_knowledge(*, uow: UnitOfWork, actor: Actor, text: str | None = None,
                   limit: int = 200) -> tuple[KnowledgeView, ...]:
    """Approved entries for browsing, most used first; ``text`` narrows them.

    Every word of ``text`` must appear (case-insensitively) in the entry's model, symptom,
    cause or keywords, so "M404 卡纸" finds the paper-jam entries of that model.
    """
    return page_knowledge(uow=uow, actor=actor, text=text, limit=limit).rows


def list_my_knowledge(*, uow: UnitOfWork, actor: Actor,
                      limit: int = 200) -> tuple[KnowledgeView, ...]:
    """The actor's own entries in every status (returned ones first), newest first."""
    return page_knowledge(uow=uow, actor=actor, view=KnowledgeListView.MINE,
                          limit=limit).rows


class KnowledgeListView(StrEnum):
    """Which entries a knowledge list shows."""

    BROWSE = "browse"    # the approved ones, to everyone with KNOWLEDGE/VIEW
    MINE = "mine"        # the actor's own in every status
    PENDING = "pending"  # waiting for approval: the repair lead's (KNOWLEDGE/CONFIRM)


@dataclass(frozen=True)
class KnowledgeEntryPage:
    rows: tuple[KnowledgeView, ...]
    # Pass back as ``after`` for the next page; None at the end.
    next_after: Cursor | None = None
    # Every entry of the view that the search lets through (with ``with_total``).
    total: int | None = None


# The columns of the knowledge lists, as sort keys for :func:`page_knowledge`.
KNOWLEDGE_SORT_KEYS: tuple[str, ...] = ("number", "model", "symptom", "cause", "author",
                                        "used", "status", "return_reason")
# The most entries one page holds, and so the ``list_*`` calls (their first page).
MAX_PAGE = 500


def page_knowledge(*, uow: UnitOfWork, actor: Actor,
                   view: KnowledgeListView | str = KnowledgeListView.BROWSE,
                   text: str | None = None, after: Cursor | None = None, limit: int = 100,
                   sort: Sort | None = None, with_total: bool = False) -> KnowledgeEntryPage:
    """One page of the entries of ``view``, in its own order unless ``sort`` names one of
    :data:`KNOWLEDGE_SORT_KEYS`; ``with_total`` also counts them.

    Their own orders: browsing most used first, one's own entries returned ones first and
    then newest first, the pending queue oldest first. ``text`` narrows any of them as
    :func:`list_knowledge` says.
    """
    which = KnowledgeListView(view)
    search_text("text", text)
    limit = max(1, min(int(limit), MAX_PAGE))
    with uow:
        base = _query().where(*_list_conditions(uow, actor, which, text))
        columns = _SORT_COLUMNS
        if sort is None:
            # The list's own order is none of its columns': a key of its own, which only
            # this default uses (a caller naming it is refused like any unknown key).
            own, descending = _OWN_ORDER[which]
            columns = {**_SORT_COLUMNS, _OWN_KEY: own}
            sort = Sort(_OWN_KEY, descending)
        rows = uow.session.execute(ordered_page(
            base, columns=columns, sort=sort, id_column=KnowledgeEntry.id, after=after,
            limit=limit, not_null=_NOT_NULL)).all()
        return KnowledgeEntryPage(
            rows=tuple(_make_view(e, author) for e, author, *_ in rows[:limit]),
            next_after=next_after(rows, limit),
            total=count_rows(uow.session, base) if with_total else None)


def suggest_solutions(*, uow: UnitOfWork, actor: Actor, device_model: str | None,
                      symptoms: str | None, limit: int = 5) -> tuple[Suggestion, ...]:
    """Approved entries matching the model and the typed symptoms, best first.

    Entries of the same model (one model name a case-insensitive prefix of the other)
    come first; within that, by how many symptom characters, bigrams and words they share
    with the entry's symptom and keywords, then by how often they were used.
    """
    # The symptoms as typed on the intake form: several lines, as long as that field.
    search_fields(device_model=device_model)
    search_text("symptoms", symptoms, max_len=SYMPTOMS_MAX, multiline=True)
    limit = max(1, min(limit, MAX_SUGGESTIONS))
    model_key = _model_key(device_model or "")
    query_terms = _terms(symptoms or "")
    if not model_key and not query_terms:
        return ()
    with uow:
        require(uow, actor, Module.KNOWLEDGE, Operation.VIEW)
        approved = KnowledgeEntry.status == KS.APPROVED
        # each candidate with its author's name, so the suggestions need no further query
        candidates: dict[int, KnowledgeEntry] = {}
        authors: dict[int, str | None] = {}
        with_author = (select(KnowledgeEntry, User.display_name)
                       .outerjoin(User, User.id == KnowledgeEntry.author_id))
        first_word = (device_model or "").strip().lower().split()
        if first_word and len(first_word[0]) >= 2:
            stmt = (with_author.where(
                approved, func.lower(KnowledgeEntry.device_model).like(
                    _like_escape(first_word[0]) + "%", escape="\\"))
                .order_by(KnowledgeEntry.times_used.desc(), KnowledgeEntry.id)
                .limit(CANDIDATE_LIMIT))
            for e, author in uow.session.execute(stmt).all():
                candidates[e.id], authors[e.id] = e, author
        key_terms = _key_terms(symptoms or "")
        if key_terms:
            likes: list[Any] = []
            for term in key_terms:
                pattern = "%" + _like_escape(term) + "%"
                likes.append(KnowledgeEntry.symptom.like(pattern, escape="\\"))
                likes.append(KnowledgeEntry.keywords.like(pattern, escape="\\"))
            stmt = (with_author.where(approved, or_(*likes))
                    .order_by(KnowledgeEntry.times_used.desc(), KnowledgeEntry.id)
                    .limit(CANDIDATE_LIMIT))
            for e, author in uow.session.execute(stmt).all():
                candidates[e.id], authors[e.id] = e, author
        ranked: list[tuple[tuple[int, int, int, int], int, bool, int]] = []
        for entry in candidates.values():
            entry_key = _model_key(entry.device_model)
            same = bool(model_key and entry_key and (
                entry_key.startswith(model_key) or model_key.startswith(entry_key)))
            entry_terms = _terms(f"{entry.symptom} {entry.keywords or ''}")
            score = sum(weight for term, weight in query_terms.items() if term in entry_terms)
            if not same and score == 0:
                continue
            ranked.append(((int(same), score, entry.times_used, -entry.id), entry.id, same,
                           score))
        ranked.sort(reverse=True)
        return tuple(Suggestion(entry=_make_view(candidates[entry_id], authors[entry_id]),
                                same_model=same, score=score)
                     for _key, entry_id, same, score in ranked[:limit])


def mark_used(*, uow: UnitOfWork, actor: Actor, entry_id: int) -> KnowledgeView:
    """Count one more use of an approved entry (a technician followed it)."""
    with uow:
        require(uow, actor, Module.KNOWLEDGE, Operation.VIEW)
        entry = _load(uow, entry_id)
        if entry.status != KS.APPROVED:
            raise InvalidTransition(tr("Only approved knowledge entries can be used."))
        uses, summary = entry.times_used, _summary(entry)
        uow.session.execute(
            update(KnowledgeEntry).where(KnowledgeEntry.id == entry_id)
            .values(times_used=KnowledgeEntry.times_used + 1)
            .execution_options(synchronize_session=False))
        uow.session.expire(entry)
        # A change like any other: the log says who counted a use (and a secured server
        # does not take it for a change made outside StationCRM).
        audit.record(uow, actor, AuditAction.UPDATE, "knowledge", entry_id, summary,
                     {"times_used": [uses, uses + 1]})
        uow.commit()
        return _view(uow, entry_id)


# --- helpers -------------------------------------------------------------------------------


def _review(uow: UnitOfWork, actor: Actor, entry_id: int, target: KnowledgeStatus,
            expected_version: int | None, reason: str | None) -> KnowledgeView:
    with uow:
        require(uow, actor, Module.KNOWLEDGE, Operation.CONFIRM)
        entry = _load(uow, entry_id)
        before = KS(entry.status)
        if before is not KS.PENDING:
            raise InvalidTransition(
                tr("Only pending knowledge entries can be approved or rejected."))
        if expected_version is not None:
            check_version(uow, entry, expected_version, entity="knowledge",
                          label=tr("Knowledge entry"))
        text = None
        if target is KS.REJECTED:
            check = Checker()
            text = check.text("reason", reason, max_len=500, required=True, multiline=True)
            check.done()
        KNOWLEDGE_REVIEW.check(before, target, record=f"{tr('Knowledge entry')} {entry.number}")
        entry.status = target
        if target is KS.APPROVED:
            entry.approved_by_id = actor.user_id
            entry.approved_at = utcnow()
            entry.return_reason = None
        else:
            entry.return_reason = text
        entry.updated_by_id = actor.user_id
        uow.flush()
        changes: dict[str, Any] = {"status": [before.value, target.value]}
        if text is not None:
            changes["reason"] = text
        audit.record(uow, actor, AuditAction.CONFIRM if target is KS.APPROVED
                     else AuditAction.RETURN, "knowledge", entry.id, _summary(entry),
                     changes)
        uow.commit()
        return _view(uow, entry.id)


def _list_conditions(uow: UnitOfWork, actor: Actor, which: KnowledgeListView,
                     text: str | None) -> list[Any]:
    """Permission check and filters of the knowledge lists."""
    if which is KnowledgeListView.PENDING:
        require(uow, actor, Module.KNOWLEDGE, Operation.CONFIRM)
        conditions: list[Any] = [KnowledgeEntry.status == KS.PENDING]
    else:
        require(uow, actor, Module.KNOWLEDGE, Operation.VIEW)
        conditions = [KnowledgeEntry.author_id == actor.user_id
                      if which is KnowledgeListView.MINE
                      else KnowledgeEntry.status == KS.APPROVED]
    for word in (text or "").lower().split()[:MAX_KEY_TERMS]:
        pattern = "%" + _like_escape(word) + "%"
        conditions.append(or_(
            func.lower(KnowledgeEntry.device_model).like(pattern, escape="\\"),
            func.lower(KnowledgeEntry.symptom).like(pattern, escape="\\"),
            func.lower(KnowledgeEntry.cause).like(pattern, escape="\\"),
            func.lower(KnowledgeEntry.keywords).like(pattern, escape="\\")))
    return conditions


def _model_key(model: str) -> str:
    return re.sub(r"[\s\-_]+", "", model.strip().lower())


def _terms(text: str) -> dict[str, int]:
    """Matching terms with weights: Chinese characters 1, bigrams 2, other words 2."""
    lowered = text.lower()
    terms: dict[str, int] = {}
    for run in _CJK.findall(lowered):
        for ch in run:
            if ch not in _STOP_CHARS:
                terms[ch] = 1
        for i in range(len(run) - 1):
            terms[run[i:i + 2]] = 2
    for word in _WORD.findall(lowered):
        if len(word) >= 2:
            terms[word] = 2
    return terms


def _key_terms(text: str) -> list[str]:
    """A few terms of the typed symptoms to fetch candidates by (LIKE), longest first."""
    lowered = text.lower()
    found: list[str] = []
    for run in _CJK.findall(lowered):
        if len(run) == 1:
            if run not in _STOP_CHARS:
                found.append(run)
            continue
        found.extend(run[i:i + 2] for i in range(len(run) - 1))
    found.extend(w for w in _WORD.findall(lowered) if len(w) >= 3)
    unique = list(dict.fromkeys(found))
    unique.sort(key=len, reverse=True)
    return unique[:MAX_KEY_TERMS]


def _like_escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            .replace("[", "\\["))


def _clean(draft: KnowledgeDraft) -> dict[str, Any]:
    check = Checker()
    values = {
        "device_model": check.text("device_model", draft.device_model, max_len=100,
                                   required=True),
        "symptom": check.text("symptom", draft.symptom, max_len=500, required=True,
                              multiline=True),
        "cause": check.text("cause", draft.cause, max_len=500, required=True,
                            multiline=True),
        "solution": check.text("solution", draft.solution, max_len=20000, required=True,
                               multiline=True),
        "parts": check.text("parts", draft.parts, max_len=500, multiline=True),
        "keywords": check.text("keywords", draft.keywords, max_len=200),
    }
    check.done()
    return values


def _load(uow: UnitOfWork, entry_id: int) -> KnowledgeEntry:
    entry = uow.session.get(KnowledgeEntry, entry_id)
    if entry is None:
        raise NotFound(tr("{entity} {id} does not exist or you may not see it.",
                          entity=tr("Knowledge entry"), id=entry_id))
    return entry


def _summary(entry: KnowledgeEntry) -> str:
    return f"{entry.number} {entry.device_model} {entry.symptom}"


def _query() -> Select[*tuple[Any, ...]]:
    """Each entry with its author's name."""
    return (select(KnowledgeEntry, User.display_name)
            .outerjoin(User, User.id == KnowledgeEntry.author_id))


# What each column sorts by. Status in its declared order; the return reason only where
# the list shows it (a resubmitted entry keeps its old one, unseen).
_SORT_COLUMNS: dict[str, SortExpr] = {
    "number": KnowledgeEntry.number,
    "model": KnowledgeEntry.device_model,
    "symptom": KnowledgeEntry.symptom,
    "cause": KnowledgeEntry.cause,
    "author": User.display_name,
    "used": KnowledgeEntry.times_used,
    "status": ranked(KnowledgeEntry.status, list(KnowledgeStatus)),
    "return_reason": case((KnowledgeEntry.status == KS.REJECTED,
                           KnowledgeEntry.return_reason)),
}
_NOT_NULL = ("number", "model", "symptom", "cause", "used", "status", "own order")
_OWN_KEY = "own order"
# Each list's own order: (what it sorts by, descending); ties by id the same way.
_OWN_ORDER: dict[KnowledgeListView, tuple[SortExpr, bool]] = {
    KnowledgeListView.BROWSE: (KnowledgeEntry.times_used, True),
    KnowledgeListView.MINE: (case((KnowledgeEntry.status == KS.REJECTED, 1), else_=0), True),
    KnowledgeListView.PENDING: (KnowledgeEntry.id, False),
}


def _view(uow: UnitOfWork, entry_id: int) -> KnowledgeView:
    row = uow.session.execute(_query().where(KnowledgeEntry.id == entry_id)).one()
    return _make_view(row[0], row[1])


def _make_view(e: KnowledgeEntry, author: str | None) -> KnowledgeView:
    return KnowledgeView(
        id=e.id, version=e.version, number=e.number, device_model=e.device_model,
        symptom=e.symptom, cause=e.cause, solution=e.solution, parts=e.parts,
        keywords=e.keywords, status=KnowledgeStatus(e.status), author_id=e.author_id,
        author_name=author, approved_by_id=e.approved_by_id, approved_at=e.approved_at,
        times_used=e.times_used, return_reason=e.return_reason, updated_at=e.updated_at)


__all__ = [
    "KNOWLEDGE_REVIEW",
    "KNOWLEDGE_SORT_KEYS",
    "KnowledgeDraft",
    "KnowledgeEntryPage",
    "KnowledgeListView",
    "KnowledgeView",
    "Suggestion",
    "approve_knowledge",
    "create_knowledge",
    "get_knowledge",
    "list_knowledge",
    "list_my_knowledge",
    "list_pending_knowledge",
    "mark_used",
    "page_knowledge",
    "reject_knowledge",
    "suggest_solutions",
    "update_knowledge",
]
