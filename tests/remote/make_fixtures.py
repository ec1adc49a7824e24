#!/usr/bin/python3
"""Generate the fixtures of the remote-source tests (all harmless if loaded).

  make_fixtures.py hf ROOT [BIG_BYTES]   Hugging Face layout for hf_server.py
  make_fixtures.py tree DIR               a small model repository tree (git / S3 tests)
  make_fixtures.py sparse-zip PATH BYTES  a PyTorch-shaped zip with one huge stored (sparse) member

"Malicious" pickles call os.system("true"): never loaded by anything here.
"""
import json
import os
import struct
import sys
import zlib

EVIL_PICKLE = b"\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03."
# a torch-like data.pkl: only collections.OrderedDict (benign)
BENIGN_PICKLE = b"\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01."


def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def sparse_safetensors(path, nbytes):
    """A valid safetensors file whose tensor data is a sparse hole of nbytes."""
    n = nbytes // 4
    header = json.dumps({"weight": {"dtype": "F32", "shape": [n], "data_offsets": [0, n * 4]},
                         "__metadata__": {"format": "pt"}}).encode()
    header += b" " * (-len(header) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)))
        f.write(header)
    os.truncate(path, 8 + len(header) + n * 4)


def crc_zeros(n):
    crc = 0
    block = bytes(1 << 24)
    while n > 0:
        k = min(n, len(block))
        crc = zlib.crc32(block[:k] if k < len(block) else block, crc)
        n -= k
    return crc


def sparse_torch_zip(path, nbytes, pickle_bytes=BENIGN_PICKLE):
    """archive/data.pkl + archive/data/0 (nbytes of zeros, stored, sparse on disk).
    Members of 4 GiB or more use ZIP64 records, as torch.save writes them."""
    members = [("archive/data.pkl", pickle_bytes, zlib.crc32(pickle_bytes), len(pickle_bytes)),
               ("archive/data/0", None, crc_zeros(nbytes), nbytes)]
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    central = b""
    any64 = False
    with open(path, "wb") as f:
        for name, data, crc, size in members:
            off = f.tell()
            nb = name.encode()
            big = size >= 0xFFFFFFFF
            any64 = any64 or big
            ver = 45 if big else 20
            s32 = 0xFFFFFFFF if big else size
            lextra = struct.pack("<HHQQ", 1, 16, size, size) if big else b""
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, ver, 0, 0, 0, 0, crc, s32, s32, len(nb), len(lextra)) + nb + lextra)
            if data is not None:
                f.write(data)
            else:
                f.seek(size, 1)
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, ver, ver, 0, 0, 0, 0, crc, s32, s32,
                                   len(nb), len(lextra), 0, 0, 0, 0, off) + nb + lextra
        cd_off = f.tell()
        f.write(central)
        n = len(members)
        if any64 or cd_off >= 0xFFFFFFFF:
            eocd64 = f.tell()
            f.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, len(central), cd_off))
            f.write(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
        cdo32 = 0xFFFFFFFF if cd_off >= 0xFFFFFFFF else cd_off
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central), cdo32, 0))


def tree(d):
    write(os.path.join(d, "README.md"), b"# test model\n")
    write(os.path.join(d, "config.json"), b'{"model_type": "test"}\n')
    write(os.path.join(d, "models/evil.pkl"), EVIL_PICKLE)
    write(os.path.join(d, "models/benign.pkl"), BENIGN_PICKLE)
    write(os.path.join(d, "src/train.py"), b"print('training')\n")


def hf(root, big):
    m = os.path.join(root, "models", "acme")
    # a big model repo: ~big bytes of sparse weights, read through ranges only
    base = os.path.join(m, "big", "main")
    tree(base)
    sparse_safetensors(os.path.join(base, "model.safetensors"), big)
    sparse_torch_zip(os.path.join(base, "pytorch_model.bin"), big)
    # another revision of the same repo
    write(os.path.join(m, "big", "v1", "only-in-v1.txt"), b"revision v1\n")
    # gated
    tree(os.path.join(m, "gated", "main"))
    write(os.path.join(m, "gated", "_gated"), b"hf_testtoken_0123456789abcdef\n")
    # many files: pagination
    for i in range(10):
        write(os.path.join(m, "many", "main", "dir%d" % (i % 3), "file%02d.txt" % i), b"file %d\n" % i)
    # many small files (benchmark of per-request latency)
    for i in range(200):
        write(os.path.join(m, "lots", "main", "f%03d.json" % i), b'{"i": %d}\n' % i)
    # a server without Range support: one small, one "LFS" (>= 1 MiB) file
    write(os.path.join(m, "norange", "main", "small.bin"), os.urandom(200 * 1024))
    write(os.path.join(m, "norange", "main", "large.bin"), bytes(3 * 1024 * 1024))
    write(os.path.join(m, "norange", "_norange"), b"")
    # first request for each path fails with 503
    tree(os.path.join(m, "flaky", "main"))
    write(os.path.join(m, "flaky", "_flaky"), b"")
    # dataset and space
    write(os.path.join(root, "datasets", "acme", "data", "main", "train.csv"), b"a,b\n1,2\n")
    write(os.path.join(root, "datasets", "acme", "data", "main", "sub dir", "evil.pkl"), EVIL_PICKLE)
    write(os.path.join(root, "spaces", "acme", "app", "main", "app.py"), b"print('hello')\n")


def main():
    cmd = sys.argv[1]
    if cmd == "hf":
        hf(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else (1 << 30))
    elif cmd == "tree":
        tree(sys.argv[2])
    elif cmd == "sparse-zip":
        sparse_torch_zip(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
