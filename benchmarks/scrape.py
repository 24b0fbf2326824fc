"""Web downloader throughput on 2,000 small images from a local server.

Run: ``python benchmarks/scrape.py [--images N] [--workers W]``. The server (asyncio, answers
pre-rendered) runs in its own process so it neither shares the GIL with the downloader nor
eats much of a small machine's CPU. Prints images/s with the per-host limit off (the default
concurrency otherwise), then a short run with the limit on to show its effect. The last line
is one JSON object (``images_per_s`` and friends).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import multiprocessing
import os
import socket
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from PIL import Image

from ganpipe.manifest import KEPT
from ganpipe.params import ScrapeParams, Source
from ganpipe.scrape.web import collect_web

FORMATS = ("PNG", "GIF", "BMP", "TIFF")  # lossless, so every image's bytes stay unique


def _image(index: int) -> bytes:
    """A 32x32 image unique to ``index`` (0.2 to 3 kB)."""
    image = Image.new("RGB", (32, 32), (index % 256, index // 256 % 256, 128))
    image.putpixel((index % 32, index // 32 % 32), (255, 0, 0))
    out = io.BytesIO()
    image.save(out, format=FORMATS[index % len(FORMATS)])
    return out.getvalue()


class _Server(asyncio.Protocol):
    """A minimal keep-alive HTTP/1.1 server with every answer pre-rendered.

    The benchmark measures the downloader, so the server should take as little of this
    machine's CPU as possible (http.server costs several times more per request).
    """

    def __init__(self, answers: dict[bytes, bytes]) -> None:
        self._answers = answers
        self._buffer = b""
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        sock = transport.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        assert self._transport is not None
        self._buffer += data
        while b"\r\n\r\n" in self._buffer:
            head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
            path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b""
            self._transport.write(self._answers.get(path, NOT_FOUND))


NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


def _answer(body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _serve(count: int, port: multiprocessing.Queue) -> None:
    answers = {f"/img/{i}".encode(): _answer(_image(i)) for i in range(count)}

    async def main() -> None:
        server = await asyncio.get_running_loop().create_server(
            lambda: _Server(answers), "127.0.0.1", 0
        )
        port.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())


def _run(base: str, count: int, params: ScrapeParams, work: Path, name: str) -> tuple[float, float]:
    """(images/s, downloader CPU ms per image) for one scrape of ``count`` URLs."""
    listing = work / f"{name}.txt"
    listing.write_text("".join(f"{base}/img/{i}\n" for i in range(count)))
    source = Source(kind="urls", url_files={"bench": str(listing)})
    start, cpu = time.perf_counter(), time.process_time()
    rows = collect_web(source, params, work / name)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    kept = sum(r.status == KEPT for r in rows)
    if kept != count:
        raise SystemExit(f"{name}: kept {kept} of {count} images")
    return count / seconds, cpu / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=ScrapeParams().workers)
    parser.add_argument("--limited-images", type=int, default=100)
    parser.add_argument("--rate", type=float, default=50.0, help="per-host limit for run 2")
    parser.add_argument(
        "--workdir",
        default=".",
        help="where the temporary raw dirs go "
        "(the file system matters: this machine's /tmp is ~40x slower)",
    )
    args = parser.parse_args()

    ports: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(args.images, ports), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ports.get(timeout=30)}"
    params = ScrapeParams(workers=args.workers, per_host_rate=0)
    try:
        with tempfile.TemporaryDirectory(dir=args.workdir, prefix=".bench-scrape-") as tmp:
            fast, cpu_ms = _run(base, args.images, params, Path(tmp), "unlimited")
            print(
                f"{args.images} images, {args.workers} workers, per-host limit off: "
                f"{fast:.0f} images/s ({cpu_ms:.2f} ms of downloader CPU per image; "
                f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
            )
            slow, _ = _run(
                base,
                args.limited_images,
                replace(params, per_host_rate=args.rate),
                Path(tmp),
                "limited",
            )
            print(
                f"{args.limited_images} images, per-host limit {args.rate:g}/s: "
                f"{slow:.1f} images/s (the limit caps one host at {args.rate:g} requests/s)"
            )
    finally:
        server.terminate()
    print(
        json.dumps(
            {
                "images_per_s": round(fast, 1),
                "images": args.images,
                "workers": args.workers,
                "cpu_ms_per_image": round(cpu_ms, 2),
                "images_per_s_rate_limited": round(slow, 1),
                "per_host_rate": args.rate,
            }
        )
    )


if __name__ == "__main__":
    main()
