"""tflite_fixture.py - a minimal TFLite flatbuffer writer shared by the fixture
generators (tests/formats/gen_fixtures.py, tests/bypass/gen_bypass.py)."""
import struct


def tflite(codes):
    """Minimal flatbuffer: Model{version=3, operator_codes=[OperatorCode{...}]}.
    codes: list of (builtin_code, custom_code or None)."""
    buf = bytearray()

    def align(n=4):
        while len(buf) % n:
            buf.append(0)

    buf += b"\x00\x00\x00\x00TFL3"           # root offset patched below
    # Model vtable: 2 fields (version, operator_codes)
    mvt = len(buf)
    buf += struct.pack("<HHHH", 8, 12, 4, 8)
    mtab = len(buf)
    buf += struct.pack("<iI", mtab - mvt, 3)  # soffset, version
    oc_field = len(buf)
    buf += b"\x00\x00\x00\x00"              # operator_codes uoffset (patched)
    struct.pack_into("<I", buf, 0, mtab)
    align()
    vec = len(buf)
    struct.pack_into("<I", buf, oc_field, vec - oc_field)
    buf += struct.pack("<I", len(codes))
    slots = []
    for _ in codes:
        slots.append(len(buf))
        buf += b"\x00\x00\x00\x00"
    for i, (builtin, custom) in enumerate(codes):
        align()
        vt = len(buf)
        # fields: 0 deprecated_builtin_code(int8) 1 custom_code(str) 2 version 3 builtin_code(int32)
        buf += struct.pack("<HHHHHH", 12, 16, 12, 8 if custom else 0, 0, 4)
        align()
        tab = len(buf)
        buf += struct.pack("<i", tab - vt)
        buf += struct.pack("<i", builtin)     # builtin_code at +4
        cfield = len(buf)
        buf += b"\x00\x00\x00\x00"            # custom_code at +8
        buf += struct.pack("<b", min(builtin, 127)) + b"\x00\x00\x00"  # deprecated at +12
        struct.pack_into("<I", buf, slots[i], tab - slots[i])
        if custom:
            align()
            s = len(buf)
            struct.pack_into("<I", buf, cfield, s - cfield)
            cb = custom.encode()
            buf += struct.pack("<I", len(cb)) + cb + b"\x00"
    align()
    return bytes(buf)
