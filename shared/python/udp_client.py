"""UDP client for the upper-casing echo server.

No connect, no accept: each sendto() is one datagram, and each recvfrom()
returns exactly one datagram, so message boundaries are kept. A datagram
can be lost; this client gives up on a reply after two seconds.

Usage: python3 udp_client.py [port] [message ...]   (default port 8081)
"""
import socket
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
MESSAGES = sys.argv[2:] or ['hello', 'datagram', '你好']

client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
client.settimeout(2)
for message in MESSAGES:
    client.sendto(message.encode('utf-8'), (HOST, PORT))
    try:
        reply, server_address = client.recvfrom(1024)
        print('sent %r  got %r from %s:%d' % ((message, reply.decode('utf-8', 'replace')) + server_address), flush=True)
    except socket.timeout:
        print('sent %r  no reply within 2 s' % message, flush=True)
client.close()
