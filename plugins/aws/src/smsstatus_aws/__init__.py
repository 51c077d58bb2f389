"""smsstatus vendor plugin for AWS End User Messaging SMS (pinpoint-sms-voice-v2).

Push: the configuration set's delivery events, however they arrive: through
an SNS HTTPS subscription (signature verified against SNS's certificate,
topic checked, subscription confirmed), a Data Firehose HTTP endpoint
(access key checked, the documented JSON reply), EventBridge (``detail``), or
as the raw event. No fetch: the service has no per-message status API.
See ``docs/vendors/aws.md`` for the mapping and every assumption.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import TYPE_CHECKING

from smsstatus.plugin import Capability, CredentialSpec, VendorInfo, hookimpl, on_first_call

from .mapping import DOCUMENTED, map_value

if TYPE_CHECKING:
    from smsstatus.plugin import Credentials, HttpClient, MappedStatus, PushRequest, PushResult

__all__ = ["INFO", "SMSSTATUS_PLUGIN_API", "vendor_info", "parse_push", "map_status"]

#: The plugin API (smsstatus.plugin) this plugin is written for: 1.2 for parse_push's client, 1.3 for the lean path.
SMSSTATUS_PLUGIN_API = "1.5"
VENDOR = "aws"

INFO = VendorInfo(
    id=VENDOR,
    display_name="AWS End User Messaging SMS",
    capabilities=frozenset({Capability.PUSH}),
    statuses=DOCUMENTED,
    credentials=(
        CredentialSpec(
            name="topic_arn",
            used_for="push",
            description="The SNS topic ARN(s) the events come from, comma-separated. SNS messages from any "
            "other topic are refused, and only these topics' subscriptions are confirmed",
            secret=False,
            required=False,
        ),
        CredentialSpec(
            name="firehose_access_key",
            used_for="push",
            description="The access key of the Data Firehose HTTP endpoint destination: when set, every "
            "Firehose request must carry it in X-Amz-Firehose-Access-Key",
            secret=True,
            required=False,
        ),
        CredentialSpec(
            name="api_key",
            used_for="push",
            description="For EventBridge API destinations and raw events: when set, the request must carry "
            "it in the header named by api_key_header",
            secret=True,
            required=False,
        ),
        CredentialSpec(
            name="api_key_header",
            used_for="push",
            description="The header that carries api_key (default x-api-key)",
            secret=False,
            required=False,
        ),
    ),
    schemas=files("smsstatus_aws") / "schemas",
    fixtures=files("smsstatus_aws") / "fixtures",
    docs_url="https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-types.html",
    # Events of one Firehose request, in its records together (push.MAX_RECORDS):
    # a buffer of up to 64 MiB of small events; SNS and EventBridge carry one.
    max_batch=10_000,
)


@hookimpl
def vendor_info() -> VendorInfo:
    return INFO


@on_first_call
def _parse() -> Callable[[str, PushRequest, Credentials, HttpClient], PushResult]:
    from .push import parse

    return parse


@hookimpl
def parse_push(vendor: str, request: PushRequest, credentials: Credentials, client: HttpClient) -> PushResult:
    return _parse(vendor, request, credentials, client)


@hookimpl
def map_status(status: str, code: str | None) -> MappedStatus:
    return map_value(status, code)
