from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from programs.abstract import Publishable, PublishableQuerySet


class SearchEntryQuerySet(PublishableQuerySet):
    """`published()` exactly as for the items: an entry carries its item's
    status and publication times, so that a search reads this table alone."""


class SearchEntry(models.Model):
    """What readers can find a story or program by: its public text, cut into
    words. One row per item, rewritten whenever the item or anything that
    changes its public text is saved (search.signals).

    The terms are stored as text (space-separated) for the SQLite fallback and
    for ranking; PostgreSQL also keeps them as a tsvector with a GIN index
    (migration 0002), which is what queries match on there."""

    story = models.OneToOneField(
        "stories.Story",
        verbose_name=_("人物故事"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    program = models.OneToOneField(
        "programs.Program",
        verbose_name=_("扶贫项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=Publishable.Status,
        default=Publishable.Status.DRAFT,
    )
    published_at = models.DateTimeField(_("上线时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("下线时间"), null=True, blank=True)
    regions = models.TextField(
        _("所在地区"),
        blank=True,
        help_text=_("条目所在地区及其上级地区的编号，用于按地区筛选。"),
    )
    title_terms = models.TextField(_("标题词"), blank=True)
    lead_terms = models.TextField(_("导语或摘要词"), blank=True)
    body_terms = models.TextField(_("正文等其他词"), blank=True)
    vector = SearchVectorField(_("检索向量"), null=True, editable=False)
    refresh_after = models.DateTimeField(
        _("到时重建"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "到了这个时间就重建这一条：内容一保存就到期；同意到期撤回、"
            "相关项目定时上线时，公开文字不经保存也会变。"
        ),
    )
    version = models.PositiveIntegerField(
        _("变更次数"),
        default=0,
        help_text=_("每次标记重建加一；重建时若已变，说明期间又有修改，留待下次。"),
    )
    indexed_at = models.DateTimeField(_("索引时间"), auto_now=True)

    objects = SearchEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("搜索索引条目")
        verbose_name_plural = _("搜索索引条目")
        indexes = [
            # A common word's newest matches are found by walking this index.
            models.Index(fields=["-published_at"], name="search_entry_published_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(story__isnull=True, program__isnull=False)
                | models.Q(story__isnull=False, program__isnull=True),
                name="search_entry_is_for_one_item",
            ),
        ]

    def __str__(self) -> str:
        return str(self.story or self.program)
