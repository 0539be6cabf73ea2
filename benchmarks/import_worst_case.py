"""The Markdown import's size cap, checked: the slowest inputs we know, at the largest size accepted.

Prints the parse time of each adversarial pattern filled up to learn.importer.MAX_BYTES;
the cap is right while the slowest stays under 2 s. Not a test: run by `make bench`.
"""

import contextlib
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from learn.importer import MAX_BYTES, MAX_SIZE_TEXT, ImportRefused, parse_article  # noqa: E402

TARGET_SECONDS = 2.0
PATTERNS = {
    "unclosed brackets": b"[",
    "emphasis, code and links mixed": b"*_[`",
    "underscores": b"_a",
    "link openings": b"[a](",
    "entities": b"&#",
    "emphasis": b"*a ",
}


def main():
    slowest = 0.0
    for name, unit in PATTERNS.items():
        body = b"Title\n\n" + unit * ((MAX_BYTES - 8) // len(unit))
        started = time.perf_counter()
        with contextlib.suppress(ImportRefused):
            parse_article(body)
        seconds = time.perf_counter() - started
        slowest = max(slowest, seconds)
        print(f"{name:32} {seconds:6.2f} s")
    verdict = "within" if slowest < TARGET_SECONDS else "OVER"
    print(f"slowest at the {MAX_SIZE_TEXT} cap: {slowest:.2f} s ({verdict} the {TARGET_SECONDS:.0f} s target)")


if __name__ == "__main__":
    main()
