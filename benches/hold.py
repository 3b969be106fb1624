#!/usr/bin/env python3
"""Hostile clients for the benchmark: holds IDLE connections that send nothing and SLOW ones that
ask for a large answer and never read it, reopening each one the server closes, for SECONDS.
Prints how many of each were open (lowest and mean of a sample every half second) and how many
times the server closed them.

Usage: benches/hold.py HOST PORT IDLE SLOW SECONDS [PATH ...]   (PATHs the slow clients ask for)
"""
import asyncio
import os
import socket
import sys

host, port, idle, slow, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
paths = sys.argv[6:] or ["/export/matrix.csv"]
SLOW_HOLD = 20
ENCODING = os.environ.get("ENCODING", "gzip, br")
open_now = {"idle": 0, "slow": 0}
closed = {"idle": 0, "slow": 0}
refused = {"n": 0}


async def connect(small_buffer):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    if small_buffer:
        # A reader that takes nothing: the kernel's buffer on this side stays small.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    await asyncio.get_running_loop().sock_connect(sock, (host, port))
    return sock


async def hold(kind, number, stop):
    loop = asyncio.get_running_loop()
    path = paths[number % len(paths)]
    while not stop.is_set():
        try:
            sock = await connect(kind == "slow")
        except OSError:
            await asyncio.sleep(0.1)
            continue
        open_now[kind] += 1
        try:
            if kind == "slow":
                request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: {ENCODING}\r\n\r\n"
                await loop.sock_sendall(sock, request.encode())
                # Reads only the first bytes (to tell a refusal), then never again.
                first = await asyncio.wait_for(loop.sock_recv(sock, 16), timeout=seconds + 60)
                if first.startswith(b"HTTP/1.1 503"):
                    refused["n"] += 1
            # Wait until the server closes the connection (or the run ends): a zero-length read
            # only comes when it does, because nothing else is read.
            done = asyncio.ensure_future(stop.wait())
            watch = asyncio.ensure_future(wait_closed(sock, kind == "slow"))
            await asyncio.wait({done, watch}, return_when=asyncio.FIRST_COMPLETED)
            done.cancel()
            watch.cancel()
            if not stop.is_set() and kind == "idle":
                closed[kind] += 1
        except (OSError, asyncio.TimeoutError):
            closed[kind] += 1
        finally:
            open_now[kind] -= 1
            sock.close()


async def wait_closed(sock, slow):
    """Returns when the peer closes an idle connection. A slow reader must not read, so it cannot
    see a close behind the unread answer: it gives its connection up after SLOW_HOLD seconds
    (less than the server's send timeout) and opens another, so that SLOW stay open on the
    server's side all the time."""
    loop = asyncio.get_running_loop()
    if slow:
        await asyncio.sleep(SLOW_HOLD)
    else:
        await loop.sock_recv(sock, 1)


async def main():
    stop = asyncio.Event()
    tasks = [asyncio.create_task(hold("idle", i, stop)) for i in range(idle)]
    tasks += [asyncio.create_task(hold("slow", i, stop)) for i in range(slow)]
    samples = {"idle": [], "slow": []}
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        await asyncio.sleep(0.5)
        for kind in samples:
            samples[kind].append(open_now[kind])
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    for kind, values in samples.items():
        print(f"{kind}: {min(values)} to {max(values)} open (mean {sum(values) / len(values):.0f}), closed by the server {closed[kind]} times")
    if refused["n"]:
        print(f"slow: refused with 503 {refused['n']} times")


asyncio.run(main())
