"""Token read path vs a bare Litestar endpoint, side by side in one run, on 127.0.0.1: `make bench`."""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.authserver import LoopbackAuthServer  # noqa: E402
from tests.support.developer import sign_up  # noqa: E402
from tests.support.service import ServiceProcess, clean_env  # noqa: E402
from tests.support.smtp import LoopbackSmtpServer, free_port  # noqa: E402

GOAL_PERCENT = 60.0
MAX_REQUESTS_PER_RUN = 500_000  # the Python generator's hard cap, on top of its deadline
TOKEN_PATH = "/api/v1/providers/{provider}/connections/{user}/token"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


@dataclass(frozen=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass(frozen=True)
class Target:
    name: str
    url: str
    headers: dict[str, str]


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def wrk_load(target: Target, seconds: float, connections: int) -> Result:
    """One wrk run (1 thread, so the single server worker keeps a core of its own on small machines)."""
    args = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "5s"]
    args += [arg for k, v in target.headers.items() for arg in ("-H", f"{k}: {v}")]
    done = subprocess.run([*args, target.url], capture_output=True, text=True, timeout=seconds + 30)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stdout}{done.stderr}")
    out = done.stdout
    pct = dict(re.findall(r"^\s+(\d+)%\s+(\S+)$", out, re.MULTILINE))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return Result(rps, _ms(pct["50"]), _ms(pct["99"]), errors)


async def _httpx_run(target: Target, seconds: float, connections: int) -> Result:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(headers=target.headers, limits=limits, timeout=5) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while (start := time.perf_counter()) < deadline and len(latencies) < MAX_REQUESTS_PER_RUN:
                try:
                    ok = (await client.get(target.url)).status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - start)
                errors += not ok

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Result(len(latencies) / elapsed, cuts[49] * 1e3, cuts[98] * 1e3, errors)


def httpx_load(target: Target, seconds: float, connections: int) -> Result:
    return asyncio.run(_httpx_run(target, seconds, connections))


def wait_ready(url: str, headers: dict[str, str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, headers=headers, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer 200 within {timeout}s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_baseline(stack: ExitStack) -> Target:
    port = free_port()
    granian = str(Path(sys.executable).with_name("granian"))
    args = ["--interface", "asgi", "--workers", "1", "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    proc = subprocess.Popen(
        [granian, *args, "--working-dir", str(ROOT / "bench"), "baseline_app:app"],
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    stack.callback(stop, proc)
    target = Target("baseline", f"http://127.0.0.1:{port}" + TOKEN_PATH.format(provider="p", user="u"), {})
    wait_ready(target.url, target.headers)
    return target


def start_subject(stack: ExitStack, tmp: Path) -> Target:
    """The real service with one verified developer, an API key and a connected end user with a fresh token."""
    smtp = LoopbackSmtpServer().start()
    stack.callback(smtp.stop)
    auth = LoopbackAuthServer().start()
    stack.callback(auth.stop)
    # Default settings but SMTP, which signup needs to deliver its verification mail.
    service = ServiceProcess(tmp / "data", smtp_host="127.0.0.1", smtp_port=str(smtp.port), smtp_from="b@example.test")
    stack.callback(service.stop)
    service.start()
    dev = sign_up(service, smtp)
    provider = dev.enable_loopback(auth)
    dev.connect(auth, provider, "bench-user")
    first = dev.token(provider, "bench-user")
    if first.status_code != 200 or first.json()["refreshed"]:
        raise RuntimeError(f"no fresh token to read: {first.status_code} {first.text}")
    path = TOKEN_PATH.format(provider=provider, user="bench-user")
    return Target("token read", service.base_url + path, {"Authorization": f"Bearer {dev.key}"})


def summarize(name: str, runs: list[Result]) -> tuple[float, str]:
    rps, errors, each = statistics.median(r.rps for r in runs), sum(r.errors for r in runs), [r.rps for r in runs]
    p50, p99 = statistics.median(r.p50_ms for r in runs), statistics.median(r.p99_ms for r in runs)
    return rps, f"{name:<12} {rps:>9.0f} {p50:>8.2f} {p99:>8.2f} {errors:>7}   " + " / ".join(f"{x:.0f}" for x in each)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up before each run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2, help="baseline/subject alternations (1-10)")
    opts = parser.parse_args()
    rounds = max(1, min(opts.rounds, 10))
    duration, warmup = min(opts.duration, 60.0), min(opts.warmup, 10.0)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind the ExitStack: stop every server
    wrk = shutil.which("wrk")
    load = wrk_load if wrk else httpx_load
    generator = "wrk 1 thread" if wrk else "Python asyncio+httpx (wrk not installed: slower, it caps the figures)"
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, machine: {os.cpu_count()} CPUs (nproc), {platform.platform()}")
    print(f"python {platform.python_version()}, litestar {version('litestar')}, granian {version('granian')}, ", end="")
    print(f"sqlalchemy {version('sqlalchemy')}, aiosqlite {version('aiosqlite')}, msgspec {version('msgspec')}")
    print(f"load: {generator}, {opts.connections} connections, {duration:g}s runs after {warmup:g}s warm-up, ", end="")
    print(f"{rounds} alternations, both servers granian 1 worker on 127.0.0.1")
    with tempfile.TemporaryDirectory(prefix="oauthhandler-bench-") as tmp, ExitStack() as stack:
        targets = [start_baseline(stack), start_subject(stack, Path(tmp))]
        results: dict[str, list[Result]] = {t.name: [] for t in targets}
        for n in range(rounds):
            for target in targets:
                load(target, warmup, opts.connections)
                result = load(target, duration, opts.connections)
                results[target.name].append(result)
                print(f"  round {n + 1} {target.name:<10} {result.rps:>8.0f} req/s  errors {result.errors}")
    print(f"\n{'':<12} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}   runs (req/s)")
    (base, base_line), (subject, subject_line) = (summarize(name, runs) for name, runs in results.items())
    print(f"{base_line}\n{subject_line}")
    ratio = 100 * subject / base if base else 0.0
    verdict = "meets" if ratio >= GOAL_PERCENT else "BELOW"
    print(f"\ntoken read / baseline = {ratio:.1f}% ({verdict} the goal of >= {GOAL_PERCENT:.0f}%)")
    if any(r.errors for runs in results.values() for r in runs):
        print("warning: some requests failed (non-2xx or socket errors); the figures above are suspect")
    if not wrk:
        print("warning: the Python generator saturates long before the baseline does; the ratio is not meaningful")


if __name__ == "__main__":
    main()
