from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from privacy.audit import audit


class Command(BaseCommand):
    help = _(
        "以匿名读者的身份读遍网站的每一个公开输出（页面、筛选、订阅、网站地图、"
        "下载、搜索、分享信息、媒体文件），并检查已发布的内容和工作人员的权限，"
        "列出每一处超出当事人同意范围显示的人名；有问题时以非零状态退出。"
        "导入或批量修改之后运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=5000, help=_("最多读多少个页面（默认5000）")
        )
        parser.add_argument(
            "--no-search", action="store_true", help=_("不逐个搜索受保护的人名")
        )

    def handle(self, *args, limit, no_search, **options):
        findings = audit(limit=limit, search=not no_search)
        for finding in findings:
            self.stdout.write(str(finding))
        with translation.override(settings.LANGUAGE_CODE):
            if findings:
                raise CommandError(
                    _("发现 %(n)d 处问题：以上每一行是地址和问题。")
                    % {"n": len(findings)}
                )
            self.stdout.write(self.style.SUCCESS(_("没有发现超出同意范围显示的人名。")))
