"""大写回显服务器的 UDP 客户端。

没有 connect，也没有 accept：每次 sendto() 是一个数据报，每次 recvfrom()
正好返回一个数据报，所以消息的边界得以保留。数据报可能丢失；
这个客户端等回复最多两秒。

用法：python3 udp_client.py [端口] [消息 ...]   （默认端口 8081）
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
