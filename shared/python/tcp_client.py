"""TCP client for the upper-casing echo servers.

It connects once, then sends each message and waits for its reply before
sending the next (one send, one recv: the simple course protocol).

Usage: python3 tcp_client.py [port] [message ...]   (default port 8081)
"""
import socket
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
MESSAGES = sys.argv[2:] or ['hello', 'socket', '你好']

client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect((HOST, PORT))
print('connected from %s:%d' % client.getsockname(), flush=True)
for message in MESSAGES:
    client.sendall(message.encode('utf-8'))
    reply = client.recv(1024)
    print('sent %r  got %r' % (message, reply.decode('utf-8', 'replace')), flush=True)
client.close()
