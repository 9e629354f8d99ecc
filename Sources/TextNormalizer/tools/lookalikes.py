#!/usr/bin/env python3
"""Generates LookAlikeTable.swift: the Latin letter a reader sees in each
non-Latin letter that looks like one.

Source: Unicode's confusables data (UTS #39) and character names, as compiled
into the machine's ICU (Debian bookworm's libicu72: ICU 72.1, Unicode 15.0),
read through ctypes; and `reviewed.txt` beside this script, the readings a
person chose where the confusables data gives none or the wrong one.

A character's reading is the ASCII letter whose UTS #39 skeleton equals the
character's own (so `m`-like characters, whose skeleton is `rn`, read `m`,
and `I`-like capitals, whose skeleton is `l`, read `I` rather than `l`),
preferring a letter of the character's own case; failing that, the reading of
the one character its skeleton is (Greek `τ` → `ᴛ` → `T`); failing that, a
Latin small capital reads as its capital. `reviewed.txt` then adds, changes or
removes readings.

Some readings are used only inside a word that has a Latin letter (`latinOnly`):
a lower-case letter read as a capital (Cyrillic `т` as a small capital `T`;
not Cherokee small letters, which case-fold to capitals),
and every reading from `reviewed.txt`, unless the letter is a Latin one itself
(small capitals, `ɑ`). A word made wholly of such letters is a
word of its own script (Russian `на`, `атака`), not a disguised Latin one. Characters that NFKC already turns into ASCII (`Ｉ`, `𝐈`,
`ⓛ`, `Í`) are not listed: the normaliser reads them as that ASCII.

Run: python3 Sources/TextNormalizer/tools/lookalikes.py (rewrites the table).
"""
import ctypes
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "LookAlikeTable.swift")
REVIEWED = os.path.join(HERE, "reviewed.txt")
V = "72"

uc = ctypes.CDLL(f"libicuuc.so.{V}")
i18n = ctypes.CDLL(f"libicui18n.so.{V}")


def fn(lib, name, restype, *argtypes):
    f = getattr(lib, f"{name}_{V}")
    f.restype, f.argtypes = restype, list(argtypes)
    return f


P, I32 = ctypes.c_void_p, ctypes.c_int32
status = ctypes.c_int(0)
u_charType = fn(uc, "u_charType", ctypes.c_int8, ctypes.c_uint32)
u_hasBinaryProperty = fn(uc, "u_hasBinaryProperty", ctypes.c_int8, ctypes.c_uint32, ctypes.c_int)
u_charName = fn(uc, "u_charName", I32, ctypes.c_uint32, ctypes.c_int, ctypes.c_char_p, I32, P)
uscript_getScript = fn(uc, "uscript_getScript", ctypes.c_int, ctypes.c_uint32, P)
uscript_getName = fn(uc, "uscript_getName", ctypes.c_char_p, ctypes.c_int)
unorm2_getNFKCInstance = fn(uc, "unorm2_getNFKCInstance", P, P)
unorm2_getNFDInstance = fn(uc, "unorm2_getNFDInstance", P, P)
unorm2_getNFKCCasefoldInstance = fn(uc, "unorm2_getNFKCCasefoldInstance", P, P)
unorm2_normalize = fn(uc, "unorm2_normalize", I32, P, P, I32, P, I32, P)
u_getUnicodeVersion = fn(uc, "u_getUnicodeVersion", None, P)
u_getVersion = fn(uc, "u_getVersion", None, P)
uspoof_open = fn(i18n, "uspoof_open", P, P)
uspoof_getSkeleton = fn(i18n, "uspoof_getSkeleton", I32, P, ctypes.c_uint32, P, I32, P, I32, P)

NFKC = unorm2_getNFKCInstance(ctypes.byref(status))
NFD = unorm2_getNFDInstance(ctypes.byref(status))
CASEFOLD = unorm2_getNFKCCasefoldInstance(ctypes.byref(status))
SPOOF = uspoof_open(ctypes.byref(status))
assert status.value <= 0, f"ICU: {status.value}"

UPPER, LOWER, TITLE = 1, 2, 3
LETTERS = {1, 2, 3, 4, 5}
MARKS = {6, 7, 8}
DEFAULT_IGNORABLE = 5  # UCHAR_DEFAULT_IGNORABLE_CODE_POINT


