#!/usr/bin/env python3
"""Edit-to-served latency of `serve --watch`: edits one entry EDITS times and polls its page until
the edit is served. Prints each time and the median; restores the file at the end.

Usage: incremental.py BASE_URL ENTRY_FILE [EDITS] [body|summary|rating|review|mixed]
  body (default): a new first paragraph in the Markdown analysis (only the entry's page changes);
  summary: a word in the front matter summary (the pages listing entries are rebuilt too);
  rating: the first safeguard's value flipped between yes and partial, with a new note (the
    entry moves between its topic page's groups, and the matrix and comparisons change);
  review: a new review date with a changelog line (the feed and the citation versions change);
  mixed: the four kinds in turn. Prints the median and the worst, and each kind's median.
"""
import http.client
import os
import re
import statistics
import sys
import time
import urllib.parse


def main():
    base, path = sys.argv[1], sys.argv[2]
    edits = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    where = sys.argv[4] if len(sys.argv) > 4 else "body"
    host = urllib.parse.urlparse(base).netloc
    entry = os.path.splitext(os.path.basename(path))[0]
    original = open(path, encoding="utf-8").read()
    conn = http.client.HTTPConnection(host, timeout=30)
    kinds = ["body", "summary", "rating", "review"] if where == "mixed" else [where]
    times = []
    by_kind = {kind: [] for kind in kinds}
    try:
        for n in range(edits):
            kind = kinds[n % len(kinds)]
            marker = f"Benchmarkedit{n}x{int(time.time())}"
            text = edited(original, kind, marker, n)
            start = time.perf_counter()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            while True:
                conn.request("GET", f"/jurisdictions/{entry}/")
                body = conn.getresponse().read()
                if marker.encode() in body:
                    break
                if time.perf_counter() - start > 120:
                    sys.exit(f"edit {n} not served after 120 s")
                time.sleep(0.002)
            times.append((time.perf_counter() - start) * 1000)
            by_kind[kind].append(times[-1])
            time.sleep(0.5)  # let the watcher settle before the next edit
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
    if len(kinds) == 1:
        print(" ".join(f"{t:.0f}" for t in times) + f" ms; median {statistics.median(times):.0f} ms")
    else:
        each = ", ".join(f"{kind} {statistics.median(t):.0f}" for kind, t in by_kind.items() if t)
        print(f"{len(times)} edits: median {statistics.median(times):.0f} ms, worst {max(times):.0f} ms "
              f"(medians: {each} ms)")


def edited(original, kind, marker, n):
    """The entry with one edit of `kind`, carrying `marker` where its page shows it."""
    if kind == "summary":
        return original.replace("summary: >-\n  ", f"summary: >-\n  {marker} ", 1)
    if kind == "rating":
        head, rest = original.split("\nsafeguards:\n", 1)
        value = 'value: "yes"' if n % 8 < 4 else 'value: "partial"'
        rest = re.sub(r'value: "[a-z]+"', value, rest, count=1)
        rest = rest.replace("note: >-\n      ", f"note: >-\n      {marker} ", 1)
        return head + "\nsafeguards:\n" + rest
    if kind == "review":
        day = f"2026-10-{n % 28 + 1:02d}"
        text = re.sub(r"(?m)^last_reviewed: .*$", f"last_reviewed: {day}", original, count=1)
        return text.replace("changelog:\n", f"changelog:\n  - date: {day}\n    change: {marker} reviewed.\n", 1)
    return original.replace("\n---\n", f"\n---\n{marker}\n\n", 1)


if __name__ == "__main__":
    main()
