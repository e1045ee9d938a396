"""The offline report sheet's photo shrinking (frontend/static/js/photo-resize.js), in real Chromium.

A camera-sized photo (4000x3000 JPEG with EXIF time and GPS) goes through
preparePhoto, as when a report is made: the bytes that wait in IndexedDB and
travel when the signal returns, beside the baseline of keeping the original;
the time on the phone, beside the baseline of only decoding the photo
(createImageBitmap), measured in the same run; and whether the EXIF time and
GPS survived. No database: the script serves the static scripts itself.
"""

import base64
import functools
import io
import statistics
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
RUNS = 7
TAKEN = "2026:12:06 09:30:00"


def camera_photo(width=4000, height=3000):
    """A noisy gradient (compresses like a photo, unlike a flat image) with EXIF time and GPS."""
    rng = np.random.default_rng(12)
    ramp = np.linspace(0, 255, width, dtype=np.float32)[None, :, None] * np.ones((height, 1, 3), np.float32)
    pixels = np.clip(ramp * 0.6 + 60 + rng.normal(0, 18, (height, width, 3)), 0, 255).astype(np.uint8)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = TAKEN
    exif.get_ifd(0x8825).update({1: "N", 2: (34.0, 45.0, 30.0), 3: "E", 4: (113.0, 40.0, 12.0)})
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=80, exif=exif)
    return buffer.getvalue()


MEASURE = """async (b64) => {
  const { preparePhoto } = await import('/js/photo-resize.js');
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const file = new File([bytes], 'camera.jpg', { type: 'image/jpeg' });
  const decode = [], prepare = [];
  let out;
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    (await createImageBitmap(file, { imageOrientation: 'from-image' })).close();
    decode.push(performance.now() - t);
    t = performance.now();
    out = await preparePhoto(file);
    prepare.push(performance.now() - t);
  }
  const u = new Uint8Array(await out.blob.arrayBuffer());
  let bin = '';
  for (let i = 0; i < u.length; i += 8192) bin += String.fromCharCode(...u.subarray(i, i + 8192));
  return { decode, prepare, b64: btoa(bin) };
}""".replace("RUNS", str(RUNS))


def main():
    photo = camera_photo()
    with tempfile.TemporaryDirectory() as site:
        (Path(site) / "js").symlink_to(ROOT / "frontend" / "static" / "js")
        (Path(site) / "index.html").write_text("<!doctype html><title>bench</title>")
        handler = functools.partial(type("Quiet", (SimpleHTTPRequestHandler,), {"log_message": lambda *a: None}), directory=site)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"]
                )
                page = browser.new_page()
                page.goto(f"http://localhost:{server.server_port}/index.html")  # a secure context
                result = page.evaluate(MEASURE, base64.b64encode(photo).decode())
                browser.close()
        finally:
            server.shutdown()
    shrunk = base64.b64decode(result["b64"])
    image = Image.open(io.BytesIO(shrunk))
    exif = image.getexif()
    kept = exif.get_ifd(0x8769).get(0x9003) == TAKEN and exif.get_ifd(0x8825).get(1) == "N"
    decode = statistics.median(result["decode"])
    prepare = statistics.median(result["prepare"])
    print(f"photo 4000x3000 JPEG, {RUNS} runs, medians")
    print(f"  bytes queued and sent: {len(shrunk) / 1e6:.2f} MB ({image.size[0]}x{image.size[1]})"
          f"  baseline original: {len(photo) / 1e6:.2f} MB  ratio {len(shrunk) / len(photo):.2f}")
    print(f"  time on the phone: {prepare:.0f} ms  baseline decode only: {decode:.0f} ms  ratio {prepare / decode:.1f}")
    print(f"  EXIF time and GPS kept: {'yes' if kept else 'NO'}")
    return 0 if kept else 1


if __name__ == "__main__":
    sys.exit(main())
