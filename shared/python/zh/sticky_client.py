"""消息会粘在一起的 TCP 发送端：连续多次调用 send()。

字节流里没有任何东西标出一条消息在哪里结束，所以接收方
会在一次 recv() 里看到几次 send() 的字节。

用法：python3 sticky_client.py [端口] [消息 ...]   （默认端口 8081）
"""
import socket
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
MESSAGES = sys.argv[2:] or ['hello', 'world', 'sticky', 'packets']

client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect((HOST, PORT))
for message in MESSAGES:
    client.send(message.encode('utf-8'))      # 不等回复：几次 send 紧接着发出
    print('send %r' % message, flush=True)
client.close()
