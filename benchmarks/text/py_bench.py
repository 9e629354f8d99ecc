#!/usr/bin/env python3
"""Peers for the page-text benchmark: lxml (libxml2), selectolax (Lexbor)
and resiliparse, each extracting the text of every page of the corpus.
One JSON line per tool; times only the parse-and-extract calls.

    py_bench.py CORPUS.html REPEAT
"""
import json
import sys
import time


def pages_of(data):
    pages, start, marker = [], 0, b"</html>"
    while True:
        end = data.find(marker, start)
        if end < 0:
            break
        pages.append(data[start:end + len(marker)])
        start = end + len(marker)
    if start < len(data):
        pages.append(data[start:])
    return pages


def run(name, extract, pages, repeat, size):
    best, latencies, text_bytes = float("inf"), [], 0
    for r in range(repeat):
        total, text_bytes = 0.0, 0
        for page in pages:
            t0 = time.perf_counter()
            text = extract(page)
            dt = time.perf_counter() - t0
            total += dt
            text_bytes += len(text)
            if r == 0:
                latencies.append(dt)
        best = min(best, total)
    latencies.sort()
    print(json.dumps({"tool": name, "pages": len(pages), "bytes": size, "text_chars": text_bytes, "seconds": best,
                      "mb_s": size / 1e6 / best, "p50_ms": latencies[len(latencies) // 2] * 1000,
                      "p99_ms": latencies[len(latencies) * 99 // 100] * 1000}), flush=True)


def main():
    data = open(sys.argv[1], "rb").read()
    repeat = int(sys.argv[2])
    pages = pages_of(data)
    import lxml.html
    run("lxml " + __import__("lxml").__version__,
        lambda p: lxml.html.document_fromstring(p).text_content() if p.strip() else "", pages, repeat, len(data))
    from selectolax.lexbor import LexborHTMLParser
    import selectolax
    run("selectolax " + selectolax.__version__ + " (Lexbor)", lambda p: LexborHTMLParser(p).text() or "", pages, repeat, len(data))
    from resiliparse.parse.html import HTMLTree
    from resiliparse.extract.html2text import extract_plain_text
    from importlib.metadata import version
    run("resiliparse " + version("resiliparse"),
        lambda p: extract_plain_text(HTMLTree.parse_from_bytes(p), main_content=False), pages, repeat, len(data))


if __name__ == "__main__":
    main()
