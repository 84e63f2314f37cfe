"""Client for the framed server: every message is a 4-byte length header + body.

It sends all messages back to back (they may well arrive glued together),
then reads the replies one frame at a time: header first, then the body.

Usage: python3 framed_client.py [port] [message ...]   (default port 8081)
"""
import socket
import struct
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
MESSAGES = sys.argv[2:] or ['hello', 'world', 'framed', 'messages']
MAX_BODY = 1024 * 1024        # a length from the network is checked before it is used


def recv_exactly(sock, n):
    """Read exactly n bytes: recv(n) may return fewer, even recv(4) for a header."""
    chunks = []
    while n > 0:
        chunk = sock.recv(min(n, 65536))
        if not chunk:
            raise ConnectionError('the server closed the connection')
        chunks.append(chunk)
        n -= len(chunk)
    return b''.join(chunks)


client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect((HOST, PORT))
for message in MESSAGES:
    body = message.encode('utf-8')
    client.sendall(struct.pack('i', len(body)) + body)
for message in MESSAGES:
    (length,) = struct.unpack('i', recv_exactly(client, 4))
    if length < 0 or length > MAX_BODY:       # never recv(n) with an unchecked n
        raise ConnectionError('bad length %d in a header: closing' % length)
    reply = recv_exactly(client, length)
    print('sent %r  got %r' % (message, reply.decode('utf-8')), flush=True)
client.close()
