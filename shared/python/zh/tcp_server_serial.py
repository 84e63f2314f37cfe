"""基于 socketserver.TCPServer 的大写回显 TCP 服务器。

socketserver 把服务器分成两部分：
  - server 类拥有监听套接字，运行链接循环
    （serve_forever）；
  - 你的请求处理类在 handle() 里为“一个”连接运行通信循环。
    在 handle() 里，self.request 是连接套接字，self.client_address
    是客户端的 (ip, 端口)，self.server 是 server 对象。

用法：python3 tcp_server_serial.py [端口]     （默认端口 8081）
"""
import socketserver
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081


class UpperHandler(socketserver.BaseRequestHandler):
    def handle(self):
        print('connection from %s:%d' % self.client_address, flush=True)
        try:
            while True:                           # 通信循环
                data = self.request.recv(1024)
                if not data:                      # b'' 表示客户端关闭了它那一端
                    break
                print('received %r' % data, flush=True)
                self.request.sendall(data.upper())
        except ConnectionError:                   # 在 recv 或 sendall 中被重置、管道断开：
            pass                                  # 这个连接结束，服务器继续运行
        print('closed %s:%d' % self.client_address, flush=True)


# TCPServer 一次服务一个连接：handle() 返回之后才会接受下一个客户端。
# 同时连上两个客户端试试，看第二个怎样等待。
class Server(socketserver.TCPServer):
    allow_reuse_address = True   # 重启后马上能再绑定同一端口


if __name__ == '__main__':
    with Server((HOST, PORT), UpperHandler) as server:
        print('listening on %s:%d' % server.server_address, flush=True)
        server.serve_forever()                    # 链接循环
