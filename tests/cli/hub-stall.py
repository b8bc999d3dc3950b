#!/usr/bin/env python3
# hub-stall.py - hubs that stop answering, for the timeout tests, on 127.0.0.1.
#
#   hub-stall.py silent PORTFILE          accepts every connection, never answers
#   hub-stall.py backlog PORTFILE         listens but never accepts, its queue
#                                         full: a connect never completes
#   hub-stall.py cut-fetch PORTFILE PORT  relays to a git daemon on PORT; a
#                                         fetch stalls mid-answer, 12 bytes after
#                                         the client says "done"
#   hub-stall.py cut-push PORTFILE PORT   relays; a push stalls once the hub has
#                                         listed its refs: the commands and the
#                                         pack are held back, nothing answers
#
# Writes the port it listens on to PORTFILE and runs until killed. Each
# connection is logged to stderr with what it was (upload-pack, receive-pack).
import os
import socket
import sys
import threading

MODE, PORTFILE = sys.argv[1], sys.argv[2]
TARGET = int(sys.argv[3]) if len(sys.argv) > 3 else 0
held = []   # sockets kept open, never answered


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def drain(conn):
    """Reads and drops whatever comes, so the client never blocks sending."""
    held.append(conn)
    try:
        while conn.recv(65536):
            pass
    except OSError:
        pass


def pipe(src, dst, limit=None, after=None):
    """Copies src to dst. With `after` (an event), only `limit` more bytes
    pass once it is set; then the rest is read and dropped."""
    passed = 0
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if after is not None and after.is_set():
                room = max(0, limit - passed)
                passed += len(data)
                data = data[:room]
            if data:
                dst.sendall(data)
    except OSError:
        pass


def relay(client):
    first = client.recv(65536)
    pushing = b"git-receive-pack" in first
    log("connection: " + ("receive-pack" if pushing else "upload-pack"))
    server = socket.create_connection(("127.0.0.1", TARGET))
    held.extend([client, server])
    server.sendall(first)
    if MODE == "cut-push" and pushing:
        # the hub's ref list reaches the client; nothing the client sends does
        threading.Thread(target=pipe, args=(server, client), daemon=True).start()
        drain(client)
        return
    done = threading.Event()
    if MODE == "cut-fetch" and not pushing:
        threading.Thread(target=pipe, args=(server, client, 12, done), daemon=True).start()
        watch_done(client, server, done)
        return
    threading.Thread(target=pipe, args=(server, client), daemon=True).start()
    pipe(client, server)


def watch_done(client, server, done):
    """Forwards the client's side, and notes when it has said "done"."""
    seen = b""
    try:
        while True:
            data = client.recv(65536)
            if not data:
                break
            seen = (seen + data)[-64:]
            server.sendall(data)
            if b"0009done\n" in seen:
                done.set()
    except OSError:
        pass


def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    if MODE == "backlog":
        # Linux drops a SYN while the accept queue is full: fill it, never accept
        listener.listen(0)
        for _ in range(3):
            c = socket.socket()
            c.setblocking(False)
            try:
                c.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            held.append(c)
    else:
        listener.listen(16)
    with open(PORTFILE + ".tmp", "w") as f:
        f.write(str(port))
    os.rename(PORTFILE + ".tmp", PORTFILE)
    if MODE == "backlog":
        threading.Event().wait()
    while True:
        conn, _ = listener.accept()
        if MODE == "silent":
            log("connection: silent")
            threading.Thread(target=drain, args=(conn,), daemon=True).start()
        else:
            threading.Thread(target=relay, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
