"""The event envelope: encoding, the JSON Schema, and no personal data on the wire."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from consumers.envelope import InvalidEnvelope, decode, encode, envelope, event_id
from consumers.schema import EVENT_TYPES, SCHEMA
from domain.case import Case, case_id

TZ = ZoneInfo("Asia/Shanghai")
PHONE = "13912345678"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def lifecycle_events() -> list[Any]:
    """Every event type, produced by a real Case aggregate without any store."""
    t = datetime(2025, 9, 30, 9, 0, tzinfo=TZ)
    steps = iter(range(1, 100))

    def kw() -> dict[str, Any]:
        n = next(steps)
        return {"at": t + timedelta(hours=n), "by": "tester", "action_id": f"a{n}"}

    deadlines = {"claim": "2025-10-09T23:59:59.999999+08:00", "opinion": None,
                 "reply": "2025-10-16T23:59:59.999999+08:00", "policy": "p1",
                 "calendar": "c1", "provisional": False}
    case = Case(number="T-1", source="留言板", title="路灯不亮", content="晚上路灯不亮",
                category="反映", priority="一般", region="清河区",
                citizen={"name": "李四", "phone": PHONE}, **kw())
    case.assign("CGJ", ["HBJ"], deadlines, **kw())
    case.dispute("不属于本单位", "CGJ", **kw())
    case.assign("CGJ", [], deadlines, **kw())
    case.claim("CGJ", **kw())
    case.extend(3, "需要现场勘查", deadlines, 15, **kw())
    case.give_opinion("拟维修", "CGJ", **kw())
    case.revise_deadlines({**deadlines, "calendar": "c2"},
                          [{"year": 2025, "version": "office-2025@x", "source": "国办"}], **kw())
    case.supervise("督办", "请加快", t + timedelta(days=10), **kw())
    case.refer_accountability("CGJ", "拖延", **kw())
    case.submit_reply("已维修", "CGJ", **kw())
    case.send_back("答复不完整", deadlines, **kw())
    case.submit_reply("已维修并回访", "CGJ", **kw())
    case.publish_reply("已维修并回访", **kw())
    case.rate("满意", "电话回访", False, **kw())
    case.close(**kw())
    case.archive(**kw())
    case.erase_personal_data("市民申请删除", **kw())
    return list(case.collect_events())


def schema_errors(body: Any) -> list[str]:
    """Every message the JSON Schema validator reports for the body."""
    from jsonschema import Draft202012Validator

    return [e.message for e in Draft202012Validator(SCHEMA).iter_errors(body)]


def test_the_lifecycle_covers_every_event_type() -> None:
    types = {type(e).__qualname__.split(".")[-1] for e in lifecycle_events()}
    assert types == set(EVENT_TYPES)


def test_every_event_encodes_to_an_envelope_the_schema_accepts() -> None:
    for position, event in enumerate(lifecycle_events(), start=1):
        body = json.loads(encode(event, position, "T-1").value)
        assert schema_errors(body) == []
        assert decode(encode(event, position, "T-1").value) == body


def test_the_envelope_carries_ids_times_position_and_the_case_number() -> None:
    events = lifecycle_events()
    body = envelope(events[1], 42, "T-1")
    assert body["case_id"] == str(case_id("T-1"))
    assert body["case_number"] == "T-1"
    assert body["version"] == 2
    assert body["type"] == "Assigned"
    assert body["position"] == 42
    assert body["at"] == "2025-09-30T11:00:00+08:00"
    assert datetime.fromisoformat(body["recorded_at"]).tzinfo is not None
    assert body["payload"]["department"] == "CGJ"
    assert body["payload"]["co_departments"] == ["HBJ"]
    assert body["payload"]["holder"] == "CGJ"


def test_the_key_is_the_case_id_and_type_and_version_are_headers() -> None:
    message = encode(lifecycle_events()[4], 5, "T-1")
    headers = dict(message.headers)
    assert message.key == str(case_id("T-1")).encode()
    assert headers["type"] == b"Claimed"
    assert headers["version"] == b"5"
    assert headers["envelope_version"] == b"1"


def test_the_event_id_is_stable_and_differs_between_versions() -> None:
    first, second = lifecycle_events()[:2]
    again = envelope(first, 99, "T-1")
    assert envelope(first, 1, "T-1")["event_id"] == again["event_id"]
    assert again["event_id"] == str(event_id(case_id("T-1"), 1))
    assert envelope(second, 2, "T-1")["event_id"] != again["event_id"]


def test_the_citizen_never_leaves_the_store() -> None:
    registered = lifecycle_events()[0]
    assert registered.citizen["phone"] == PHONE
    message = encode(registered, 1, "T-1")
    assert PHONE.encode() not in message.value
    assert "李四".encode() not in message.value
    assert "citizen" not in json.loads(message.value)["payload"]
    assert "content" not in json.loads(message.value)["payload"]


def test_the_schema_rejects_an_envelope_with_a_citizen() -> None:
    body = envelope(lifecycle_events()[0], 1, "T-1")
    body["payload"]["citizen"] = {"name": "李四", "phone": PHONE}
    assert schema_errors(body)


def test_the_schema_rejects_a_payload_missing_its_type_fields() -> None:
    body = envelope(lifecycle_events()[1], 2, "T-1")
    del body["payload"]["department"]
    assert schema_errors(body)


def test_the_schema_rejects_unknown_envelope_versions_and_types() -> None:
    body = envelope(lifecycle_events()[4], 5, "T-1")
    assert schema_errors({**body, "envelope_version": 2})
    assert schema_errors({**body, "type": "Deleted"})
    assert schema_errors({**body, "extra": 1})


@pytest.mark.parametrize("raw", [None, b"", b"\xff\xfe", b"[]", b'{"type": "Claimed"}'])
def test_decoding_garbage_raises_invalid_envelope(raw: bytes | None) -> None:
    with pytest.raises(InvalidEnvelope):
        decode(raw)


def test_the_documented_schema_is_the_schema_in_the_code() -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```json schema\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1
    assert json.loads(blocks[0]) == json.loads(json.dumps(SCHEMA))


def test_the_documented_example_is_a_valid_envelope() -> None:
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```json example\n(.*?)```", text, flags=re.S)
    assert blocks
    for block in blocks:
        assert schema_errors(json.loads(block)) == []
