"""A small Language Server Protocol client over stdio, standard library only.

It starts a language server as a child process (here the real `yaml-language-server`, the engine
behind VS Code's YAML extension, installed by npm into tests/lsp), speaks JSON-RPC 2.0 with
`Content-Length` framing on its stdin and stdout, and lets a test do what an editor does::

    with LanguageServer([node, server_js, "--stdio"], root=tmp_path, settings=SETTINGS) as ls:
        ls.open(path)                     # textDocument/didOpen
        diagnostics = ls.diagnostics(path)  # the publishDiagnostics that follow
        hover = ls.hover(path, line, character)
        items = ls.completion(path, line, character)

Requests the server sends back (workspace/configuration, client/registerCapability,
window/workDoneProgress/create) are answered the way VS Code answers them. Every wait is bounded
and raises AssertionError with what the server wrote on stderr. No network: the server is a local
process on pipes, and the settings turn off the schema store, the one thing it would fetch.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

TIMEOUT = 30.0


class LanguageServer:
    """One language server process, driven as an editor drives it."""

    def __init__(self, command: Sequence[str], root: Path, settings: dict[str, Any]) -> None:
        self.command = list(command)
        self.root = root
        self.settings = settings
        self._next_id = 0
        self._lock = threading.Lock()
        self._published_lock = threading.Lock()
        self._replies: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._published: dict[str, queue.Queue[list[dict[str, Any]]]] = {}
        self._stderr: list[str] = []
        self._versions: dict[str, int] = {}
        """How many times each URI was opened: its version."""
        self._proc: subprocess.Popen[bytes] | None = None

    # -- process -------------------------------------------------------------------------------
    def __enter__(self) -> LanguageServer:
        self._proc = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.root,
        )
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": self.root.as_uri(),
                "workspaceFolders": [{"uri": self.root.as_uri(), "name": self.root.name}],
                "capabilities": {
                    "workspace": {"configuration": True, "didChangeConfiguration": {}},
                    "textDocument": {
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "completion": {
                            "completionItem": {"snippetSupport": True},
                        },
                        "publishDiagnostics": {},
                    },
                },
                "initializationOptions": {},
            },
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": self.settings})
        return self

    def __exit__(self, *exc: object) -> None:
        proc = self._proc
        if proc is None:
            return
        try:
            if proc.poll() is None:
                self.request("shutdown", None, timeout=5)
                self.notify("exit", None)
                proc.wait(timeout=5)
        except (AssertionError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=5)
            for pipe in (proc.stdin, proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()

    # -- JSON-RPC ------------------------------------------------------------------------------
    def _send(self, message: dict[str, Any]) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        with self._lock:
            self._proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self._proc.stdin.flush()

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        out = self._proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            message = json.loads(out.read(length))
            if "method" in message and "id" in message:
                # answered on a thread of its own, so this one keeps draining the server's output
                threading.Thread(target=self._answer, args=(message,), daemon=True).start()
            elif message.get("method") == "textDocument/publishDiagnostics":
                params = message["params"]
                self._diagnostics_of(params["uri"]).put(params["diagnostics"])
            elif message.get("id") in self._replies:
                self._replies[message["id"]].put(message)

    def _diagnostics_of(self, uri: str) -> queue.Queue[list[dict[str, Any]]]:
        with self._published_lock:
            return self._published.setdefault(uri, queue.Queue())

    def _read_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for line in self._proc.stderr:
            self._stderr.append(line.decode("utf-8", "replace"))

    def _answer(self, message: dict[str, Any]) -> None:
        """Answer a request from the server as VS Code does."""
        result: Any = None
        if message["method"] == "workspace/configuration":
            result = [self._section(item.get("section")) for item in message["params"]["items"]]
        self._send({"id": message["id"], "result": result})

    def _section(self, section: str | None) -> Any:
        node: Any = self.settings
        for part in (section or "").split("."):
            if part:
                node = node.get(part) if isinstance(node, dict) else None
        return node

    def request(self, method: str, params: Any, timeout: float = TIMEOUT) -> Any:
        """Send a request and wait for its result; an error reply fails the test."""
        self._next_id += 1
        ident = self._next_id
        box: queue.Queue[dict[str, Any]] = queue.Queue()
        self._replies[ident] = box
        self._send({"id": ident, "method": method, "params": params})
        try:
            reply = box.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no answer to {method} in {timeout}s{self._tail()}") from None
        finally:
            del self._replies[ident]
        if "error" in reply:
            raise AssertionError(f"{method} failed: {reply['error']}{self._tail()}")
        return reply.get("result")

    def notify(self, method: str, params: Any) -> None:
        """Send a notification (no answer expected)."""
        self._send({"method": method, "params": params})

    def _tail(self) -> str:
        text = "".join(self._stderr[-20:]).strip()
        return f"\nserver stderr:\n{text}" if text else ""

    # -- what an editor does -------------------------------------------------------------------
    def open(self, path: Path, text: str | None = None) -> str:
        """Open a document (its text from disk unless given); returns its URI.

        Each opening of the same file gets a higher version, as in an editor: the server keeps
        what it parsed by URI and version, and would answer about the old text otherwise.
        """
        uri = path.resolve().as_uri()
        version = self._versions[uri] = self._versions.get(uri, 0) + 1
        body = path.read_text(encoding="utf-8") if text is None else text
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "yaml", "version": version, "text": body}},
        )
        return uri

    def close(self, path: Path) -> None:
        """Close a document again."""
        self.notify("textDocument/didClose", {"textDocument": {"uri": path.resolve().as_uri()}})

    def diagnostics(self, path: Path, timeout: float = TIMEOUT) -> list[dict[str, Any]]:
        """The diagnostics the server publishes for a document it was just sent.

        The server validates an opened document once, after it has read the schema, and
        publishes the result without a version; closing publishes an empty list. So a document
        whose diagnostics are read is opened once in a server's life: the first publication for
        it is then the one for its text.
        """
        uri = path.resolve().as_uri()
        if self._versions.get(uri) != 1:
            raise AssertionError(f"read diagnostics of a document opened once: {path.name}")
        try:
            return self._diagnostics_of(uri).get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"no diagnostics for {path.name} in {timeout}s{self._tail()}"
            ) from None

    def hover(self, path: Path, line: int, character: int) -> str:
        """The hover text at a position (0-based), as one string; empty when there is none."""
        result = self.request(
            "textDocument/hover",
            {
                "textDocument": {"uri": path.resolve().as_uri()},
                "position": {"line": line, "character": character},
            },
        )
        if not result:
            return ""
        contents = result["contents"]
        if isinstance(contents, dict):
            return str(contents.get("value", ""))
        if isinstance(contents, list):
            return "\n".join(c if isinstance(c, str) else c.get("value", "") for c in contents)
        return str(contents)

    def completion(self, path: Path, line: int, character: int) -> list[dict[str, Any]]:
        """The completion items offered at a position (0-based)."""
        result = self.request(
            "textDocument/completion",
            {
                "textDocument": {"uri": path.resolve().as_uri()},
                "position": {"line": line, "character": character},
            },
        )
        if isinstance(result, dict):
            return list(result.get("items", []))
        return list(result or [])
