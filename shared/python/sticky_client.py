"""A TCP sender whose messages stick together: several send() calls in a row.

Nothing in the byte stream marks where one message ends, so the receiver
sees the bytes of several sends in one recv().

Usage: python3 sticky_client.py [port] [message ...]   (default port 8081)
"""
import socket
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
MESSAGES = sys.argv[2:] or ['hello', 'world', 'sticky', 'packets']

client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect((HOST, PORT))
for message in MESSAGES:
    client.send(message.encode('utf-8'))      # no reply awaited: the sends follow each other at once
    print('send %r' % message, flush=True)
client.close()
