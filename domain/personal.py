"""Citizens' personal data sealed with a per-case key (AES-GCM), so destroying the key erases it."""

from __future__ import annotations

import base64
import json
import os
from typing import Any, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "wz-sealed-v1:"
ERASED = "已删除（个人信息已依申请销毁）"


class KeyVault(Protocol):
    """Where case keys live: beside the events, written in the same transaction."""

    def case_key(self, originator_id: UUID) -> bytes | None:
        """The case's key, or None once erased."""


class MemoryVault:
    """Case keys for the in-memory store (eventsourcing.popo)."""

    def __init__(self) -> None:
        self.keys: dict[UUID, bytes | None] = {}

    def case_key(self, originator_id: UUID) -> bytes | None:
        """The case's key, or None once erased."""
        return self.keys.get(originator_id)


def new_key() -> bytes:
    """A fresh 256-bit case key."""
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, number: str, value: Any) -> str:
    """Encrypt a JSON value, bound to the case number."""
    nonce = os.urandom(12)
    plain = json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")
    sealed = AESGCM(key).encrypt(nonce, plain, number.encode("utf-8"))
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def is_sealed(value: Any) -> bool:
    """Whether a stored value is a sealed token."""
    return isinstance(value, str) and value.startswith(PREFIX)


def unseal(key: bytes, number: str, token: str) -> Any:
    """Decrypt a sealed token; raises ValueError when it is not this case's or was altered."""
    raw = base64.b64decode(token[len(PREFIX):])
    try:
        plain = AESGCM(key).decrypt(raw[:12], raw[12:], number.encode("utf-8"))
    except InvalidTag:
        raise ValueError(f"案件 {number} 的个人信息密文无法解密（密钥不符或密文被改动）") from None
    return json.loads(plain)
