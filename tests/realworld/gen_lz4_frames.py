#!/usr/bin/python3
"""Write LZ4 frames made by the real lz4 library (Debian python3-lz4) for
tests/realworld/test_lz4.c, which decodes them with src/formats/lz4.c and
compares with the raw bytes.

Usage: /usr/bin/python3 gen_lz4_frames.py OUTDIR
"""
import os
import random
import sys

import lz4.frame as F

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rnd = random.Random(7)
words = [bytes(rnd.choice(b"abcdefghijklmnop") for _ in range(rnd.randint(2, 9))) for _ in range(300)]
raw = b" ".join(rnd.choice(words) for _ in range(24000))[:150000]  # ~2.3 blocks of 64 KiB
with open(os.path.join(out, "raw.bin"), "wb") as f:
    f.write(raw)
variants = {
    "linked_64k": dict(block_size=F.BLOCKSIZE_MAX64KB, block_linked=True),
    "independent_64k": dict(block_size=F.BLOCKSIZE_MAX64KB, block_linked=False),
    "checksums_size": dict(block_size=F.BLOCKSIZE_MAX64KB, block_linked=True, content_checksum=True,
                           block_checksum=True, store_size=True),
    "default_hc": dict(compression_level=F.COMPRESSIONLEVEL_MINHC),
}
for name, kw in variants.items():
    with open(os.path.join(out, name + ".lz4"), "wb") as f:
        f.write(F.compress(raw, **kw))
# Two frames in a row (lz4.frame.open reads both).
with open(os.path.join(out, "two_frames.lz4"), "wb") as f:
    f.write(F.compress(raw[:70000]) + F.compress(raw[70000:]))
