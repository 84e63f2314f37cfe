"""Exercise (b) / 练习 (b): a server that answers two clients at once.
同时回答两个客户端的服务器。

The lab runs:   python3 two_clients.py PORT
实验室这样运行：python3 two_clients.py 端口

It checks / 它检查：
  1. Client A connects, sends "hello", gets "HELLO" and stays connected.
     客户端 A 连上，发送 "hello"，收到 "HELLO"，并保持连接。
  2. While A is still connected, client B sends "world" and must get "WORLD".
     A 还连着的时候，客户端 B 发送 "world"，必须收到 "WORLD"。

This starter uses socketserver.TCPServer, which serves one connection at a time.
这份起始代码用的是 socketserver.TCPServer，它一次只服务一个连接。
"""
import socketserver
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081


class Upper(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            while True:
                data = self.request.recv(1024)
                if not data:
                    break
                self.request.sendall(data.upper())
        except ConnectionError:
            pass


class Server(socketserver.TCPServer):    # change me / 改这里
    allow_reuse_address = True


with Server(('127.0.0.1', PORT), Upper) as server:
    server.serve_forever()
