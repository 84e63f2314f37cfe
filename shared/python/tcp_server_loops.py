"""Upper-casing TCP echo server written with the socket module alone.

It shows the two loops every TCP server has:
  - the accept loop takes one connection after another;
  - the communication loop serves one connection, message after message.
While the inner loop serves one client, nobody calls accept(): a second
client connects (the kernel queues it) but gets no answer until the first leaves.

Usage: python3 tcp_server_loops.py [port]     (default port 8081)
"""
import socket
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart at once on the same port
server.bind((HOST, PORT))     # a fixed address, so clients know where to find us
server.listen(5)              # up to 5 connections may wait in the kernel's queue
print('listening on %s:%d' % server.getsockname(), flush=True)

while True:                                   # accept loop
    conn, client_address = server.accept()
    print('connection from %s:%d' % client_address, flush=True)
    try:
        while True:                           # communication loop
            data = conn.recv(1024)            # at most 1024 bytes of whatever has arrived
            if not data:                      # b'' means the client closed its side
                break
            print('received %r' % data, flush=True)
            conn.sendall(data.upper())        # sendall keeps sending until every byte is out
    except ConnectionError:                   # reset or broken pipe, in recv OR in sendall:
        pass                                  # end this connection, not the whole server
    conn.close()
    print('closed %s:%d' % client_address, flush=True)
