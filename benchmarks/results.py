"""What the benchmark runners share: printing a result table and saving it,
dated, under benchmarks/results/."""
import datetime
import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def save(name, lines):
    """Prints `lines` and writes them to benchmarks/results/NAME-DATE.md."""
    text = "\n".join(lines)
    print(text)
    out = os.path.join(ROOT, "benchmarks", "results", f"{name}-{datetime.date.today().isoformat()}.md")
    with open(out, "w") as f:
        f.write(text)
    print(f"saved {os.path.relpath(out, ROOT)}")
