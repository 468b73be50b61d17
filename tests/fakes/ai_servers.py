"""Fake OpenAI and Anthropic servers: real HTTP on 127.0.0.1 speaking the chat-completions and
messages protocols (usage fields included), so tests drive the real `openai` / `anthropic` SDKs.

Controllable from the test:
    fake.fail_next("500", times=3)      # "429", "500", "529", "400", "401", "context", "invalid_json", "slow"
    fake.reply = lambda body: '{"a": 1}'  # the assistant text (a str or a function of the request body)
    fake.tpm_limit, fake.rpm_limit, fake.window_seconds   # enforced like the provider does
Counted: fake.calls (requests answered 200), fake.requests (every request body), fake.over_limit (429s
because of TPM/RPM), fake.status_counts.

Rate limits are charged the way OpenAI documents it: at arrival, input tokens + max_tokens; when the
answer is produced the charge is corrected to input + output tokens. Tokens are counted here with a
word/punctuation split plus a per-message overhead (the gateway does not know this rule; it estimates).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

TOKEN_RE = re.compile(r"\w+|[^\w\s]")
MESSAGE_OVERHEAD = 4
REPLY_OVERHEAD = 3


def count_tokens(text: str) -> int:
    return len(TOKEN_RE.findall(text))


class FakeAIServer:
    """Base: HTTP plumbing, failure script, limits and counters. Subclasses speak one protocol."""

    protocol = ""
    path = ""
    api_key = "test-key"

    def __init__(self, *, tpm_limit: int | None = None, rpm_limit: int | None = None, window_seconds: float = 60.0):
        self.tpm_limit = tpm_limit
        self.rpm_limit = rpm_limit
        self.window_seconds = window_seconds
        self.reply: str | Callable[[dict[str, Any]], str] = '{"ok": true}'
        self.slow_seconds = 5.0
        self.calls = 0
        self.over_limit = 0
        self.requests: list[dict[str, Any]] = []
        self.status_counts: Counter[int] = Counter()
        self.peak_window_tokens = 0
        self.accepted: list[tuple[float, str]] = []  # (arrival on time.monotonic(), request id), for benches
        self._charged: dict[str, int] = {}  # request id -> tokens finally charged
        self._script: deque[str] = deque()
        self._always: str | None = None
        self._window: dict[str, tuple[float, int]] = {}  # request id -> (arrival, charged tokens)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- control -----------------------------------------------------------------------------
    def fail_next(self, kind: str, times: int = 1) -> None:
        with self._lock:
            self._script.extend([kind] * times)

    def fail_always(self, kind: str | None) -> None:
        self._always = kind

    def reset_counters(self) -> None:
        with self._lock:
            self.calls = self.over_limit = self.peak_window_tokens = 0
            self.requests.clear()
            self.status_counts.clear()
            self._window.clear()
            self.accepted.clear()
            self._charged.clear()

    def accepted_tokens(self) -> list[tuple[float, int]]:
        """(arrival, tokens charged) of every answered request."""
        with self._lock:
            return [(at, self._charged.get(rid, 0)) for at, rid in self.accepted]

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                lowered = {name.lower(): value for name, value in self.headers.items()}
                status, body, headers = fake._handle(self.path, lowered, raw)
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- request handling --------------------------------------------------------------------
    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any, dict[str, str]]:
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self._answer(400, self.error_body("invalid_request_error", "Body is not JSON."))
        with self._lock:
            self.requests.append(body)
        if path.rstrip("/") != self.path:
            return self._answer(404, self.error_body("not_found_error", f"No route {path}"))
        if not self.authorized(headers):
            return self._answer(401, self.error_body("authentication_error", "Invalid API key."))
        with self._lock:
            kind = self._script.popleft() if self._script else self._always
        if kind == "slow":
            time.sleep(self.slow_seconds)
        elif kind in ("429", "500", "529", "400", "401"):
            return self._answer(int(kind), self.error_body(self.error_type(int(kind)), f"Scripted {kind}."))
        elif kind == "context":
            return self._answer(400, self.context_error_body())
        elif kind == "invalid_json":
            return self._answer(200, b'{"id": "broken", "choices": [ this is not json')

        input_tokens = self.input_tokens(body)
        max_tokens = int(body.get("max_tokens") or body.get("max_completion_tokens") or 4096)
        request_id = uuid.uuid4().hex
        if not self._charge(request_id, input_tokens + max_tokens):
            return self._answer(
                429,
                self.error_body("rate_limit_error", "Rate limit reached (tokens per minute)."),
                {"retry-after": "1"},
            )
        reply = self.reply(body) if callable(self.reply) else self.reply
        output_tokens = min(count_tokens(reply), max_tokens)
        with self._lock:
            if request_id in self._window:
                self._window[request_id] = (self._window[request_id][0], input_tokens + output_tokens)
            self._charged[request_id] = input_tokens + output_tokens
            self.calls += 1
        return self._answer(200, self.success_body(body, reply, input_tokens, output_tokens))

    def _charge(self, request_id: str, tokens: int) -> bool:
        with self._lock:
            now = time.monotonic()
            for rid, (at, _) in list(self._window.items()):
                if at <= now - self.window_seconds:
                    del self._window[rid]
            used = sum(charged for _, charged in self._window.values())
            over_tokens = self.tpm_limit is not None and used + tokens > self.tpm_limit
            over_requests = self.rpm_limit is not None and len(self._window) + 1 > self.rpm_limit
            if over_tokens or over_requests:
                self.over_limit += 1
                return False
            self._window[request_id] = (now, tokens)
            self.accepted.append((now, request_id))
            self.peak_window_tokens = max(self.peak_window_tokens, used + tokens)
            return True

    def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            self.status_counts[status] += 1
        return status, body, headers or {}

    # --- protocol specifics ------------------------------------------------------------------
    def authorized(self, headers: dict[str, str]) -> bool:
        raise NotImplementedError

    def input_tokens(self, body: dict[str, Any]) -> int:
        raise NotImplementedError

    def success_body(self, body: dict[str, Any], reply: str, input_tokens: int, output_tokens: int) -> dict[str, Any]:
        raise NotImplementedError

    def error_body(self, error_type: str, message: str) -> dict[str, Any]:
        raise NotImplementedError

    def context_error_body(self) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def error_type(status: int) -> str:
        return {400: "invalid_request_error", 401: "authentication_error", 429: "rate_limit_error"}.get(
            status, "api_error"
        )


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content or [] if isinstance(part, dict))


class FakeOpenAI(FakeAIServer):
    """POST /v1/chat/completions."""

    protocol = "openai"
    path = "/v1/chat/completions"

    def authorized(self, headers: dict[str, str]) -> bool:
        return headers.get("authorization") == f"Bearer {self.api_key}"

    def input_tokens(self, body: dict[str, Any]) -> int:
        messages = body.get("messages") or []
        return sum(count_tokens(_text_of(m.get("content"))) + MESSAGE_OVERHEAD for m in messages) + REPLY_OVERHEAD

    def success_body(self, body: dict[str, Any], reply: str, input_tokens: int, output_tokens: int) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", ""),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": input_tokens,
                "completion_tokens": output_tokens,
                "total_tokens": input_tokens + output_tokens,
            },
        }

    def error_body(self, error_type: str, message: str) -> dict[str, Any]:
        return {"error": {"message": message, "type": error_type, "param": None, "code": None}}

    def context_error_body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": "This model's maximum context length is 128000 tokens.",
                "type": "invalid_request_error",
                "param": "messages",
                "code": "context_length_exceeded",
            }
        }


class FakeAnthropic(FakeAIServer):
    """POST /v1/messages (the SDK sends the key as x-api-key, or Authorization: Bearer)."""

    protocol = "anthropic"
    path = "/v1/messages"

    def authorized(self, headers: dict[str, str]) -> bool:
        return self.api_key in (headers.get("x-api-key"), headers.get("authorization", "").removeprefix("Bearer "))

    def input_tokens(self, body: dict[str, Any]) -> int:
        system = _text_of(body.get("system"))
        messages = body.get("messages") or []
        total = sum(count_tokens(_text_of(m.get("content"))) + MESSAGE_OVERHEAD for m in messages)
        return total + (count_tokens(system) + MESSAGE_OVERHEAD if system else 0) + REPLY_OVERHEAD

    def success_body(self, body: dict[str, Any], reply: str, input_tokens: int, output_tokens: int) -> dict[str, Any]:
        return {
            "id": f"msg_{uuid.uuid4().hex[:24]}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", ""),
            "content": [{"type": "text", "text": reply}],
            "stop_reason": "end_turn",
            "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
        }

    def error_body(self, error_type: str, message: str) -> dict[str, Any]:
        return {"type": "error", "error": {"type": error_type, "message": message}}

    def context_error_body(self) -> dict[str, Any]:
        return self.error_body("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum")

    @staticmethod
    def error_type(status: int) -> str:
        return {529: "overloaded_error"}.get(status) or FakeAIServer.error_type(status)
