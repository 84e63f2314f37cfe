"""A TCP receiver that shows sticky packets: what each recv() returns.

TCP carries a stream of bytes, not messages. This server waits a moment
before reading, so several of the client's sends have already arrived; one
recv(1024) then returns them glued together. A message larger than 1024
bytes would come out split across several recv() calls instead.

Usage: python3 sticky_server.py [port]     (default port 8081)
"""
import socketserver
import sys
import time

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081


class ShowReads(socketserver.BaseRequestHandler):
    def handle(self):
        print('connection from %s:%d' % self.client_address, flush=True)
        time.sleep(0.2)                       # a slow reader (200 ms, as in the lesson): sends pile up
        reads = 0
        while True:
            data = self.request.recv(1024)
            if not data:
                break
            reads += 1
            print('recv #%d: %d bytes %r' % (reads, len(data), data), flush=True)
        print('connection closed after %d recv() calls' % reads, flush=True)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == '__main__':
    with Server((HOST, PORT), ShowReads) as server:
        print('listening on %s:%d' % server.server_address, flush=True)
        server.serve_forever()
