#!/usr/bin/env python3
"""Latency of /api/search over a mixed query set, one request at a time (p50/p99 per stream).

Usage: search_latency.py BASE_URL QUERIES_FILE [ROUNDS]
Prints a table; exits non-zero if any request fails or answers non-2xx.
"""
import http.client
import statistics
import sys
import time
import urllib.parse


def percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def main():
    base, queries_file = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    host = urllib.parse.urlparse(base).netloc
    queries = [q.strip() for q in open(queries_file, encoding="utf-8") if q.strip()]
    conn = http.client.HTTPConnection(host, timeout=10)
    timings = {"/api/search": [], "/search": [], "/healthz": []}
    errors = 0
    for _ in range(rounds):
        for q in queries:
            for path in ("/api/search", "/search"):
                url = f"{path}?q={urllib.parse.quote(q)}"
                start = time.perf_counter()
                conn.request("GET", url)
                response = conn.getresponse()
                response.read()
                timings[path].append((time.perf_counter() - start) * 1000)
                if not 200 <= response.status < 300:
                    errors += 1
                    print(f"non-2xx {response.status} for {url}", file=sys.stderr)
        start = time.perf_counter()
        conn.request("GET", "/healthz")
        conn.getresponse().read()
        timings["/healthz"].append((time.perf_counter() - start) * 1000)
    print(f"{'endpoint':<12} {'requests':>8} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for path, values in timings.items():
        print(f"{path:<12} {len(values):>8} {percentile(values, 50):>8.2f} {percentile(values, 99):>8.2f} {statistics.mean(values):>8.2f}")
    print(f"errors: {errors}")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
