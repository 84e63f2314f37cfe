"""Exercise (c) / 练习 (c): a framed client that recovers every message.
一个能还原每条消息的分帧客户端。

The lab runs a server on 127.0.0.1:PORT and then:   python3 framed_client.py PORT
实验室在 127.0.0.1:端口 上运行一个服务器，然后运行：python3 framed_client.py 端口

Every message the server sends is a 4-byte length, struct.pack('i', n), then n bytes.
服务器发出的每条消息都是 4 字节长度 struct.pack('i', n)，后面跟 n 个字节。
Your client must / 你的客户端必须：
  - print each message body (UTF-8) on its own line, until the server closes;
    每条消息的正文（UTF-8）单独打印一行，直到服务器关闭连接；
  - when a length is below 0 or above 1 MiB (1048576), print "bad length N"
    and exit with code 1, without calling recv(N).
    长度小于 0 或大于 1 MiB（1048576）时，打印 "bad length N" 并以退出码 1 退出，不要调用 recv(N)。

It checks a sticky burst (several messages in one send, a header split in two)
and a server that announces a 2 GB message.
它检查一次粘在一起的突发发送（一次 send 里有几条消息，还有一个被拆成两半的报头），
以及一个声称要发 2 GB 消息的服务器。

This starter ignores the framing: it prints whatever each recv() returns.
这份起始代码不管分帧：每次 recv() 得到什么就打印什么。
"""
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081

client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect(('127.0.0.1', PORT))
while True:
    data = client.recv(1024)
    if not data:
        break
    print(data.decode('utf-8', 'replace'), flush=True)
client.close()
