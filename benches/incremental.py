#!/usr/bin/env python3
"""Edit-to-served latency of `serve --watch`: edits one entry EDITS times and polls its page until
the edit is served. Prints each time and the median; restores the file at the end.

Usage: incremental.py BASE_URL ENTRY_FILE [EDITS] [body|summary]
  body (default): a new first paragraph in the Markdown analysis (only the entry's page changes);
  summary: a word in the front matter summary (the pages listing entries are rebuilt too).
"""
import http.client
import os
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
    times = []
    try:
        for n in range(edits):
            marker = f"Benchmarkedit{n}x{int(time.time())}"
            if where == "summary":
                text = original.replace("summary: >-\n  ", f"summary: >-\n  {marker} ", 1)
            else:
                text = original.replace("\n---\n", f"\n---\n{marker}\n\n", 1)
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
            time.sleep(0.5)  # let the watcher settle before the next edit
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
    print(" ".join(f"{t:.0f}" for t in times) + f" ms; median {statistics.median(times):.0f} ms")


if __name__ == "__main__":
    main()
