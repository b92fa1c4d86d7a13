"""What storing one uploaded photo costs, and what Pillow's JPEG draft mode saves.

Every submission photo is decoded, re-encoded (dropping EXIF and anything
hidden after the image), shrunk to 2048 px and given a 320 px thumbnail
(``core.photos.save_photo``). A phone sends 12-megapixel JPEGs, so this is
the heaviest CPU work of a submission. Draft mode asks libjpeg to decode at
1/2, 1/4 or 1/8 scale straight away when the target is that much smaller.

Side by side in one run, interleaved, on generated photos with real detail
(noise; a flat colour compresses unrealistically well):

    .venv/bin/python bench/photo_pipeline.py [--rounds 15]

prints the median CPU milliseconds per photo of each variant and their ratio.
"""

import argparse
import statistics
import tempfile
import time
from datetime import date
from io import BytesIO
from pathlib import Path
from types import SimpleNamespace

from PIL import Image

from core import photos

SIZES = {"12 MP phone JPEG (4000×3000)": (4000, 3000), "3 MP JPEG (2000×1500)": (2000, 1500)}


def phone_photo(size):
    noise = Image.effect_noise(size, 40).convert("RGB")
    buffer = BytesIO()
    noise.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def cpu_ms(function):
    start = time.process_time()
    function()
    return (time.process_time() - start) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        app = SimpleNamespace(instance_path=instance)
        for label, size in SIZES.items():
            data = phone_photo(size)
            variants = {
                "full decode": lambda data=data: photos.save_photo(
                    app, "bench", "s", data, max_bytes=10**8, today=date.today(), draft=False
                ),
                "draft decode": lambda data=data: photos.save_photo(
                    app, "bench", "s", data, max_bytes=10**8, today=date.today(), draft=True
                ),
            }
            timings = {name: [] for name in variants}
            for _round in range(args.rounds):
                for name, run in variants.items():  # interleaved: drift hits both alike
                    timings[name].append(cpu_ms(run))
            medians = {name: statistics.median(values) for name, values in timings.items()}
            print(f"{label}, {len(data) / 1e6:.1f} MB, {args.rounds} rounds")
            for name, median in medians.items():
                print(f"  {name:<13} median {median:7.1f} ms CPU per photo")
            print(f"  draft / full = {medians['draft decode'] / medians['full decode']:.2f}")
        stored = sum(1 for _ in Path(instance).rglob("*.jpg"))
        print(f"({stored} files written and discarded)")


if __name__ == "__main__":
    main()
