"""Signed checkpoints of the log's chain head (Ed25519): the anchors published outside the home."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from wenzheng.store.source import Source

SCHEME = "wenzheng-anchor-v1"
KEY_ENV = "WENZHENG_ANCHOR_KEY"
PUBLIC_ENV = "WENZHENG_ANCHOR_PUBLIC_KEY"
PRIVATE_NAME, PUBLIC_NAME = "anchor-private.pem", "anchor-public.pem"


class AnchorError(ValueError):
    """A key or checkpoint file that cannot be used (the message is Chinese)."""


def keygen(out: Path) -> tuple[Path, Path]:
    """A new key pair in a folder: the private key owner-only, the public key beside it."""
    out.mkdir(parents=True, exist_ok=True)
    private_path, public_path = out / PRIVATE_NAME, out / PUBLIC_NAME
    if private_path.exists():
        raise AnchorError(f"{private_path} 已存在，不会覆盖")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public_path.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return private_path, public_path


def key_id(public: Ed25519PublicKey) -> str:
    """The first 16 hex digits of SHA-256 of the raw public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_private(path: Path, home: Path | None = None) -> Ed25519PrivateKey:
    """The supervision office's signing key; refused when it lies inside the home."""
    path = path.expanduser()
    if home is not None and path.resolve().is_relative_to(home.resolve()):
        raise AnchorError(f"签名私钥 {path} 位于主目录内：私钥须由监督部门保管在主目录之外")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise AnchorError(f"无法读取签名私钥 {path}：{type(exc).__name__}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorError(f"{path} 不是 Ed25519 私钥")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    """A published verification key."""
    try:
        key = serialization.load_pem_public_key(path.expanduser().read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise AnchorError(f"无法读取公钥 {path}：{type(exc).__name__}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise AnchorError(f"{path} 不是 Ed25519 公钥")
    return key


def canonical(payload: dict[str, Any]) -> bytes:
    """The signed bytes: the checkpoint without its signature, keys sorted, no spaces."""
    body = {k: v for k, v in payload.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def heads_digest(case_heads: dict[str, list[Any]]) -> str:
    """SHA-256 over every case's (id, version, head hash), in case-id order."""
    h = hashlib.sha256(SCHEME.encode())
    for oid in sorted(case_heads):
        _number, version, digest = case_heads[oid]
        h.update(f"{oid}:{version}:{digest}\n".encode())
    return h.hexdigest()


def _case_number(state: bytes) -> str:
    """The case number in a Registered event's stored state, if it can be read."""
    try:
        return str(json.loads(state)["number"])
    except (ValueError, KeyError, TypeError):
        return ""


def log_state(env: dict[str, str]) -> dict[str, Any]:
    """The log as it stands: global head, counts and every case's head (unsigned)."""
    case_heads: dict[str, list[Any]] = {}
    position, head, events = 0, "", 0
    with Source(env) as source:
        for pos, _oid, _version, _digest, chain in source.links_by_position():
            position, head, events = pos, chain.hex(), events + 1
        for oid, version, _content, digest, pos in source.links_by_case():
            if pos <= position:  # events written meanwhile belong to the next checkpoint
                case_heads[oid.hex] = ["", version, digest.hex()]
        for oid, state in source.first_states():
            if oid.hex in case_heads:
                case_heads[oid.hex][0] = _case_number(state)
    return {"scheme": SCHEME, "position": position, "head": head, "events": events,
            "cases": len(case_heads), "case_heads_digest": heads_digest(case_heads),
            "case_heads": case_heads}


def sign(payload: dict[str, Any], key: Ed25519PrivateKey, at: datetime) -> dict[str, Any]:
    """The payload stamped with the time and key id, and signed."""
    signed = {**payload, "issued_at": at.isoformat(timespec="seconds"),
              "key_id": key_id(key.public_key())}
    signed["signature"] = base64.b64encode(key.sign(canonical(signed))).decode()
    return signed


def issue(env: dict[str, str], key: Ed25519PrivateKey, at: datetime, out: Path) -> Path:
    """Sign the current head and write the checkpoint file into a folder."""
    checkpoint = sign(log_state(env), key, at)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"anchor-{at.strftime('%Y%m%dT%H%M%S')}-{checkpoint['position']}.json"
    path.write_text(json.dumps(checkpoint, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def check_signature(checkpoint: dict[str, Any], public: Ed25519PublicKey) -> bool:
    """Whether the checkpoint was signed by this key and not changed since."""
    if checkpoint.get("key_id") != key_id(public):
        return False
    try:
        public.verify(base64.b64decode(str(checkpoint.get("signature", ""))), canonical(checkpoint))
    except (InvalidSignature, ValueError):
        return False
    return True


def read_checkpoints(path: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Checkpoint files: one file, or every anchor-*.json in a folder (recursively)."""
    if not path.exists():
        raise AnchorError(f"锚点文件或目录不存在：{path}")
    files = sorted(path.rglob("anchor-*.json")) if path.is_dir() else [path]
    found = []
    for file in files:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise AnchorError(f"锚点文件 {file} 无法读取：{type(exc).__name__}") from None
        if not isinstance(data, dict) or data.get("scheme") != SCHEME:
            raise AnchorError(f"{file} 不是问政日志锚点文件")
        found.append((file, data))
    if not found:
        raise AnchorError(f"{path} 中没有锚点文件（anchor-*.json）")
    return found


def summary_lines(checkpoint: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The checkpoint as (label, value) rows, as printed in every published bulletin."""
    return (("日志链头（SHA-256）", str(checkpoint.get("head", ""))),
            ("日志位置", str(checkpoint.get("position", ""))),
            ("事件数 / 案件数", f"{checkpoint.get('events', '')} / {checkpoint.get('cases', '')}"),
            ("各案件链头摘要", str(checkpoint.get("case_heads_digest", ""))),
            ("签发时间", str(checkpoint.get("issued_at", "（未签名）"))),
            ("签名密钥编号", str(checkpoint.get("key_id", "（未配置签名密钥）"))),
            ("Ed25519 签名", str(checkpoint.get("signature", "（未签名）"))))
