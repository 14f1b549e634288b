"""Running import batches and taking them back.

    batch = create_batch(resource_class=StoryResource, user=user, file_name=...,
                         data=data, file_format="xlsx", store=True)
    run_batch(batch, dry_run=True)    # the preview: counts and messages, no writes
    run_batch(batch)                  # the import, recorded row by row
    plan = plan_undo(batch)           # what undoing it would do, and what not
    undo_batch(batch, user=user)      # delete what it created, restore what it changed

The admin, the command line and the job worker all go through these.
"""

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.results import RowResult

from imports import hooks, readers
from imports.fast import FastImport
from imports.models import ImportBatch, ImportRow, ImportUpload
from imports.recording import MAX_BATCH_MESSAGES, BatchRecorder, Progress
from imports.snapshots import edited_fields, field_by_key, load
from programs import spreadsheets

logger = logging.getLogger(__name__)

FORMATS = {cls.__name__.lower(): cls for cls in spreadsheets.FORMATS}


def format_name(file_format) -> str:
    """ "xlsx" for the portal's XLSX class (or an instance of it)."""
    cls = file_format if isinstance(file_format, type) else type(file_format)
    return cls.__name__.lower()


def resource_path(resource_class) -> str:
    return f"{resource_class.__module__}.{resource_class.__qualname__}"


def may_import(user, model) -> bool:
    """In the group 导入 (the model's import permission) and allowed to change it."""
    if user is None or not user.is_active:
        return False
    opts = model._meta
    code = getattr(settings, "IMPORT_EXPORT_IMPORT_PERMISSION_CODE", "import")
    return user.has_perm(f"{opts.app_label}.{code}_{opts.model_name}") and (
        user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
    )


# Creating and running ---------------------------------------------------------


def create_batch(
    *,
    resource_class,
    user,
    file_name: str,
    data: bytes,
    file_format,
    policy: str = ImportBatch.Policy.ALL,
    allow_recreate: bool = False,
    store: bool = True,
    upload: ImportUpload | None = None,
    status: str = ImportBatch.Status.RUNNING,
    task: str = ImportBatch.Task.IMPORT,
) -> ImportBatch:
    """A batch for a file; with `store`, the file waits in the database for
    a confirmation or a worker on any server."""
    if store and upload is None:
        upload = ImportUpload.objects.create(data=data, size=len(data))
    model = resource_class._meta.model
    return ImportBatch.objects.create(
        resource=resource_path(resource_class),
        content_type=ContentType.objects.get_for_model(model),
        user=user if user is not None and user.pk else None,
        username=user.get_username() if user is not None and user.pk else "命令行",
        file_name=file_name[:255],
        file_size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        file_format=format_name(file_format),
        policy=policy,
        allow_recreate=allow_recreate,
        upload=upload,
        status=status,
        task=task,
    )


def upload_data(batch: ImportBatch, data: bytes | None = None) -> bytes:
    if data is not None:
        return data
    upload = ImportUpload.objects.filter(pk=batch.upload_id).first()
    if upload is None:
        raise spreadsheets.SpreadsheetError(
            _("找不到上传的文件：它可能已经导入过，或者已过期。请重新上传文件。")
        )
    return bytes(upload.data)


def run_batch(
    batch: ImportBatch,
    *,
    dry_run: bool = False,
    data: bytes | None = None,
    dataset=None,
    progress=None,
):
    """Check (dry_run) or import the batch's file, and keep the outcome on the
    batch. Returns django-import-export's Result. `progress(done, total,
    errors)` hears how far it got."""
    batch.status, batch.started_at = ImportBatch.Status.RUNNING, timezone.now()
    batch.task = ImportBatch.Task.PREVIEW if dry_run else ImportBatch.Task.IMPORT
    batch.heartbeat_at = batch.started_at
    batch.save(update_fields=["status", "started_at", "task", "heartbeat_at"])
    reporter = Progress(batch, progress)
    try:
        resource = batch.resource_class()(
            only_valid=batch.only_valid,
            user=batch.user,
            allow_recreate=batch.allow_recreate,
            recorder=None if dry_run else BatchRecorder(batch),
            progress=reporter,
        )
        if dataset is None:
            # Streamed from the stored bytes: no Dataset, no decoded copy.
            headers, rows, estimate = readers.stream(
                upload_data(batch, data), batch.file_format
            )
            result = FastImport(
                resource, dry_run=dry_run, file_name=batch.file_name, user=batch.user
            ).run(headers, rows, total=estimate)
        else:
            result = resource.import_data(
                dataset,
                dry_run=dry_run,
                file_name=batch.file_name,
                user=batch.user,
                retain_instance_in_row_result=False,
            )
    except spreadsheets.SpreadsheetError as exc:
        finish(batch, dry_run=dry_run, message=str(exc))
        raise
    finally:
        reporter.close()
    finish(batch, dry_run=dry_run, result=result)
    return result


