"""Upper-casing TCP echo server on socketserver.TCPServer.

socketserver splits a server in two parts:
  - the server class owns the listening socket and runs the accept loop
    (serve_forever);
  - your request handler class runs the communication loop for ONE connection
    in handle(). In it, self.request is the connected socket, self.client_address
    is the client's (ip, port), and self.server is the server object.

Usage: python3 tcp_server_serial.py [port]     (default port 8081)
"""
import socketserver
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081


class UpperHandler(socketserver.BaseRequestHandler):
    def handle(self):
        print('connection from %s:%d' % self.client_address, flush=True)
        try:
            while True:                           # communication loop
                data = self.request.recv(1024)
                if not data:                      # b'' means the client closed its side
                    break
                print('received %r' % data, flush=True)
                self.request.sendall(data.upper())
        except ConnectionError:                   # reset or broken pipe, in recv or sendall:
            pass                                  # this connection ends, the server goes on
        print('closed %s:%d' % self.client_address, flush=True)


# TCPServer serves one connection at a time: handle() must return before the
# next client is accepted. Try two clients at once and watch the second one wait.
class Server(socketserver.TCPServer):
    allow_reuse_address = True   # restart at once on the same port


if __name__ == '__main__':
    with Server((HOST, PORT), UpperHandler) as server:
        print('listening on %s:%d' % server.server_address, flush=True)
        server.serve_forever()                    # the accept loop
