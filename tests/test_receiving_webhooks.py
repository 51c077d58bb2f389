"""docs/receiving-webhooks.md, executed: each framework example is written out, imported and driven
with the framework's own test client, as a vendor would call it.

Expected results come from the D7 and InnoPaaS vendor pages: D7's DLR body with ``"status":
"delivered"`` is the canonical final ``delivered`` (docs/vendors/d7.md, status table), D7's push
carries no credentials, and an InnoPaaS push whose ``pswd`` differs from the configured one is
rejected (docs/vendors/innopaas.md, credentials).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import smsstatus

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "receiving-webhooks.md"
_EXAMPLE = re.compile(
    r"<!--\s*example:\s*(?P<name>[a-z]+)\s*-->\s*\n```python\n(?P<code>.*?)^```", re.S | re.M
)
PUBLIC = "https://hooks.example.com"
MESSAGE_ID = "d9835609-a4e0-10ea-a26a-eeafbe700fef"
D7_DELIVERED = {
    "request_id": MESSAGE_ID,
    "msg_id": MESSAGE_ID,
    "recipient": "+971576545600",
    "originator": "SMSInfo",
    "status": "delivered",
}
INNOPAAS_EXAMPLE = json.loads((ROOT / "plugins" / "innopaas" / "examples" / "push.json").read_text())


def examples() -> dict[str, str]:
    return {m.group("name"): m.group("code") for m in _EXAMPLE.finditer(DOC.read_text())}


def test_the_page_has_the_three_examples() -> None:
    assert set(examples()) == {"flask", "django", "fastapi", "mount"}


@pytest.fixture
def load_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], ModuleType]]:
    monkeypatch.setenv("SMSSTATUS_DB", f"sqlite:///{tmp_path / 'example.sqlite3'}")
    monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC)
    monkeypatch.setenv("SMSSTATUS_INNOPAAS_RECEIVER", "account")
    monkeypatch.setenv("SMSSTATUS_INNOPAAS_PSWD", "the-right-password")
    monkeypatch.setenv("SMSSTATUS_VENDORS", "d7,innopaas")
    loaded: list[str] = []

    def load(name: str) -> ModuleType:
        module_name = f"receiving_webhooks_{name}_example"
        path = tmp_path / f"{module_name}.py"
        path.write_text(examples()[name])
        spec = importlib.util.spec_from_file_location(module_name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        loaded.append(module_name)
        spec.loader.exec_module(module)
        return module

    yield load
    for name in loaded:
        module = sys.modules.pop(name)
        tracker = module.tracker
        getattr(tracker, "tracker", tracker).store.close()


def spy_on_pushes(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> list[smsstatus.PushRequest]:
    seen: list[smsstatus.PushRequest] = []
    original = module.registry.parse_push

    def parse_push(vendor: str, push: smsstatus.PushRequest, credentials: Any = None) -> smsstatus.PushResult:
        seen.append(push)
        return original(vendor, push, credentials)

    monkeypatch.setattr(module.registry, "parse_push", parse_push)
    return seen


def stored_status(module: ModuleType) -> tuple[str | None, bool]:
    tracker = getattr(module.tracker, "tracker", module.tracker)
    [record] = tracker.message("d7", MESSAGE_ID)
    return (record.status.value if record.status else None), record.final


class Answer:
    def __init__(self, status: int, body: bytes) -> None:
        self.status, self.body = status, body


def flask_post(module: ModuleType, path: str, body: bytes, content_type: str) -> Answer:
    response = module.app.test_client().post(path, data=body, content_type=content_type)
    return Answer(response.status_code, response.get_data())


def fastapi_post(module: ModuleType, path: str, body: bytes, content_type: str) -> Answer:
    from fastapi.testclient import TestClient

    with TestClient(module.app) as client:
        response = client.post(path, content=body, headers={"Content-Type": content_type})
    return Answer(response.status_code, response.content)


def django_post(module: ModuleType, path: str, body: bytes, content_type: str) -> Answer:
    from django.test import Client

    response = Client().post(path, data=body, content_type=content_type)
    return Answer(response.status_code, response.content)


@pytest.fixture(scope="module")
def django_configured() -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            ROOT_URLCONF="receiving_webhooks_django_example",
            ALLOWED_HOSTS=["testserver"],
            MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
            SECRET_KEY="tests-only",
            DEBUG=False,
        )
        django.setup()


POSTERS = {"flask": flask_post, "django": django_post, "fastapi": fastapi_post}


@pytest.fixture(params=sorted(POSTERS))
def framework(request: pytest.FixtureRequest) -> str:
    if request.param == "django":
        request.getfixturevalue("django_configured")
    name: str = request.param
    return name


def test_a_push_is_stored_and_answered(
    framework: str, load_example: Callable[[str], ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = load_example(framework)
    pushes = spy_on_pushes(module, monkeypatch)
    body = json.dumps(D7_DELIVERED).encode()
    answer = POSTERS[framework](module, "/sms/status/d7?tag=a%2Fb", body, "application/json")
    assert answer.status == 200
    assert stored_status(module) == ("delivered", True)
    [push] = pushes
    # The public URL as the vendor called it: configured base, raw path, query with its escapes.
    assert push.url == f"{PUBLIC}/sms/status/d7?tag=a%2Fb"
    assert push.body == body and push.content_type == "application/json"


def test_bad_pushes_get_the_documented_answers(
    framework: str, load_example: Callable[[str], ModuleType]
) -> None:
    module = load_example(framework)
    post = POSTERS[framework]
    assert post(module, "/sms/status/nosuch", b"{}", "application/json").status == 404
    not_json = post(module, "/sms/status/d7", b"{not json", "application/json")
    assert not_json.status == 400
    wrong_password = json.dumps({**INNOPAAS_EXAMPLE, "pswd": "a-wrong-password"}).encode()
    assert post(module, "/sms/status/innopaas", wrong_password, "application/json").status == 401


def test_fastapi_reads_the_status_back_as_json(load_example: Callable[[str], ModuleType]) -> None:
    from fastapi.testclient import TestClient

    module = load_example("fastapi")
    with TestClient(module.app) as client:
        pushed = client.post("/sms/status/d7", content=json.dumps(D7_DELIVERED).encode())
        assert pushed.status_code == 200
        [record] = client.get(f"/sms/d7/{MESSAGE_ID}").json()
        assert client.get("/sms/d7/never-sent").status_code == 404
    assert record["key"]["message_id"] == MESSAGE_ID
    assert (record["status"], record["final"]) == ("delivered", True)
    assert record["history"][0]["report"]["vendor_status"] == "delivered"


def test_the_mounted_receiver_stores_and_answers(load_example: Callable[[str], ModuleType]) -> None:
    from fastapi.testclient import TestClient

    module = load_example("mount")
    with TestClient(module.app) as client:
        pushed = client.post("/webhooks/d7", content=json.dumps(D7_DELIVERED).encode())
        assert pushed.status_code == 200
        assert client.get(f"/sms/d7/{MESSAGE_ID}/status").json() == {"status": "delivered"}