def blocked(result, only_valid: bool) -> bool:
    """Whether a result means nothing was (or would be) written."""
    return result.has_errors() or (result.has_validation_errors() and not only_valid)


def result_messages(result) -> list[str]:
    found = [str(e.error) for e in result.base_errors]
    found += [str(e.error) for _line, errors in result.row_errors() for e in errors]
    for row in result.invalid_rows:
        for errors in row.error_dict.values():
            found += [str(e) for e in errors]
    return found


def counts(result) -> dict[str, int]:
    """New, changed, unchanged and bad rows (a row skipped for its errors is
    counted as bad, not as unchanged)."""
    totals = result.totals
    dropped = sum(1 for r in result.rows if getattr(r, "dropped", None))
    invalid = len(result.invalid_rows) + len(result.row_errors()) + dropped
    return {
        "new": totals[RowResult.IMPORT_TYPE_NEW],
        "update": totals[RowResult.IMPORT_TYPE_UPDATE],
        "skip": totals[RowResult.IMPORT_TYPE_SKIP] - dropped,
        "dropped": dropped,
        "invalid": invalid,
    }


def finish(batch: ImportBatch, *, dry_run: bool, result=None, message="") -> None:
    """Keep the outcome: counts, the first messages, the status; an imported
    (or refused) file is deleted, as it holds personal data."""
    Status = ImportBatch.Status
    batch.refresh_from_db(fields=["rows_done", "total_rows"])
    batch.finished_at = batch.heartbeat_at = timezone.now()
    if result is None:
        batch.status, batch.message = Status.FAILED, message
        batch.errors = [message]
    else:
        found = counts(result)
        batch.new_count, batch.updated_count = found["new"], found["update"]
        batch.unchanged_count, batch.invalid_count = found["skip"], found["invalid"]
        batch.skipped_count = found["dropped"]
        batch.total_rows = batch.rows_done = result.total_rows
        errors = result_messages(result) + list(getattr(result, "dropped", []))
        batch.errors = errors[:MAX_BATCH_MESSAGES]
        batch.warnings = list(getattr(result, "warnings", []))[:MAX_BATCH_MESSAGES]
        if blocked(result, batch.only_valid):
            batch.status = Status.FAILED
            batch.message = _("文件有错误，什么都没有导入。")
        elif dry_run:
            batch.status = Status.PREVIEWED
            batch.message = ""
        else:
            batch.status, batch.message = Status.DONE, ""
    batch.save()
    if not dry_run or batch.status == Status.FAILED:
        forget_upload(batch)


def forget_upload(batch: ImportBatch) -> None:
    if batch.upload_id is not None:
        ImportUpload.objects.filter(pk=batch.upload_id).delete()
        batch.upload = None


def sweep_abandoned() -> None:
    """Previews nobody confirmed, and their files, an hour (by default) on;
    jobs whose worker died are marked as failed."""
    max_age = getattr(settings, "IMPORT_UPLOAD_MAX_AGE", 3600)
    for batch in ImportBatch.objects.abandoned(max_age):
        forget_upload(batch)
        batch.delete()
    cutoff = timezone.now() - timezone.timedelta(seconds=max_age)
    ImportUpload.objects.filter(
        purpose=ImportUpload.Purpose.UPLOAD, created_at__lt=cutoff, batches__isnull=True
    ).delete()
    stale = getattr(settings, "IMPORT_JOB_STALE_SECONDS", 600)
    for batch in ImportBatch.objects.stale(stale):
        batch.status = ImportBatch.Status.FAILED
        batch.message = _("导入进程中断，什么都没有导入。请重新上传文件。")
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "message", "finished_at"])
        forget_upload(batch)


