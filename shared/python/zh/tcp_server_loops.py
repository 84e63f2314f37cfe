"""只用 socket 模块写的大写回显 TCP 服务器。

它展示每个 TCP 服务器都有的两个循环：
  - 链接循环（即连接循环）：一个接一个地接受连接；
  - 通信循环：服务一个连接，一条消息接一条消息。
内层循环服务一个客户端时，没有人调用 accept()：第二个客户端能连上
（内核把它放进队列），但要等第一个离开后才得到回复。

用法：python3 tcp_server_loops.py [端口]     （默认端口 8081）
"""
import socket
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # 重启后马上能再绑定同一端口
server.bind((HOST, PORT))     # 固定的地址，客户端才知道去哪里找我们
server.listen(5)              # 内核的等待队列里最多排 5 个连接
print('listening on %s:%d' % server.getsockname(), flush=True)

while True:                                   # 链接循环
    conn, client_address = server.accept()
    print('connection from %s:%d' % client_address, flush=True)
    try:
        while True:                           # 通信循环
            data = conn.recv(1024)            # 最多取 1024 个已经到达的字节
            if not data:                      # b'' 表示客户端关闭了它那一端
                break
            print('received %r' % data, flush=True)
            conn.sendall(data.upper())        # sendall 一直发送，直到所有字节都发出
    except ConnectionError:                   # 连接被重置或管道断开，无论在 recv 还是 sendall 中：
        pass                                  # 结束这个连接，而不是整个服务器
    conn.close()
    print('closed %s:%d' % client_address, flush=True)
