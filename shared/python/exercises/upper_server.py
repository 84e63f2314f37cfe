"""Exercise (a) / 练习 (a): an upper-casing TCP server that survives a client's reset.
一个把消息转成大写的 TCP 服务器，客户端重置连接后它仍然活着。

The lab runs:   python3 upper_server.py PORT
实验室这样运行：python3 upper_server.py 端口

It checks / 它检查：
  1. "hello" gets "HELLO" back.                 发送 "hello"，收到 "HELLO"。
  2. A client that resets the connection while   一个客户端在服务器 sendall() 时重置连接，
     the server is inside sendall().
  3. The next client still gets "HELLO".        下一个客户端仍然收到 "HELLO"。

This starter has the bug of lesson 6: only recv() is inside the try.
这份起始代码带着第 6 课讲的错误：try 里只有 recv()。
"""
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(('127.0.0.1', PORT))
server.listen(5)

while True:
    conn, addr = server.accept()
    while True:
        try:
            data = conn.recv(1024)
        except ConnectionResetError:
            break
        if not data:
            break
        conn.sendall(data.upper())      # a reset here ends the whole server / 这里的重置会让整个服务器退出
    conn.close()
