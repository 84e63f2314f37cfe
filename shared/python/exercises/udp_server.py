"""Exercise (d) / 练习 (d): a UDP server that answers three datagrams in order.
一个按顺序回答三个数据报的 UDP 服务器。

The lab runs:   python3 udp_server.py PORT
实验室这样运行：python3 udp_server.py 端口

It sends "one", "two" and "three" from one socket, one datagram each, and expects
"ONE", "TWO" and "THREE" back, in that order.
它从同一个套接字发送 "one"、"two"、"three"，每个一个数据报，并期望按顺序收回
"ONE"、"TWO"、"THREE"。

This starter echoes each datagram unchanged.
这份起始代码把每个数据报原样发回。
"""
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(('127.0.0.1', PORT))
while True:
    data, address = sock.recvfrom(1024)
    sock.sendto(data, address)          # upper-case it / 转成大写