# Undo -------------------------------------------------------------------------


@dataclass
class UndoPlan:
    """What undoing a batch would do (or did): how many rows it deletes,
    restores, must leave alone (someone edited them since, or other content
    depends on them) and finds gone, with the first rows of each kind and
    their reasons in Chinese."""

    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    delete: list[ImportRow] = field(default_factory=list)
    restore: list[ImportRow] = field(default_factory=list)
    refused: list[ImportRow] = field(default_factory=list)
    gone: list[ImportRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.totals["delete"] + self.totals["restore"]

    def add(self, verdict: str, row: ImportRow) -> None:
        self.totals[verdict] += 1
        kept = getattr(self, verdict)
        if len(kept) < PLAN_SAMPLE:
            kept.append(row)


VERDICTS = ("delete", "restore", "refused", "gone")
UNDO_CHUNK = 1000
# Rows of each kind an undo plan keeps to show; the others are counted.
PLAN_SAMPLE = 200
# Apps whose rows only mirror an item (the search index): they go with it.
DERIVED_APPS = {"search"}


def undoable_rows(batch: ImportBatch):
    """The rows an undo still has to deal with, last line first: what a file
    created late may depend on what it created early."""
    return batch.rows.filter(
        action__in=[ImportRow.Action.NEW, ImportRow.Action.UPDATE],
        undo__in=[ImportRow.Undo.NONE, ImportRow.Undo.REFUSED],
    ).order_by("-line")


def chunks_of(batch: ImportBatch):
    """undoable_rows, a chunk at a time: a 100,000-row batch is never in
    memory at once."""
    ids = list(undoable_rows(batch).values_list("pk", flat=True))
    for start in range(0, len(ids), UNDO_CHUNK):
        yield list(
            ImportRow.objects.filter(pk__in=ids[start : start + UNDO_CHUNK]).order_by(
                "-line"
            )
        )


def describe(batch: ImportBatch, row: ImportRow) -> str:
    what = batch.model._meta.verbose_name
    return _("第%(line)d行（%(what)s“%(name)s”）") % {
        "line": row.line,
        "what": what,
        "name": row.object_repr,
    }


def dependents(objs: list, created: set[int]) -> str:
    """What deleting `objs` would take along or change besides their own
    many-to-many links and the items this batch created itself, in words
    ("3 条数据、1 条人物故事"); "" if nothing."""
    if not objs:
        return ""
    model = type(objs[0])
    own = created | {obj.pk for obj in objs}
    own_links = {
        f.remote_field.through
        for f in model._meta.many_to_many
        if f.remote_field.through._meta.auto_created
    }
    found = defaultdict(int)
    collector = Collector(using="default", origin=objs[0])
    try:
        collector.collect(objs)
    except (ProtectedError, RestrictedError) as exc:
        blocking = (
            exc.protected_objects
            if isinstance(exc, ProtectedError)
            else exc.restricted_objects
        )
        for item in blocking:
            found[type(item)._meta.verbose_name] += 1
        return words(found)
    for kind, items in collector.data.items():
        if kind._meta.app_label in DERIVED_APPS:
            continue
        for item in items:
            if kind is model and item.pk in own:
                continue
            found[kind._meta.verbose_name] += 1
    for queryset in collector.fast_deletes:
        if queryset.model in own_links or (
            queryset.model._meta.app_label in DERIVED_APPS
        ):
            continue
        n = queryset.count()
        if not n:
            continue
        if queryset.model._meta.auto_created:
            # Someone else's many-to-many link to this item (a story's
            # related programs): deleting it would edit that story.
            owner = [
                f.related_model
                for f in queryset.model._meta.fields
                if f.is_relation and f.related_model is not model
            ]
            found[owner[0]._meta.verbose_name if owner else _("关联")] += n
        else:
            found[queryset.model._meta.verbose_name] += n
    for (fk, _value), targets in collector.field_updates.items():
        if fk.model._meta.app_label in DERIVED_APPS:
            continue
        for target in targets:
            items = target if hasattr(target, "model") else [target]
            for item in items:
                if fk.model is model and item.pk in own:
                    continue
                found[fk.model._meta.verbose_name] += 1
    return words(found)


def words(found: dict) -> str:
    return "、".join(f"{n} 条{name}" for name, n in found.items())


def judge(batch, row, obj, created, *, free: bool = False) -> tuple[str, str]:
    """What undo does with one row: ("delete" | "restore" | "refused" | "gone",
    the reason in Chinese). `free`: nothing depends on the row's item (checked
    for its whole chunk at once)."""
    where = describe(batch, row)
    new = row.action == ImportRow.Action.NEW
    if obj is None:
        if new:
            return "gone", _("%(where)s：已被删除，无需撤销。") % {"where": where}
        return "gone", _("%(where)s：已被删除，无法恢复导入前的内容。") % {
            "where": where
        }
    version = getattr(obj, "lock_version", None)
    edited = edited_fields(obj, row.after or {})
    moved = (
        version is not None
        and row.version_after is not None
        and version != row.version_after
    )
    if edited or moved:
        what = "、".join(edited) if edited else _("版本号变了")
        return "refused", _(
            "%(where)s：导入之后有人改过（%(what)s），为了不覆盖别人的修改，"
            "这一行没有撤销。如确需撤销，请在编辑页面手动修改。"
        ) % {"where": where, "what": what}
    if new and not free:
        taken = dependents([obj], created)
        if taken:
            return "refused", _(
                "%(where)s：导入之后已有其他内容关联到它（%(what)s），删除会连带"
                "影响这些内容，这一行没有撤销。"
            ) % {"where": where, "what": taken}
    return ("delete" if new else "restore"), ""


def judge_chunk(batch, rows, created, *, lock: bool):
    """(row, verdict, reason, item) for a chunk of rows, its items read (and
    with `lock`, locked) in one query."""
    items = batch.model._default_manager.filter(pk__in=[r.object_id for r in rows])
    if lock:
        items = items.select_for_update()
    current = {obj.pk: obj for obj in items}
    new = [
        current[r.object_id]
        for r in rows
        if r.action == ImportRow.Action.NEW and r.object_id in current
    ]
    free = not dependents(new, created)
    for row in rows:
        obj = current.get(row.object_id)
        verdict, note = judge(batch, row, obj, created, free=free)
        row.undo_note = note
        yield row, verdict, obj


def created_ids(batch: ImportBatch) -> set[int]:
    return set(
        batch.rows.filter(action=ImportRow.Action.NEW).values_list(
            "object_id", flat=True
        )
    )


def plan_undo(batch: ImportBatch) -> UndoPlan:
    """Decide, row by row, what undoing `batch` would do; changes nothing."""
    plan, created = UndoPlan(), created_ids(batch)
    for rows in chunks_of(batch):
        for row, verdict, _obj in judge_chunk(batch, rows, created, lock=False):
            plan.add(verdict, row)
    return plan


def undo_batch(batch: ImportBatch, *, user) -> UndoPlan:
    """Delete what the batch created and restore what it changed, except rows
    someone edited since (or that other content now depends on): those are
    left as they are and named. One transaction, a chunk of rows at a time;
    returns what it did."""
    if not may_import(user, batch.model):
        raise PermissionDenied
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if not batch.can_be_undone:
            raise PermissionDenied(_("这一批已经撤销过，或者没有可撤销的内容。"))
        undo = Undo(batch, user)
        for rows in chunks_of(batch):
            undo.chunk(rows)
        undo.finish()
    return undo.plan


class Undo:
    """One undo of a batch, chunk by chunk, inside the caller's transaction."""

    def __init__(self, batch: ImportBatch, user):
        self.batch, self.user = batch, user
        self.model = batch.model
        self.fields = field_by_key(self.model)
        self.resource = batch.resource_class()()
        self.created = created_ids(batch)
        self.plan = UndoPlan()
        self.trail: set[tuple[type, int]] = set()
        self.touched: dict[type, set[int]] = defaultdict(set)
        self.label = _("撤销导入“%(file)s”（第%(pk)d批）") % {
            "file": batch.file_name,
            "pk": batch.pk,
        }

    def chunk(self, rows: list[ImportRow]) -> None:
        from editorial.services import snapshot_before_delete

        deleted = []
        for row, verdict, obj in judge_chunk(self.batch, rows, self.created, lock=True):
            self.plan.add(verdict, row)
            row.undo = {
                "delete": ImportRow.Undo.UNDONE,
                "restore": ImportRow.Undo.UNDONE,
                "refused": ImportRow.Undo.REFUSED,
                "gone": ImportRow.Undo.GONE,
            }[verdict]
            if verdict in ("refused", "gone"):
                continue
            row.undo_note = ""
            item = self.resource.trail_item(obj)
            self.touched[self.model].add(obj.pk)
            if verdict == "delete" and item is obj:
                # A program or story goes to the trash, where it can be recovered.
                snapshot_before_delete(obj, self.user)
                obj.delete()
                continue
            if item is not None:
                self.trail.add((type(item), item.pk))
            if verdict == "delete":
                deleted.append(obj.pk)
            else:
                self.restore(obj, row)
        if deleted:
            self.model._default_manager.filter(pk__in=deleted).delete()
        ImportRow.objects.bulk_update(rows, ["undo", "undo_note"])

    def restore(self, obj, row: ImportRow) -> None:
        m2m = {}
        for name, value in (row.before or {}).items():
            f = self.fields.get(name)
            if f is None:
                continue
            if f.many_to_many:
                m2m[f.name] = value or []
            else:
                setattr(obj, f.attname, load(f, value))
        obj.save()
        for name, pks in m2m.items():
            getattr(obj, name).set(pks)

    def finish(self) -> None:
        from editorial.trail import record_imports

        by_model: dict[type, set[int]] = {}
        for item_model, pk in self.trail:
            by_model.setdefault(item_model, set()).add(pk)
        for item_model, pks in by_model.items():
            # Items the undo deleted keep the version the trash holds.
            kept = set(
                item_model._default_manager.filter(pk__in=pks).values_list(
                    "pk", flat=True
                )
            )
            record_imports(item_model, dict.fromkeys(kept, self.label), self.user)
            self.touched[item_model] |= kept
        batch = self.batch
        batch.status = (
            ImportBatch.Status.PARTLY_UNDONE
            if self.plan.totals["refused"]
            else ImportBatch.Status.UNDONE
        )
        batch.undone_at = timezone.now()
        batch.undone_by = self.user.get_username()
        batch.save(update_fields=["status", "undone_at", "undone_by"])
        for item_model, pks in self.touched.items():
            ids = sorted(pks)
            transaction.on_commit(lambda m=item_model, p=ids: hooks.items_changed(m, p))


# Jobs -------------------------------------------------------------------------


def inline_max_bytes() -> int:
    """Files up to this size are checked and imported in the web request;
    larger ones by the worker (manage.py run_import_jobs)."""
    return getattr(settings, "IMPORT_INLINE_MAX_BYTES", 256 * 1024)


def queue(batch: ImportBatch, task: str) -> ImportBatch:
    batch.status, batch.task = ImportBatch.Status.QUEUED, task
    batch.rows_done, batch.heartbeat_at = 0, None
    batch.started_at = batch.finished_at = None
    batch.save()
    return batch


def claim_next_job() -> ImportBatch | None:
    """The oldest queued batch, marked as running, or None. Two workers never
    take the same one: the row is locked and skipped by the other."""
    from django.db import connection

    with transaction.atomic():
        jobs = ImportBatch.objects.queued()
        if connection.features.has_select_for_update_skip_locked:
            jobs = jobs.select_for_update(skip_locked=True)
        batch = jobs.first()
        if batch is None:
            return None
        batch.status = ImportBatch.Status.RUNNING
        batch.started_at = batch.heartbeat_at = timezone.now()
        batch.save(update_fields=["status", "started_at", "heartbeat_at"])
    return batch


def run_job(batch: ImportBatch, progress=None) -> None:
    """Run a claimed batch's step (check or import); a failure is kept on the
    batch for the admin to read, never raised."""
    dry_run = batch.task == ImportBatch.Task.PREVIEW
    try:
        run_batch(batch, dry_run=dry_run, progress=progress)
    except spreadsheets.SpreadsheetError:
        pass  # finish() kept the message
    except Exception as exc:
        logger.exception("Import batch %s failed", batch.pk)
        finish(
            batch,
            dry_run=dry_run,
            message=_("导入出错，什么都没有导入：%(error)s") % {"error": exc},
        )
