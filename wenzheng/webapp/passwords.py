"""Password hashing with scrypt (hashlib), constant-time checking, and the password policy."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from zxcvbn import zxcvbn

SCHEME = "scrypt"
N, R, P, LENGTH = 2**14, 8, 1, 32
MAX_MEMORY = 64 * 1024 * 1024
MIN_LENGTH, MIN_SCORE = 8, 3  # zxcvbn's score 0–4: 3 is "safely unguessable" (10^8 guesses)


def _b64(data: bytes) -> str:
    """URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    """Back from _b64."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str, salt: bytes | None = None) -> str:
    """'scrypt$N$r$p$salt$hash' of a password with a fresh 16-byte salt."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P,
                            maxmem=MAX_MEMORY, dklen=LENGTH)
    return f"{SCHEME}${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether the password matches a stored hash (False for a malformed hash)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = _unb64(digest)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r),
                                p=int(p), maxmem=MAX_MEMORY, dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a new password is refused (Chinese), or None when it may be used.

    Blank and whitespace-only passwords, ones under 8 characters, and ones zxcvbn scores below
    3 (common passwords, keyboard runs, the user's own name) are refused.
    """
    if not password.strip():
        return "密码不能为空或只有空白字符"
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符"
    result = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])
    if int(result["score"]) < MIN_SCORE:
        return (f"密码太容易被猜到（强度 {result['score']}/4，至少需要 {MIN_SCORE}）："
                "请勿使用常见密码、键盘序列、重复字符或用户名，建议使用较长的短语")
    return None
