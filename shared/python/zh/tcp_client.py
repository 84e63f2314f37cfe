"""大写回显服务器的 TCP 客户端。

它只连接一次，然后逐条发送消息，每发一条都等到回复再发下一条
（一次 send，一次 recv：课程里简单的协议）。

用法：python3 tcp_client.py [端口] [消息 ...]   （默认端口 8081）
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
