"""What other apps must hear when an import or its undo writes rows without
going through each item's save() (bulk writes, bulk deletes).

One function, called after the transaction commits, so that other apps keep
their derived data current: the search index (search.indexing) and the
readers' page cache (pagecache).
"""

import logging

logger = logging.getLogger(__name__)


def items_changed(model, pks: list[int]) -> None:
    """Programs or stories (by primary key) whose own row or lines an import
    or an undo created, changed or deleted without their save() signals.
    Other models are ignored: their program or story is passed instead."""
    if not pks:
        return
    from pagecache.store import bump_on_commit

    bump_on_commit()
    try:
        from search import indexing
    except ImportError:
        return
    from programs.models import Program
    from stories.models import Story

    queryset = model._default_manager.filter(pk__in=pks)
    try:
        if hasattr(indexing, "mark_due"):
            # Marks the entries due and rewrites them once the transaction
            # commits: one pass for the whole import.
            if model is Story:
                indexing.mark_due(stories=queryset)
            elif model is Program:
                indexing.mark_due(programs=queryset)
        elif model is Story and hasattr(indexing, "index_stories"):
            indexing.index_stories(queryset)
        elif model is Program and hasattr(indexing, "index_programs"):
            indexing.index_programs(queryset)
    except Exception:
        # The index can be rebuilt; an import must not fail for it.
        logger.exception("Could not reindex %s after an import", model.__name__)
