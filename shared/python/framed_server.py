"""Upper-casing TCP echo server that frames its messages: a 4-byte length header.

Each message travels as header + body, where the header is
struct.pack('i', len(body)): a 4-byte integer in the machine's own byte order
(little-endian on x86 and ARM). The receiver first reads exactly 4 bytes,
then exactly that many body bytes, so glued or split reads no longer matter.
(For machines of different byte orders, use struct.pack('!I', n): network order.)

Usage: python3 framed_server.py [port]     (default port 8081)
"""
import socketserver
import struct
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
MAX_BODY = 1024 * 1024        # refuse absurd lengths instead of trying to allocate them


def recv_exactly(sock, n):
    """Read exactly n bytes (recv may return fewer); None if the peer closed first."""
    chunks = []
    while n > 0:
        chunk = sock.recv(min(n, 65536))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b''.join(chunks)


class FramedUpperHandler(socketserver.BaseRequestHandler):
    def handle(self):
        print('connection from %s:%d' % self.client_address, flush=True)
        while True:
            header = recv_exactly(self.request, 4)
            if header is None:
                break
            (length,) = struct.unpack('i', header)
            if length < 0 or length > MAX_BODY:
                print('bad length %d: closing' % length, flush=True)
                break
            body = recv_exactly(self.request, length)
            if body is None:
                break
            print('message of %d bytes: %r' % (length, body), flush=True)
            reply = body.upper()
            self.request.sendall(struct.pack('i', len(reply)) + reply)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == '__main__':
    with Server((HOST, PORT), FramedUpperHandler) as server:
        print('listening on %s:%d' % server.server_address, flush=True)
        server.serve_forever()
