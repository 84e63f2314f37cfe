"""Python's own socketserver servers, for the lab's serial-vs-concurrent comparison.

The lab runs this beside its own servers, with the same clients, the same handler and
the same listen backlog, so that the two can be compared in one run. The handler is the
course's communication loop: recv(1024) until b'', answer each read.

Usage: python3 compare_server.py PORT MODE BACKLOG HANDLER
  MODE     serial (TCPServer), threading (ThreadingTCPServer), forking (ForkingTCPServer)
  BACKLOG  request_queue_size, the listen backlog (socketserver's default is 5)
  HANDLER  upper | echo | reverse | delay:MS (upper-cased after MS milliseconds)
Prints one JSON line when listening: {"event": "listening", "port": N}
"""
import json
import socketserver
import sys
import time

PORT = int(sys.argv[1])
MODE = sys.argv[2]
BACKLOG = int(sys.argv[3])
HANDLER = sys.argv[4]
DELAY = int(HANDLER.split(':')[1]) / 1000 if HANDLER.startswith('delay:') else 0


def answer(data):
    if HANDLER == 'echo':
        return data
    if HANDLER == 'reverse':
        return data[::-1]
    if DELAY:
        time.sleep(DELAY)            # a slow handler: this thread or process waits
    return data.upper()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        while True:                  # communication loop
            try:
                data = self.request.recv(1024)
                if not data:
                    break
                self.request.sendall(answer(data))
            except ConnectionError:
                break


BASE = {
    'serial': socketserver.TCPServer,
    'threading': socketserver.ThreadingTCPServer,
    'forking': getattr(socketserver, 'ForkingTCPServer', None),
}[MODE]


class Server(BASE):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = BACKLOG


if __name__ == '__main__':
    with Server(('127.0.0.1', PORT), Handler) as server:
        print(json.dumps({'event': 'listening', 'port': server.server_address[1]}), flush=True)
        server.serve_forever()
