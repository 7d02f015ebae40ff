"""Responsive variants of a 24-megapixel JPEG, as the worker writes them (media.images).

    .venv/bin/python bench/studio_images.py [--runs 3]

Makes a 6000 × 4000 photograph-like JPEG (a gradient under fine noise, quality 90, ~10 MB),
then, each in a fresh Python process so the peak memory (ru_maxrss) is its own:

- baseline: decoding that JPEG once, in full (what any thumbnailer must at least do without
  Pillow's draft mode);
- variants: `broadsheet.media.images.variants` — 480, 800, 1200 and 1600 px wide, each in WebP
  and JPEG (8 files), written to a folder — the worker's work for one upload.

Targets (issue 15): variants ≤ 3 s and peak memory ≤ 300 MB. Printed: the best of `--runs`
for time, the largest peak, and each figure's ratio to the baseline of the same run. Both
processes load the Django settings first; the peak is the process's whole resident peak
(VmHWM, Linux's ru_maxrss) with the high-water mark reset after the imports (clear_refs), so
it counts the image work on top of the process as it stood then; ru_maxrss over the whole
life of the process, imports included, is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS, TARGET_MB = 3.0, 300

_CHILD = r"""
import io, json, os, resource, sys, time
import django
django.setup()
from PIL import Image
from broadsheet.media.images import variants
path, what, out = sys.argv[1], sys.argv[2], sys.argv[3]
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
before = status("VmRSS")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # the peak (VmHWM) starts again from here: the imports are not counted
start = time.perf_counter()
files = 0
if what == "baseline":
    with Image.open(path) as image:
        image.load()
else:
    with open(path, "rb") as source:
        for width, mime, data in variants(source):
            with open(os.path.join(out, f"{width}.{mime.split('/')[1]}"), "wb") as f:
                f.write(data)
            files += 1
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_mb": status("VmHWM"), "start_mb": before,
                  "files": files, "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _photo(path: Path) -> None:
    from PIL import Image

    width, height = 6000, 4000
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 40)
    image = Image.merge("RGB", (gradient, noise, Image.blend(gradient, noise, 0.5)))
    image.save(path, format="JPEG", quality=90)


def _run(path: Path, what: str, folder: str) -> dict[str, float]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "broadsheet.settings",
        "DATA_DIR": folder,
        "PYTHONPATH": str(ROOT / "src"),
    }
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), what, folder],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "photo.jpg"
        _photo(path)
        print(f"24-megapixel JPEG: 6000 × 4000, {path.stat().st_size / 1e6:.1f} MB")
        figures = {}
        for what in ("baseline", "variants"):
            runs = [_run(path, what, folder) for _ in range(args.runs)]
            figures[what] = {
                "seconds": min(r["seconds"] for r in runs),
                "peak_mb": max(r["peak_mb"] for r in runs),
                "start_mb": max(r["start_mb"] for r in runs),
                "files": runs[0]["files"],
                "maxrss_mb": max(r["maxrss_mb"] for r in runs),
            }
        base, var = figures["baseline"], figures["variants"]
        print(
            f"baseline (decode once, in full): {base['seconds']:.3f} s, "
            f"peak {base['peak_mb']:.0f} MB (process after imports {base['start_mb']:.0f} MB; "
            f"ru_maxrss {base['maxrss_mb']:.0f} MB)"
        )
        print(
            f"variants ({var['files']:.0f} files, 480–1600 px, WebP + JPEG): "
            f"{var['seconds']:.3f} s ({var['seconds'] / base['seconds']:.2f}× baseline), "
            f"peak {var['peak_mb']:.0f} MB ({var['peak_mb'] / base['peak_mb']:.2f}× baseline; "
            f"ru_maxrss {var['maxrss_mb']:.0f} MB)"
        )
        ok = var["seconds"] <= TARGET_SECONDS and var["maxrss_mb"] <= TARGET_MB
        print(f"target ≤ {TARGET_SECONDS:g} s and ≤ {TARGET_MB} MB: {'met' if ok else 'MISSED'}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
