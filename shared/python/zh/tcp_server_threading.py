"""基于 socketserver.ThreadingTCPServer 的大写回显 TCP 服务器。

socketserver 把服务器分成两部分：
  - server 类拥有监听套接字，运行链接循环
    （serve_forever）；
  - 你的请求处理类在 handle() 里为“一个”连接运行通信循环。
    在 handle() 里，self.request 是连接套接字，self.client_address
    是客户端的 (ip, 端口)，self.server 是 server 对象。

用法：python3 tcp_server_threading.py [端口]     （默认端口 8081）
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


# ThreadingTCPServer 为每个连接开一个新线程，所以能同时服务许多客户端。
# 这就是课程里的服务器。
class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True   # 重启后马上能再绑定同一端口
    daemon_threads = True        # 连接线程不会让程序一直不退出


if __name__ == '__main__':
    with Server((HOST, PORT), UpperHandler) as server:
        print('listening on %s:%d' % server.server_address, flush=True)
        server.serve_forever()                    # 链接循环
