"""A local stand-in for the Hugging Face hub, and a tiny open_clip model to serve from it.

The server answers what huggingface_hub asks of the real hub for a file: ``HEAD`` and ``GET``
``/<org>/<repo>/resolve/<revision>/<file>``, with the commit (``X-Repo-Commit``), the etag (a
large file's SHA-256, a small one's git hash) and the size, and ``404`` with ``X-Error-Code:
EntryNotFound`` for a file the repository lacks. Every request is logged, so a test sees what a
run downloaded, and that a cached run asked nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import torch

REPO = "ganpipe-test/tiny-clip"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
TINY_CLIP = {
    "embed_dim": 16,
    "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "patch_size": 16, "head_width": 16},
    "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 16, "heads": 1, "layers": 1},
}


@dataclass
class Hub:
    """Files by name (``weights_etag`` overrides the weights' announced SHA-256); the log."""

    files: dict[str, bytes]
    weights_etag: str = ""
    log: list[str] = field(default_factory=list)
    url: str = ""


def tiny_clip_files(seed: int) -> dict[str, bytes]:
    """open_clip's hub format for a random 3 MB model: its config and its pickled weights."""
    import open_clip

    torch.manual_seed(seed)
    model = open_clip.CLIP(**TINY_CLIP)
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    config = {"model_cfg": TINY_CLIP, "preprocess_cfg": {}}
    return {
        "open_clip_config.json": json.dumps(config).encode(),
        "open_clip_pytorch_model.bin": buffer.getvalue(),
    }


def _handler(hub: Hub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self._answer(body=False)

        def do_GET(self) -> None:
            self._answer(body=True)

        def _answer(self, body: bool) -> None:
            hub.log.append(f"{self.command} {self.path}")
            prefix = f"/{REPO}/resolve/"
            name = self.path.split("?")[0].removeprefix(prefix).split("/", 1)[-1]
            if not self.path.startswith(prefix) or name not in hub.files:
                self.send_response(404)
                self.send_header("X-Error-Code", "EntryNotFound")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = hub.files[name]
            if name.endswith(".json"):  # a git file: the etag is its git blob hash
                etag = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
            else:  # an LFS file: the etag is its SHA-256
                etag = hub.weights_etag or hashlib.sha256(data).hexdigest()
            self.send_response(200)
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("ETag", f'"{etag}"')
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Requests go to ``hub.log`` instead."""

    return Handler


@contextmanager
def serve(hub: Hub) -> Iterator[Hub]:
    """Serve ``hub`` on 127.0.0.1 (a free port) for the ``with`` block; ``hub.url`` is set."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hub))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hub.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()


def weights_in_cache(hf_home: Path) -> list[Path]:
    """The weights files (blobs) the cache under ``hf_home`` holds."""
    folder = hf_home / "hub" / ("models--" + REPO.replace("/", "--")) / "snapshots"
    return [p for p in folder.glob("*/*.bin")] if folder.exists() else []
