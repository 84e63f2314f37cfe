"""展示粘包的 TCP 接收端：每次 recv() 返回什么。

TCP 传送的是字节流，不是消息。这个服务器先等一会儿再读，
客户端的几次 send 已经都到了；于是一次 recv(1024) 把它们粘在一起返回。
反过来，超过 1024 字节的消息则会被拆开，分几次 recv() 才收完（拆包/半包）。

用法：python3 sticky_server.py [端口]     （默认端口 8081）
"""
import socketserver
import sys
import time

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081


class ShowReads(socketserver.BaseRequestHandler):
    def handle(self):
        print('connection from %s:%d' % self.client_address, flush=True)
        time.sleep(0.2)                       # 读得慢（200 ms，和课文一致）：发来的数据越积越多
        reads = 0
        while True:
            data = self.request.recv(1024)
            if not data:
                break
            reads += 1
            print('recv #%d: %d bytes %r' % (reads, len(data), data), flush=True)
        print('connection closed after %d recv() calls' % reads, flush=True)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == '__main__':
    with Server((HOST, PORT), ShowReads) as server:
        print('listening on %s:%d' % server.server_address, flush=True)
        server.serve_forever()