def utf16(text):
    data = text.encode("utf-16-le")
    return (ctypes.c_uint16 * (len(data) // 2)).from_buffer_copy(data), len(data) // 2


def call16(f, *lead, text):
    src, n = utf16(text)
    out = (ctypes.c_uint16 * 256)()
    st = ctypes.c_int(0)
    length = f(*lead, src, n, out, 256, ctypes.byref(st))
    assert st.value <= 0, (text, st.value)
    return bytes(out)[: 2 * length].decode("utf-16-le")


def skeleton(text):
    return call16(uspoof_getSkeleton, SPOOF, 0, text=text)


def nfkc_bare(text):
    """NFKC without combining marks (case kept)."""
    decomposed = call16(unorm2_normalize, NFD, text=call16(unorm2_normalize, NFKC, text=text))
    return "".join(ch for ch in decomposed if u_charType(ord(ch)) not in MARKS)


def name(cp):
    buf = ctypes.create_string_buffer(128)
    u_charName(cp, 0, buf, 128, ctypes.byref(ctypes.c_int(0)))
    return buf.value.decode()


def script(cp):
    return uscript_getName(uscript_getScript(cp, ctypes.byref(ctypes.c_int(0)))).decode()


def version(f):
    v = (ctypes.c_uint8 * 4)()
    f(v)
    return ".".join(str(x) for x in v[:3])


ASCII_LETTERS = [chr(c) for c in range(0x41, 0x5B)] + [chr(c) for c in range(0x61, 0x7B)]
BY_SKELETON = {}
for x in ASCII_LETTERS:
    BY_SKELETON.setdefault(skeleton(x), []).append(x)


def is_plain(text):
    return text != "" and all(ord(ch) < 0x80 for ch in text)


def confusable_reading(cp, seen=()):
    """The Latin letter the confusables data makes `cp` look like, or None."""
    ch = chr(cp)
    candidates = BY_SKELETON.get(skeleton(ch))
    if candidates:
        case = u_charType(cp)
        same = [x for x in candidates if (x.isupper() if case in (UPPER, TITLE) else x.islower())]
        return (same or candidates)[0]
    target = nfkc_bare(skeleton(ch))
    if len(target) == 1 and ord(target) != cp and ord(target) not in seen and ord(target) >= 0x80:
        return confusable_reading(ord(target), seen + (cp,)) or small_capital(ord(target)) or small_capital(cp)
    return small_capital(cp)


def small_capital(cp):
    m = re.fullmatch(r"LATIN LETTER SMALL CAPITAL ([A-Z])", name(cp))
    return m.group(1) if m else None


def reviewed():
    """scalar → reading ('' removes one), from reviewed.txt."""
    table = {}
    with open(REVIEWED, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            m = re.fullmatch(r"([0-9A-F]{4,6})\s*;\s*([A-Za-z]?)", line)
            if not m:
                sys.exit(f"{REVIEWED}:{number}: expected `HEX ; LETTER` or `HEX ;`")
            table[int(m.group(1), 16)] = m.group(2)
    return table


def main():
    overrides = reviewed()
    rows = []
    for cp in range(0x80, 0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        gc = u_charType(cp)
        if gc == 0 or gc in MARKS or u_hasBinaryProperty(cp, DEFAULT_IGNORABLE):
            continue
        if is_plain(nfkc_bare(chr(cp))):
            continue  # NFKC reads it as ASCII already
        reading = overrides[cp] if cp in overrides else (confusable_reading(cp) if gc in LETTERS else None)
        if reading:
            folds_to = call16(unorm2_normalize, CASEFOLD, text=chr(cp))
            capital = gc in (UPPER, TITLE) or (len(folds_to) == 1 and u_charType(ord(folds_to)) in (UPPER, TITLE))
            latin_only = script(cp) != "Latin" and ((reading.isupper() and not capital) or cp in overrides)
            rows.append((cp, reading, script(cp), name(cp), cp in overrides, latin_only))
    with open(OUT, "w", encoding="utf-8") as out:
        out.write("// Generated by Sources/TextNormalizer/tools/lookalikes.py; do not edit.\n")
        out.write(f"// Source: UTS #39 confusables and character names as compiled into ICU {version(u_getVersion)}\n")
        out.write(f"// (Unicode {version(u_getUnicodeVersion)}), and the readings in tools/reviewed.txt (marked *).\n")
        out.write("// Each row: a character, the Latin letter a reader sees in it (case kept),\n")
        out.write("// whether that reading holds only in a word with a Latin letter, then its\n")
        out.write("// script and name.\n\n")
        out.write("enum LookAlikeTable {\n")
        out.write(f"    static let unicodeVersion = \"{version(u_getUnicodeVersion)}\"\n\n")
        out.write("    /// Sorted by scalar.\n")
        out.write("    static let rows: [(scalar: UInt32, reading: UInt8, latinOnly: Bool)] = [\n")
        for cp, reading, sc, nm, mark, latin_only in rows:
            flag = "true" if latin_only else "false"
            out.write(f"        (0x{cp:04X}, 0x{ord(reading):02X}, {flag}),  // {chr(cp)} → {reading}  {sc}  {nm}{' *' if mark else ''}\n")
        out.write("    ]\n}\n")
    scripts = {}
    for row in rows:
        scripts[row[2]] = scripts.get(row[2], 0) + 1
    print(f"{len(rows)} look-alikes written to {os.path.relpath(OUT)}: " + ", ".join(f"{k} {v}" for k, v in sorted(scripts.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
