#!/usr/bin/env python3
"""A tiny HTTP target for trying WalService by hand: prints every delivery and answers 200.

Usage: python3 scripts/demo-target.py [PORT] [STATUS]
  PORT    where to listen on 127.0.0.1 [8080]
  STATUS  the status to answer with [200]; e.g. 503 to see retries, 400 to see a dead letter
"""
import sys
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
STATUS = int(sys.argv[2]) if len(sys.argv) > 2 else 200


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        now = datetime.now(timezone.utc).strftime("%H:%M:%S.%f")[:-3]
        print(f"{now} {self.path} id={self.headers.get('wal-message-id')} attempt={self.headers.get('wal-attempt')} "
              f"-> {STATUS}: {body.decode('utf-8', 'replace')}", flush=True)
        self.send_response(STATUS)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


print(f"listening on http://127.0.0.1:{PORT}, answering {STATUS}", flush=True)
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
