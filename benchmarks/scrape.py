"""Web downloader throughput on 2,000 small images from a local server.

Run: ``python benchmarks/scrape.py [--images N] [--workers W]``. The server runs in its own
process so it does not share the GIL with the downloader. Prints images/s with the per-host
limit off (the default concurrency otherwise), then a short run with the limit on to show its
effect. The last line is one JSON object (``images_per_s`` and friends).
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import tempfile
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


def _serve(count: int, port: multiprocessing.Queue) -> None:
    files = {f"/img/{i}": _image(i) for i in range(count)}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as separate writes

        def log_message(self, format: str, *args: object) -> None:
            """Silent."""

        def do_GET(self) -> None:
            body = files.get(self.path.split("?")[0])
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port.put(server.server_address[1])
    server.serve_forever()


def _run(base: str, count: int, params: ScrapeParams, work: Path, name: str) -> float:
    listing = work / f"{name}.txt"
    listing.write_text("".join(f"{base}/img/{i}\n" for i in range(count)))
    source = Source(kind="urls", url_files={"bench": str(listing)})
    start = time.perf_counter()
    rows = collect_web(source, params, work / name)
    seconds = time.perf_counter() - start
    kept = sum(r.status == KEPT for r in rows)
    if kept != count:
        raise SystemExit(f"{name}: kept {kept} of {count} images")
    return count / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=ScrapeParams().workers)
    parser.add_argument("--limited-images", type=int, default=100)
    parser.add_argument("--rate", type=float, default=50.0, help="per-host limit for run 2")
    parser.add_argument("--workdir", default=".", help="where the temporary raw dirs go "
                        "(the file system matters: this machine's /tmp is ~40x slower)")
    args = parser.parse_args()

    ports: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(args.images, ports), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ports.get(timeout=30)}"
    params = ScrapeParams(workers=args.workers, per_host_rate=0)
    try:
        with tempfile.TemporaryDirectory(dir=args.workdir, prefix=".bench-scrape-") as tmp:
            fast = _run(base, args.images, params, Path(tmp), "unlimited")
            print(f"{args.images} images, {args.workers} workers, per-host limit off: "
                  f"{fast:.0f} images/s")
            slow = _run(base, args.limited_images, replace(params, per_host_rate=args.rate),
                        Path(tmp), "limited")
            print(f"{args.limited_images} images, per-host limit {args.rate:g}/s: "
                  f"{slow:.1f} images/s (the limit caps one host at {args.rate:g} requests/s)")
    finally:
        server.terminate()
    print(json.dumps({"images_per_s": round(fast, 1), "images": args.images,
                      "workers": args.workers, "images_per_s_rate_limited": round(slow, 1),
                      "per_host_rate": args.rate}))


if __name__ == "__main__":
    main()
