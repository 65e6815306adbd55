"""Argon2PasswordHasher: argon2id, run in a worker thread."""

from __future__ import annotations

import asyncio
import inspect
import threading

import pytest
from argon2 import PasswordHasher

from oauthhandler.adapters.argon2_hasher import Argon2PasswordHasher


@pytest.fixture(scope="module")
def hasher() -> Argon2PasswordHasher:
    return Argon2PasswordHasher()


async def test_hash_is_argon2id(hasher: Argon2PasswordHasher) -> None:
    hashed = await hasher.hash("correct horse battery staple")

    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed


async def test_the_same_password_hashes_differently(hasher: Argon2PasswordHasher) -> None:
    assert await hasher.hash("pw") != await hasher.hash("pw")


async def test_verify_accepts_the_right_password_and_refuses_a_wrong_one(hasher: Argon2PasswordHasher) -> None:
    hashed = await hasher.hash("correct horse battery staple")

    assert await hasher.verify(hashed, "correct horse battery staple") is True
    assert await hasher.verify(hashed, "Correct horse battery staple") is False
    assert await hasher.verify(hashed, "") is False


async def test_verify_without_a_hash_is_false(hasher: Argon2PasswordHasher) -> None:
    assert await hasher.verify(None, "anything") is False
    assert await hasher.verify(None, "timing-equalizer, never a real password") is False


async def test_verify_of_a_malformed_hash_is_false(hasher: Argon2PasswordHasher) -> None:
    assert await hasher.verify("not-a-hash", "pw") is False
    assert await hasher.verify("$argon2id$v=19$m=1,t=1,p=1$broken", "pw") is False


async def test_hash_and_verify_are_awaitable_and_run_off_the_event_loop() -> None:
    loop_thread = threading.get_ident()
    seen: list[int] = []

    class _Recording(PasswordHasher):
        def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
            seen.append(threading.get_ident())
            return super().hash(password, salt=salt)

        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            seen.append(threading.get_ident())
            return super().verify(hash, password)

    hasher = Argon2PasswordHasher(_Recording())
    seen.clear()  # the constructor hashes its dummy synchronously

    pending = hasher.hash("pw")
    assert inspect.isawaitable(pending)
    hashed = await pending
    checking = hasher.verify(hashed, "pw")
    assert inspect.isawaitable(checking)
    assert await checking is True

    assert len(seen) == 2
    assert loop_thread not in seen


async def test_the_event_loop_keeps_running_while_hashing(hasher: Argon2PasswordHasher) -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    try:
        await asyncio.gather(*(hasher.hash(f"pw{i}") for i in range(4)))
    finally:
        ticker.cancel()
    assert ticks > 1
