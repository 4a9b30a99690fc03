"""Citizens' personal data sealed with a per-case key (AES-GCM), so destroying the key erases it."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "wz-sealed-v1:"


class MemoryVault:
    """Case keys for the in-memory store (eventsourcing.popo)."""

    def __init__(self) -> None:
        self.keys: dict[UUID, list[bytes]] = {}

    def store_keys(self, keys: Mapping[UUID, bytes]) -> None:
        """Keep new cases' keys."""
        for oid, key in keys.items():
            self.keys.setdefault(oid, []).append(key)

    def case_keys(self, originator_id: UUID) -> list[bytes]:
        """Every key kept for the case; none once erased."""
        return list(self.keys.get(originator_id, []))

    def destroy(self, originator_id: UUID, at: str, reason: str) -> None:
        """Forget the case's keys."""
        self.keys.pop(originator_id, None)

    def close(self) -> None:
        """Nothing to release."""


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


def unseal(key: bytes | list[bytes], number: str, token: str) -> Any:
    """Decrypt a sealed token with the (or any of the) case's keys; ValueError if none opens it."""
    raw = base64.b64decode(token[len(PREFIX):])
    for one in key if isinstance(key, list) else [key]:
        try:
            plain = AESGCM(one).decrypt(raw[:12], raw[12:], number.encode("utf-8"))
        except InvalidTag:
            continue
        return json.loads(plain)
    raise ValueError(f"案件 {number} 的个人信息密文无法解密（密钥不符或密文被改动）")
