"""Upper-casing UDP echo server on socketserver.ThreadingUDPServer.

UDP has no connections, so there is no accept loop and no communication loop
per client: every datagram is one request. In handle(), self.request is a
pair (data, socket): the datagram's bytes and the server's own UDP socket,
used to answer with sendto(). self.client_address is the sender's (ip, port).

Usage: python3 udp_server.py [port]     (default port 8081)
"""
import socketserver
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081


class UpperHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        print('datagram from %s:%d: %r' % (self.client_address + (data,)), flush=True)
        sock.sendto(data.upper(), self.client_address)


if __name__ == '__main__':
    with socketserver.ThreadingUDPServer((HOST, PORT), UpperHandler) as server:
        print('listening on %s:%d' % server.server_address, flush=True)
        server.serve_forever()
