"""Signed checkpoints: any change to a signed field, or another key, fails the signature."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from wenzheng.store.anchor import SCHEME, check_signature, heads_digest, key_id, sign, summary_lines

AT = datetime(2026, 1, 5, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def payload() -> dict[str, object]:
    """An unsigned checkpoint of a two-case log."""
    heads = {"a" * 32: ["T-A", 4, "1" * 64], "b" * 32: ["T-B", 2, "2" * 64]}
    return {"scheme": SCHEME, "position": 6, "head": "f" * 64, "events": 6, "cases": 2,
            "case_heads_digest": heads_digest(heads), "case_heads": heads}


def test_a_signed_checkpoint_verifies_with_its_key_and_names_the_key() -> None:
    key = Ed25519PrivateKey.generate()
    signed = sign(payload(), key, AT)
    assert check_signature(signed, key.public_key())
    assert signed["key_id"] == key_id(key.public_key()) and signed["issued_at"].startswith("2026")


@pytest.mark.parametrize("field,value", [("head", "e" * 64), ("position", 5), ("events", 5),
                                         ("issued_at", "2026-01-06T09:00:00+08:00")])
def test_changing_any_signed_field_breaks_the_signature(field: str, value: object) -> None:
    key = Ed25519PrivateKey.generate()
    signed = sign(payload(), key, AT)
    assert not check_signature({**signed, field: value}, key.public_key())


def test_removing_a_case_head_breaks_the_signature() -> None:
    key = Ed25519PrivateKey.generate()
    signed = sign(payload(), key, AT)
    heads = dict(signed["case_heads"])
    heads.pop("b" * 32)
    assert not check_signature({**signed, "case_heads": heads}, key.public_key())


def test_a_checkpoint_signed_by_another_key_is_refused() -> None:
    forger, office = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    assert not check_signature(sign(payload(), forger, AT), office.public_key())


def test_the_case_heads_digest_does_not_depend_on_order_but_on_every_head() -> None:
    heads = {"a" * 32: ["T-A", 4, "1" * 64], "b" * 32: ["T-B", 2, "2" * 64]}
    reordered = dict(reversed(list(heads.items())))
    assert heads_digest(heads) == heads_digest(reordered)
    assert heads_digest(heads) != heads_digest({**heads, "b" * 32: ["T-B", 1, "2" * 64]})


def test_the_printed_summary_names_head_position_time_key_and_signature() -> None:
    key = Ed25519PrivateKey.generate()
    signed = sign(payload(), key, AT)
    lines = dict(summary_lines(signed))
    assert lines["日志链头（SHA-256）"] == "f" * 64 and lines["日志位置"] == "6"
    assert lines["签名密钥编号"] == signed["key_id"]
    assert lines["Ed25519 签名"] == signed["signature"]
    assert lines["签发时间"] == signed["issued_at"]
