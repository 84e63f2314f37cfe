"""基于 socketserver.ThreadingUDPServer 的大写回显 UDP 服务器。

UDP 没有连接，所以没有链接循环，也没有每个客户端的通信循环：
每个数据报就是一个请求。在 handle() 里，self.request 是一个
元组 (data, socket)：数据报的字节和服务器自己的 UDP 套接字，
用它的 sendto() 回复。self.client_address 是发送者的 (ip, 端口)。

用法：python3 udp_server.py [端口]     （默认端口 8081）
"""
import socketserver
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081


class UpperHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        print('datagram from %s:%d: %r' % (self.client_address + (data,)), flush=True)
        sock.sendto(data.upper(), self.client_address)


if __name__ == '__main__':
    with socketserver.ThreadingUDPServer((HOST, PORT), UpperHandler) as server:
        print('listening on %s:%d' % server.server_address, flush=True)
        server.serve_forever()
