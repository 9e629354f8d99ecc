#!/usr/bin/env python3
"""Builds the triage benchmark's referrals (seeded, so every run is the same).

Pages: the matcher corpus's real HTML (Debian documentation, 2,391 pages) plus
synthetic indicator pages made from the example rules' phrases (plain,
obfuscated with zero-width characters, leetspeak, spacing and hidden text,
and framed as news). Each page is written once under
benchmarks/data/triage/pages/; referrals point at them by path, so a large
batch reuses pages the way real batches see the same page reported many
times. Referral files: referrals-1k, -10k and -100k.ndjson, about one
referral in eight of them a duplicate by URL variant.

    python3 benchmarks/triage/gen_referrals.py
"""
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "benchmarks", "data")
OUT = os.path.join(DATA, "triage")

PHRASES = ["attack plan", "day of the attack", "target list", "step-by-step guide for the device", "heroes of the operation",
           "blessed attack", "follow their example", "join our ranks", "join the fight", "message me privately",
           "donate to the cause", "send funds for the fighters", "Example Media Foundation", "long live National Action"]
FRAMES = ["According to police, a news report said", "Researchers found that posts claiming", "The court heard that the defendant wrote"]
FILLER = ("the forum thread continues with replies about the weather, the match on saturday, a recipe and a "
          "question about train times; nothing else of note appears in this part of the page").split()


def obfuscate(phrase, how, rng):
    if how == "zero-width":
        i = rng.randrange(1, len(phrase))
        return phrase[:i] + "\u200b" + phrase[i:]
    if how == "leet":
        return phrase.translate(str.maketrans({"a": "4", "e": "3", "t": "7", "o": "0", "i": "1"}))
    if how == "spaced":
        return "  ".join(" ".join(word) for word in phrase.split())
    return phrase


def synthetic_page(rng, n):
    paragraphs = []
    for _ in range(rng.randint(3, 12)):
        words = [rng.choice(FILLER) for _ in range(rng.randint(20, 80))]
        if rng.random() < 0.5:
            phrase = obfuscate(rng.choice(PHRASES), rng.choice(["plain", "plain", "zero-width", "leet", "spaced"]), rng)
            words.insert(rng.randrange(len(words) + 1), phrase)
        text = " ".join(words)
        if rng.random() < 0.2:
            text = rng.choice(FRAMES) + " " + text
        hidden = ' style="display:none"' if rng.random() < 0.1 else ""
        paragraphs.append(f"<p{hidden}>SYNTHETIC TEST CONTENT. {text}.</p>")
    return (f"<!doctype html><html><head><title>Synthetic page {n}</title></head><body>"
            + "".join(paragraphs) + f'<img src="i.png" alt="{rng.choice(PHRASES)}"></body></html>')


def main():
    corpus = os.path.join(DATA, "corpus.html")
    if not os.path.exists(corpus):
        subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", "matcher", "gen_dataset.py")], check=True)
    rng = random.Random(20261124)
    os.makedirs(os.path.join(OUT, "pages"), exist_ok=True)
    data = open(corpus, "rb").read()
    pages = []
    start = 0
    while True:
        end = data.find(b"</html>", start)
        if end < 0:
            break
        pages.append(data[start:end + 7])
        start = end + 7
    names = []
    for i, page in enumerate(pages):
        name = f"pages/real-{i:05d}.html"
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(page)
        names.append(name)
    for i in range(600):
        name = f"pages/synthetic-{i:05d}.html"
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
            f.write(synthetic_page(rng, i))
        names.append(name)
    sources = ["public"] * 8 + ["trusted-flagger", "platform"]
    for label, count in [("1k", 1_000), ("10k", 10_000), ("100k", 100_000)]:
        with open(os.path.join(OUT, f"referrals-{label}.ndjson"), "w", encoding="utf-8") as f:
            for k in range(count):
                page = rng.randrange(len(names))
                url = f"https://site{page % 97}.example.invalid/p/{page}"
                if rng.random() < 0.125:
                    url = url.replace("site", "SITE") + "?utm_source=share#top"
                f.write(json.dumps({"id": f"B-{k:06d}", "url": url, "path": names[page], "source": rng.choice(sources),
                                    "reported_at": "2026-11-24T00:00:00Z"}) + "\n")
    print(f"{len(names)} pages, referral files in {OUT}")


if __name__ == "__main__":
    main()
