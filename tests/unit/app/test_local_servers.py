"""Finding model servers on loopback: real HTTP servers on free ports stand in for Ollama,
LM Studio and llama.cpp (never the user's own, which sit on the usual ports)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.llm.local_servers import LLAMA_CPP, LM_STUDIO, OLLAMA, find_local_models
from tests.helpers import closed_port


def serving(routes: dict[str, object]) -> tuple[ThreadingHTTPServer, int]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = routes.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


@pytest.fixture
def servers() -> Iterator[list[ThreadingHTTPServer]]:
    running: list[ThreadingHTTPServer] = []
    yield running
    for server in running:
        server.shutdown()
        server.server_close()


def test_each_kind_is_found_with_its_models(servers) -> None:
    ollama, ollama_port = serving({"/api/tags": {"models": [{"name": "llama3.2:latest"},
                                                            {"name": "qwen2.5:0.5b"}]}})
    studio, studio_port = serving({"/v1/models": {"data": [{"id": "gemma-3-1b"}]}})
    servers += [ollama, studio]
    with closed_port() as nothing_there:
        found = find_local_models([(OLLAMA, ollama_port), (LM_STUDIO, studio_port),
                                   (LLAMA_CPP, nothing_there)])
    assert [(s.kind.name, s.port) for s in found] == [("Ollama", ollama_port),
                                                      ("LM Studio", studio_port)]
    first, second = found[0].models
    assert (first.model, first.api_base) == ("ollama_chat/llama3.2:latest",
                                             f"http://127.0.0.1:{ollama_port}")
    assert second.label == "qwen2.5:0.5b (on Ollama)"
    [gemma] = found[1].models
    assert (gemma.model, gemma.api_base) == ("openai/gemma-3-1b",
                                             f"http://127.0.0.1:{studio_port}/v1")


def test_a_server_that_is_not_a_model_server_is_not_found(servers) -> None:
    web, web_port = serving({"/v1/models": b"<html>hello</html>"})
    odd, odd_port = serving({"/api/tags": {"models": "all of them"}})
    servers += [web, odd]
    assert find_local_models([(LLAMA_CPP, web_port), (OLLAMA, odd_port)]) == []


def test_odd_names_are_skipped_and_a_running_server_with_none_is_found(servers) -> None:
    server, port = serving({"/v1/models": {"data": [{"id": "has a space"}, {"id": 3},
                                                     "text", {"id": "ok-model"}]}})
    empty, empty_port = serving({"/api/tags": {"models": []}})
    servers += [server, empty]
    found = find_local_models([(LLAMA_CPP, port), (OLLAMA, empty_port)])
    assert [m.name for m in found[0].models] == ["ok-model"]
    assert found[1].models == ()  # Ollama runs but has no model pulled: said so, not hidden


def test_nothing_running_finds_nothing() -> None:
    with closed_port() as one, closed_port() as other:
        assert find_local_models([(OLLAMA, one), (LM_STUDIO, other)]) == []
