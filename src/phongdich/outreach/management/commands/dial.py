from django.core.management.base import BaseCommand

from phongdich.outreach.dialer import dial_due


class Command(BaseCommand):
    help = (
        "Place the robot calls that are due now through the configured adapter "
        "(PHONGDICH_CALL_ADAPTER: console or sip) and write their answers back; "
        "the worker does this every 20 seconds."
    )

    def handle(self, *args, **opts):
        report = dial_due()
        self.stdout.write(
            f"Đã gọi {report.placed} cuộc, ghi {report.recorded} kết quả {report.outcomes}; "
            f"lỗi ghi: {report.errors}. / Placed {report.placed}, recorded {report.recorded}."
        )
