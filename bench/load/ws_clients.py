"""The members' WebSocket clients: one socket per member, held through the run, in one asyncio process.

Run by bench/load/run.py. Tails `<run dir>/sockets.jsonl` (a ticket per member, written by the
locustfile right after the member signed in), connects `<ws url>?ticket=...` at once (tickets live 30 s)
and keeps the socket open, answering the server's pings, until `<run dir>/ws.stop` appears or SIGTERM
arrives; then closes every socket itself and writes `<run dir>/ws.json`:

    {"tickets", "opened", "refused", "failed", "drops", "held", "events", "eventsByType",
     "jobs": {jobId: last event type}, "dropReasons": {...}, "connectMs": [...]}

A drop is a socket that the server closed, or that failed, before the stop: the checklist wants 0.
Nothing is retried (a browser would reconnect; here a reconnect would hide the drop).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

MAX_SOCKETS = 5000


class Clients:
    def __init__(self, url: str, run_dir: Path, max_sockets: int, max_seconds: float) -> None:
        self.url, self.run_dir, self.max_sockets, self.max_seconds = url, run_dir, max_sockets, max_seconds
        self.stopping = asyncio.Event()
        self.tickets = self.opened = self.refused = self.failed = self.drops = 0
        self.events = 0
        self.by_type: Counter[str] = Counter()
        self.jobs: dict[str, str] = {}
        self.drop_reasons: Counter[str] = Counter()
        self.connect_ms: list[float] = []
        self.sockets: set[ClientConnection] = set()
        self.tasks: set[asyncio.Task[None]] = set()

    async def tail(self) -> None:
        path, offset, pending = self.run_dir / "sockets.jsonl", 0, b""
        parent, deadline = os.getppid(), time.monotonic() + self.max_seconds
        while not self.stopping.is_set():
            # Stop when told, when the driver is gone, or at the latest after --max-seconds.
            if (self.run_dir / "ws.stop").exists() or os.getppid() != parent or time.monotonic() > deadline:
                self.stopping.set()
                break
            if path.exists():
                with path.open("rb") as f:
                    f.seek(offset)
                    chunk = f.read()
                offset += len(chunk)
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    if line.strip() and self.tickets < self.max_sockets:
                        self.tickets += 1
                        task = asyncio.create_task(self.hold(json.loads(line)["ticket"]))
                        self.tasks.add(task)
                        task.add_done_callback(self.tasks.discard)
            await asyncio.sleep(0.1)

    async def hold(self, ticket: str) -> None:
        started = time.monotonic()
        try:
            ws = await connect(f"{self.url}?ticket={ticket}", open_timeout=30, max_queue=None)
        except Exception as exc:  # any failure to open is counted, by kind
            self.failed += 1
            self.drop_reasons[f"open: {type(exc).__name__}"] += 1
            return
        self.connect_ms.append((time.monotonic() - started) * 1000)
        self.sockets.add(ws)
        first = True
        try:
            async for frame in ws:
                message = json.loads(frame)
                kind = str(message.get("type"))
                if first:
                    first = False
                    self.opened += 1
                    if kind != "snapshot":
                        self.drop_reasons[f"first frame {kind}"] += 1
                    continue
                self.events += 1
                self.by_type[kind] += 1
                if message.get("jobId"):
                    self.jobs[str(message["jobId"])] = kind
        except ConnectionClosed:
            pass
        finally:
            self.sockets.discard(ws)
        if first and ws.close_code in (4401, 4403):
            self.refused += 1
            self.drop_reasons[f"refused {ws.close_code}"] += 1
        elif not self.stopping.is_set():
            self.drops += 1
            self.drop_reasons[f"closed {ws.close_code} {ws.close_reason or ''}".strip()] += 1

    async def run(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stopping.set)
        tail = asyncio.create_task(self.tail())
        await self.stopping.wait()
        await tail
        held = len(self.sockets)
        await asyncio.gather(*(ws.close() for ws in list(self.sockets)), return_exceptions=True)
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        return {
            "tickets": self.tickets, "opened": self.opened, "refused": self.refused, "failed": self.failed,
            "drops": self.drops, "held": held, "events": self.events, "eventsByType": dict(self.by_type),
            "jobs": self.jobs, "dropReasons": dict(self.drop_reasons), "connectMs": self.connect_ms,
        }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="ws://127.0.0.1:8001/ws/")
    parser.add_argument("--dir", required=True, type=Path, help="the run's directory")
    parser.add_argument("--max-sockets", type=int, default=MAX_SOCKETS)
    parser.add_argument("--max-seconds", type=float, default=3600, help="stop by itself after this long")
    args = parser.parse_args()
    result = asyncio.run(Clients(args.url, args.dir, args.max_sockets, args.max_seconds).run())
    tmp = args.dir / "ws.json.tmp"
    tmp.write_text(json.dumps(result))
    tmp.rename(args.dir / "ws.json")


if __name__ == "__main__":
    main()
