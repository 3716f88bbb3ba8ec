from __future__ import annotations

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from phongdich.accounts.models import Role, User
from phongdich.checkpoints.models import VenueStatus
from phongdich.core.siteurl import PortTaken, check_port_free, use_base_url
from phongdich.people.models import Person
from phongdich.portal.demo.accounts import (
    ADMIN_USERNAME,
    DemoAccount,
    ensure_demo_accounts,
    staff_venue,
)
from phongdich.portal.demo.campaigns import load_campaigns_demo
from phongdich.portal.demo.care import load_care_demo
from phongdich.portal.demo.loader import DemoError, DemoSummary, load_demo
from phongdich.portal.demo.outreach import load_outreach_demo
from phongdich.portal.demo.portal import ensure_portal_demo
from phongdich.portal.demo.risk import load_risk_demo
from phongdich.portal.demo.testing import TestingSummary, ensure_lab_and_keys, load_testing_demo
from phongdich.portal.demo.tracing import load_tracing_demo


class Command(BaseCommand):
    help = (
        "Try PhòngDịch with demo data for Thanh Hóa: migrate, load residents, checkpoints and "
        "visits into an empty database, create one account per role, print their passwords and "
        "serve. Reproducible: all times are based on a 'demo now' that is today (local time), so "
        "the same --seed on the same day gives the same people, checkpoints and past visits; "
        "today's visits are those of the day's plan that have begun by the time you run it. "
        "Passwords depend on the seed only. For trying out, never for production: the demo "
        "passwords are printed and predictable, and the command refuses a database that "
        "already holds people it did not create."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=2000, help="residents (default 2000)")
        parser.add_argument(
            "--days", type=int, default=14, help="full days of visits before today (default 14)"
        )
        parser.add_argument("--seed", type=int, default=38, help="random seed (default 38)")
        parser.add_argument(
            "--no-serve", action="store_true", help="load and print the accounts, then exit"
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, **opts):
        started = time.monotonic()
        self._check(opts)
        if not opts["no_serve"]:
            try:  # before minutes of loading, not after
                check_port_free(opts["host"], opts["port"])
            except PortTaken as taken:
                raise CommandError(str(taken)) from None
        _migrate_if_needed(self)
        # Links, posters and certificates made while loading point where this demo answers.
        base = use_base_url(opts["host"], opts["port"])
        has_people = Person.objects.exists()
        if has_people and not User.objects.filter(username=ADMIN_USERNAME).exists():
            raise CommandError(
                "Cơ sở dữ liệu này đã có dữ liệu thật (có người nhưng không có tài khoản demo): "
                "không tạo tài khoản demo với mật khẩu công khai. Hãy dùng một "
                "PHONGDICH_DATA_DIR trống. / This database holds people but no demo accounts; "
                "use an empty PHONGDICH_DATA_DIR."
            )
        if has_people:
            self.stdout.write(
                "Dữ liệu mẫu đã có: không tạo thêm (--people và --days bỏ qua; "
                "--seed chỉ đổi mật khẩu)."
            )
        else:
            self._load(opts)
        venue = staff_venue()
        accounts = ensure_demo_accounts(opts["seed"], venue)
        if not has_people:
            cared = load_care_demo(opts["seed"], timezone.now())
            self.stdout.write(
                f"  Chăm sóc tại nhà: {len(cared.patients)} người bệnh, {cared.reports} phiếu tự "
                f"theo dõi, {cared.open_alerts} cảnh báo chưa xử lý (demo_bacsi)."
            )
            self._load_risk(opts)
            calls = load_outreach_demo(opts["seed"], timezone.now())
            self.stdout.write(
                f"  Gọi tự động (console): {calls.planned} cuộc gọi cho F1/F2, {calls.waiting} chờ "
                f"sáng mai; kết quả {calls.outcomes} — xem /staff/outreach/ (demo_phuong, "
                "demo_tongdai)."
            )
        lab = ensure_lab_and_keys(User.objects.filter(username="demo_xetnghiem").first())
        testing = load_testing_demo(opts["seed"], timezone.now(), lab)
        self._print_accounts(accounts)
        # Links, posters and certificates point where this demo answers (unless
        # PHONGDICH_BASE_URL says otherwise).
        self._print_testing(base, testing)
        section_url = ensure_portal_demo(opts["seed"])
        self.stdout.write(
            f"Cổng thông tin phường: {base}{section_url} — biên tập tại {base}/cms/ "
            "(demo_bientap viết bài, demo_phuong duyệt)"
        )
        campaigns = load_campaigns_demo(timezone.now())
        self.stdout.write(
            f"Chiến dịch SMS: {base}/staff/campaigns/ — {len(campaigns)} chiến dịch "
            "(một đã gửi qua kênh console, một lên lịch sáng mai; demo_phuong)"
        )
        if venue is not None:
            self.stdout.write(
                f"Điểm kiểm dịch của demo_diemkd: {base}/staff/checkpoints/{venue.code}/"
            )
            self.stdout.write(
                f"Khai báo như người dân (mã QR trên áp phích): {base}/c/{venue.code}"
            )
        self.stdout.write(f"Bản đồ số kiểm soát dịch bệnh: {base}/ban-do-dich")
        self.stdout.write(
            f"Doanh nghiệp tự đánh giá: {base}/doanh-nghiep/dang-nhap (mã số thuế ở trên; "
            "mã đăng nhập hiện trong nhật ký của máy chủ)"
        )
        self.stdout.write(f"Xong sau {time.monotonic() - started:.1f} giây.")
        if not opts["no_serve"]:
            self.stdout.write(self.style.SUCCESS(f"Mở {base}/ — đăng nhập tại {base}/staff/login/"))
            call_command("serve", host=opts["host"], port=opts["port"])

    def _check(self, opts) -> None:
        if opts["people"] < 50:
            raise CommandError("--people: ít nhất 50 / at least 50.")
        if not 0 <= opts["days"] < settings.RETENTION_DAYS:
            raise CommandError(
                f"--days: từ 0 đến {settings.RETENTION_DAYS - 1} (PHONGDICH_RETENTION_DAYS); "
                "older visits would be purged at once."
            )

    def _load(self, opts) -> None:
        now = timezone.now()
        total = opts["people"] * (opts["days"] + 1)
        self.stdout.write(
            f"Đang tạo dữ liệu mẫu: {opts['people']} người, {opts['days']} ngày "
            f"trước hôm nay và hôm nay, seed {opts['seed']}…"
        )
        with _progress_bar(total, opts["verbosity"]) as bar:

            def progress(done: int, visits: int) -> None:
                bar.update(done - bar.n)
                bar.set_postfix_str(f"{visits} lượt check-in", refresh=False)

            try:
                summary = load_demo(opts["seed"], opts["people"], opts["days"], now, progress)
            except DemoError as error:
                raise CommandError(str(error)) from error
        self._print_summary(summary)
        self.stdout.write("Đang truy vết các ca bệnh minh họa (F0 → F1, F2)…")
        traced = load_tracing_demo(opts["seed"], now)
        self.stdout.write(
            f"  {len(traced.cases)} ca F0 (#{', #'.join(map(str, traced.cases))}), "
            f"{traced.contacts} người tiếp xúc; ổ dịch tại {traced.cluster_venue}."
        )

    def _load_risk(self, opts) -> None:
        self.stdout.write("Đang tính cấp độ dịch, tự đánh giá của doanh nghiệp…")
        risk = load_risk_demo(opts["seed"], timezone.now())
        levels = ", ".join(
            f"cấp {n}: {sum(1 for v in risk.levels.values() if v == n)}" for n in (1, 2, 3, 4)
        )
        self.stdout.write(
            f"  {len(risk.levels)} phường/xã ({levels}); {risk.pending} chờ chủ tịch phê duyệt; "
            f"{len(risk.businesses)} doanh nghiệp "
            f"({', '.join(f'{t}: {b}' for t, b in risk.businesses)}), "
            f"{risk.inspections} việc kiểm tra, {risk.fixes} yêu cầu khắc phục "
            f"({risk.overdue_fixes} quá hạn)."
        )

    def _print_summary(self, s: DemoSummary) -> None:
        labels = dict(VenueStatus.choices)
        venues = ", ".join(f"{n} {labels[status].lower()}" for status, n in s.venues.items() if n)
        self.stdout.write(
            f"  {s.people} người, {sum(s.venues.values())} điểm kiểm dịch ({venues}), "
            f"{s.visits} lượt check-in: {s.flagged} có triệu chứng/yếu tố dịch tễ, "
            f"{s.auto_checkouts} tự động check-out, {s.inside} người đang ở bên trong."
        )

    def _print_testing(self, base: str, t: TestingSummary) -> None:
        self.stdout.write(
            f"Phòng xét nghiệm của demo_xetnghiem: {t.lab} ({base}/staff/testing/lab/)"
        )
        if t.waiting_pool:
            self.stdout.write(
                f"  Mẫu gộp chờ nhập kết quả: {t.waiting_pool} (có ống {t.waiting_code} "
                f"của người sinh năm {t.waiting_birth_year})"
            )
        if t.to_receive:
            self.stdout.write(f"  Ống mẫu chờ nhận: {t.to_receive}")
        if t.lookup_code:
            self.stdout.write(
                f"Tra cứu kết quả như người dân: {base}/ket-qua — mã ống {t.lookup_code}, "
                f"năm sinh {t.lookup_birth_year}"
            )

    def _print_accounts(self, accounts: list[DemoAccount]) -> None:
        labels = dict(Role.choices)
        rows = [("Tài khoản", "Vai trò", "Địa bàn", "Mật khẩu")] + [
            (a.username, f"{a.role} ({labels.get(a.role, '')})", a.area, a.password)
            for a in accounts
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write("Tài khoản demo (mật khẩu suy ra từ seed, không bí mật):")
        for n, row in enumerate(rows):
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(f"  {line}".rstrip())
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        if not all(a.created for a in accounts):
            self.stdout.write("  (tài khoản đã có từ lần chạy trước: mật khẩu đã được đặt lại)")
        self.stdout.write("")


def _migrate_if_needed(command: BaseCommand) -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        command.stdout.write("Đang tạo/cập nhật cơ sở dữ liệu (migrate)…")
        call_command("migrate", interactive=False, verbosity=0)


def _progress_bar(total: int, verbosity: int):
    from tqdm import tqdm

    # Off when stderr is not a terminal (tests, logs) or with --verbosity 0.
    return tqdm(
        total=total,
        unit=" người·ngày",
        unit_scale=True,
        desc="Lượt ra vào",
        disable=None if verbosity else True,
        dynamic_ncols=True,
    )
