"""给消息分帧的大写回显 TCP 服务器：4 字节的长度报头。

每条消息以“报头 + 正文”的形式传送，报头是
struct.pack('i', len(body))：一个按本机字节序打包的 4 字节整数
（x86 和 ARM 上是小端）。接收方先读满 4 个字节，
再读满那么多正文字节，于是读取粘在一起还是被拆开都不再要紧。
（两端机器字节序不同时，用 struct.pack('!I', n)：网络字节序。）

用法：python3 framed_server.py [端口]     （默认端口 8081）
"""
import socketserver
import struct
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
MAX_BODY = 1024 * 1024        # 拒绝荒唐的长度，而不是试图分配那么多内存


def recv_exactly(sock, n):
    """正好读 n 个字节（recv 可能返回更少）；对方先关闭则返回 None。"""
    chunks = []
    while n > 0:
        chunk = sock.recv(min(n, 65536))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b''.join(chunks)


class FramedUpperHandler(socketserver.BaseRequestHandler):
    def handle(self):
        print('connection from %s:%d' % self.client_address, flush=True)
        while True:
            header = recv_exactly(self.request, 4)
            if header is None:
                break
            (length,) = struct.unpack('i', header)
            if length < 0 or length > MAX_BODY:
                print('bad length %d: closing' % length, flush=True)
                break
            body = recv_exactly(self.request, length)
            if body is None:
                break
            print('message of %d bytes: %r' % (length, body), flush=True)
            reply = body.upper()
            self.request.sendall(struct.pack('i', len(reply)) + reply)


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == '__main__':
    with Server((HOST, PORT), FramedUpperHandler) as server:
        print('listening on %s:%d' % server.server_address, flush=True)
        server.serve_forever()
