"""Summarise py-spy's collapsed stacks (`py-spy record --format raw`): the share of samples in which each
function is on the stack (inclusive) and on top (self), for reading where a profile's time went.

    .venv/bin/python bench/stacks.py bench/results/me.txt --top 40 [--match platform_core]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="", help="only frames whose text contains this")
    args = parser.parse_args()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in args.path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        # "func (path/to/file.py:123)": drop the line number so a function counts once per stack.
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    print(f"{total} samples\n\n  incl%   self%  function")
    for frame, n in inclusive.most_common():
        if args.match and args.match not in frame:
            continue
        print(f"{100 * n / total:6.1f}  {100 * own[frame] / total:6.1f}  {frame[:150]}")
        args.top -= 1
        if args.top <= 0:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
