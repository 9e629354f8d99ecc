#!/usr/bin/env python3
"""Builds the matcher benchmark's data set, deterministically.

Writes to benchmarks/data/ (not committed; regenerated on demand):
  patterns-{100,1k,10k,100k}.txt  words and 2-3 word phrases from
                                  /usr/share/dict/words (Debian wamerican),
                                  seeded, distinct even ignoring ASCII case
                                  (so every tool agrees on the match count:
                                  pyahocorasick keeps only one of two equal keys)
  corpus.html                     the Debian python3-doc, postgresql-doc-15 and
                                  python-django-doc HTML pages, concatenated in
                                  sorted path order (about 100 MB, 2,400 pages)
  corpus.txt                      the visible text of those pages (script and
                                  style dropped, one line per text run)

Running it again with the same packages installed gives byte-identical files.
"""
import html.parser
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
DOC_DIRS = [
    "/usr/share/doc/python3/html",
    "/usr/share/doc/postgresql-doc-15/html",
    "/usr/share/doc/python-django-doc/html",
]
SIZES = {"100": 100, "1k": 1_000, "10k": 10_000, "100k": 100_000}
SEED = 20261122


def words():
    with open("/usr/share/dict/words", encoding="utf-8") as f:
        ws = [w.strip() for w in f]
    # ASCII letters only, at least three of them: one- and two-letter
    # "words" match nearly everywhere and measure nothing but match overhead.
    return sorted({w for w in ws if len(w) >= 3 and w.isascii() and w.isalpha()})


def make_patterns(n, vocabulary, rng, single_share=0.6):
    """n distinct patterns (ignoring case): a share of single words, the rest
    2-3 word phrases, shuffled. Used by this and the rules benchmark."""
    seen, patterns = set(), []
    for w in rng.sample(vocabulary, min(int(n * single_share), len(vocabulary))):
        if w.lower() not in seen:
            seen.add(w.lower())
            patterns.append(w)
    while len(patterns) < n:
        phrase = " ".join(rng.choice(vocabulary) for _ in range(rng.choice((2, 3))))
        if phrase.lower() not in seen:
            seen.add(phrase.lower())
            patterns.append(phrase)
    rng.shuffle(patterns)
    return patterns


def pattern_sets():
    vocabulary = words()
    for name, n in SIZES.items():
        yield name, make_patterns(n, vocabulary, random.Random(f"{SEED}-{name}"))


class VisibleText(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.out = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            text = " ".join(data.split())
            if text:
                self.out.append(text)


def pages():
    for root in DOC_DIRS:
        found = []
        for dirpath, _, files in os.walk(root, followlinks=True):
            found += [os.path.join(dirpath, f) for f in files if f.endswith(".html")]
        yield from sorted(found)


def main():
    missing = [d for d in DOC_DIRS + ["/usr/share/dict/words"] if not os.path.exists(d)]
    if missing:
        sys.exit(f"gen_dataset: missing {', '.join(missing)}: run 'make bench-deps'")
    os.makedirs(DATA, exist_ok=True)
    for name, patterns in pattern_sets():
        with open(os.path.join(DATA, f"patterns-{name}.txt"), "w", encoding="ascii") as f:
            f.write("\n".join(patterns) + "\n")
    count = 0
    with open(os.path.join(DATA, "corpus.html"), "wb") as html_out, \
         open(os.path.join(DATA, "corpus.txt"), "w", encoding="utf-8") as text_out:
        for path in pages():
            with open(path, "rb") as f:
                raw = f.read()
            html_out.write(raw)
            parser = VisibleText()
            parser.feed(raw.decode("utf-8", errors="replace"))
            parser.close()
            text_out.write("\n".join(parser.out) + "\n")
            count += 1
    sizes = {n: os.path.getsize(os.path.join(DATA, n)) for n in ("corpus.html", "corpus.txt")}
    print(f"gen_dataset: {count} pages; corpus.html {sizes['corpus.html']:,} bytes, corpus.txt {sizes['corpus.txt']:,} bytes")


if __name__ == "__main__":
    main()
