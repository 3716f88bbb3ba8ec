"""The SMS channel: a gateway interface, a Kannel adapter, a console adapter for the demo,
text encoding and the bulk-sending policy (quiet hours, daily cap). No Django here.

Facts and sources: docs/reference/sms.md.
"""

from phongdich.lib.sms.console import ConsoleGateway, mask_phone
from phongdich.lib.sms.encoding import count_parts, needs_unicode, to_ascii
from phongdich.lib.sms.gateway import (
    DeliveryReport,
    DeliveryStatus,
    OutgoingSms,
    SendResult,
    SmsError,
    SmsGateway,
    SubmitStatus,
    new_message_id,
)
from phongdich.lib.sms.kannel import (
    InvalidDeliveryReport,
    KannelConfig,
    KannelGateway,
    parse_delivery_report,
)

__all__ = [
    "ConsoleGateway",
    "DeliveryReport",
    "DeliveryStatus",
    "InvalidDeliveryReport",
    "KannelConfig",
    "KannelGateway",
    "OutgoingSms",
    "SendResult",
    "SmsError",
    "SmsGateway",
    "SubmitStatus",
    "count_parts",
    "mask_phone",
    "needs_unicode",
    "new_message_id",
    "parse_delivery_report",
    "to_ascii",
]
