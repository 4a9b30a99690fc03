"""The projector's quick envelope check only ever vouches for what the JSON Schema accepts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consumers.envelope import InvalidEnvelope, encode
from consumers.envelope_check import decode_message, surely_valid
from tests.unit.test_envelope import lifecycle_events, schema_errors

BODIES = [json.loads(encode(e, i + 1, "T-1").value) for i, e in enumerate(lifecycle_events())]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False)
    | st.sampled_from(["", "x", "Assigned", "满意", "2025-10-01T09:00:00+08:00",
                       "00000000-0000-0000-0000-000000000000"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                max_size=3),
    max_leaves=6)


def test_every_real_envelope_takes_the_quick_path() -> None:
    assert len({b["type"] for b in BODIES}) >= 15
    assert all(surely_valid(b) for b in BODIES)
    assert all(not schema_errors(b) for b in BODIES)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(BODIES), st.booleans(), st.text(max_size=12), json_values,
       st.booleans())
def test_a_body_the_quick_check_accepts_is_one_the_schema_accepts(
    body: dict[str, Any], in_payload: bool, key: str, value: Any, delete: bool
) -> None:
    changed = json.loads(json.dumps(body))
    target = changed["payload"] if in_payload else changed
    names = sorted(target)
    name = names[len(key) % len(names)] if delete or not key else key
    if delete:
        target.pop(name, None)
    else:
        target[name] = value
    if surely_valid(changed):
        assert schema_errors(changed) == []


@pytest.mark.parametrize("raw", [b"", b"{", b'{"a": NaN}', b"\xff\xfe", b"[]"])
def test_a_message_that_is_not_an_envelope_is_refused_with_the_schema_s_words(raw: bytes
                                                                             ) -> None:
    with pytest.raises(InvalidEnvelope):
        decode_message(raw)


def test_a_valid_message_decodes_to_the_same_body_either_way() -> None:
    for body in BODIES:
        raw = json.dumps(body, ensure_ascii=False).encode()
        assert decode_message(raw) == body
