"""The key-encryption key (KEK) that wraps every case key; held outside the home by default."""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEK_ENV, KEK_FILE_ENV = "WENZHENG_KEK", "WENZHENG_KEK_FILE"
DEMO_KEK_NAME = "demo.kek"  # written only by `wenzheng demo`, for a demonstration home


class KekError(Exception):
    """The KEK is missing, malformed or not the one that wrapped the stored keys."""


def parse_kek(text: str) -> bytes:
    """32 bytes from 64 hexadecimal digits or from base64 (standard or URL-safe)."""
    text = text.strip()
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else base64.urlsafe_b64decode(
            text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != 32:
        raise KekError("密钥加密密钥格式错误：须为 32 字节（64 位十六进制或 base64），"
                       "可用 `wenzheng kek new` 生成")
    return raw


def new_kek_text() -> str:
    """A fresh KEK as URL-safe base64 text."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode("ascii")


def load_kek(env: Mapping[str, str]) -> bytes:
    """The KEK from WENZHENG_KEK, else the file named by WENZHENG_KEK_FILE; KekError if neither."""
    if env.get(KEK_ENV, "").strip():
        return parse_kek(env[KEK_ENV])
    path = env.get(KEK_FILE_ENV, "").strip()
    if not path:
        raise KekError(f"未配置密钥加密密钥：请设置环境变量 {KEK_ENV} 或 {KEK_FILE_ENV}"
                       "（见 docs/integrity.md“个人信息密钥的保管”）")
    try:
        return parse_kek(Path(path).read_text(encoding="ascii"))
    except (OSError, UnicodeDecodeError):
        raise KekError(f"无法读取密钥加密密钥文件（{KEK_FILE_ENV}）：{path}") from None


def write_kek_file(path: Path) -> bool:
    """Create an owner-only KEK file if there is none; True if it was created."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(new_kek_text() + "\n")
    return True


def wrap(kek: bytes, originator_id: UUID, key: bytes) -> bytes:
    """The case key encrypted under the KEK, bound to the case's id."""
    nonce = os.urandom(12)
    return nonce + AESGCM(kek).encrypt(nonce, key, originator_id.bytes)


def unwrap(kek: bytes, originator_id: UUID, blob: bytes) -> bytes:
    """The case key from its wrapped form; KekError when the KEK is not the one that wrapped it."""
    try:
        return AESGCM(kek).decrypt(blob[:12], blob[12:], originator_id.bytes)
    except InvalidTag:
        raise KekError("密钥加密密钥与保存案件密钥时所用的不符，无法解开个人信息") from None
