#!/usr/bin/env python3
"""A Python HTTP server that takes its listening socket from tend (LISTEN_FDS, fd 3).

Run alone it binds PORT itself. On SIGTERM it stops accepting and finishes the requests it has;
connections that arrive meanwhile wait in the held socket's backlog for the next process.
See docs/reload.md.
"""
import json
import os
import signal
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SD_LISTEN_FDS_START = 3
STARTED_AT = time.monotonic()


def listen_fds():
    """systemd's sd_listen_fds(): the fds are ours only when LISTEN_PID is this process."""
    if os.environ.get("LISTEN_PID") != str(os.getpid()):
        return []
    return list(range(SD_LISTEN_FDS_START, SD_LISTEN_FDS_START + int(os.environ.get("LISTEN_FDS", "0"))))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # An idle keep-alive connection is closed after this, so a draining process does not wait on it.
    timeout = 2

    def setup(self):
        super().setup()
        # Headers and body go in separate writes: without this, Nagle and delayed ACKs add 40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        body = b"ok\n" if self.path == "/health" else (
            json.dumps({"pid": os.getpid(), "uptimeMs": int((time.monotonic() - STARTED_AT) * 1000)}) + "\n"
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        if server.closing:
            self.send_header("connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = False  # finish requests in flight before exiting
    closing = False

    def __init__(self, fds):
        if fds:
            # Adopt the inherited, already listening socket instead of binding one.
            super().__init__(("", 0), Handler, bind_and_activate=False)
            self.socket.close()
            self.socket = socket.socket(fileno=fds[0])
        else:
            super().__init__(("127.0.0.1", int(os.environ.get("PORT", "3000"))), Handler)


fds = listen_fds()
server = Server(fds)


def on_term(_signum, _frame):
    server.closing = True
    # shutdown() waits for serve_forever to return, so it runs on another thread.
    threading.Thread(target=server.shutdown).start()


signal.signal(signal.SIGTERM, on_term)
where = f"fd {fds[0]} ({os.environ.get('LISTEN_FDNAMES', 'unnamed')})" if fds else f"port {os.environ.get('PORT', '3000')}"
print(f"pid {os.getpid()} serving on {where}", flush=True)
server.serve_forever()
# Waits for the requests in flight (their threads), then closes this process's copy of the socket.
server.server_close()
