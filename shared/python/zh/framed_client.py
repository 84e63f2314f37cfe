"""分帧服务器的客户端：每条消息 = 4 字节长度报头 + 正文。

它把所有消息紧接着发出去（它们很可能粘在一起到达），
然后一帧一帧地读回复：先读报头，再读正文。

用法：python3 framed_client.py [端口] [消息 ...]   （默认端口 8081）
"""
import socket
import struct
import sys

HOST = '127.0.0.1'
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8081
MESSAGES = sys.argv[2:] or ['hello', 'world', 'framed', 'messages']
MAX_BODY = 1024 * 1024        # 来自网络的长度，先检查再使用


def recv_exactly(sock, n):
    """正好读 n 个字节：recv(n) 可能返回更少，读 4 字节的报头也一样。"""
    chunks = []
    while n > 0:
        chunk = sock.recv(min(n, 65536))
        if not chunk:
            raise ConnectionError('the server closed the connection')
        chunks.append(chunk)
        n -= len(chunk)
    return b''.join(chunks)


client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.connect((HOST, PORT))
for message in MESSAGES:
    body = message.encode('utf-8')
    client.sendall(struct.pack('i', len(body)) + body)
for message in MESSAGES:
    (length,) = struct.unpack('i', recv_exactly(client, 4))
    if length < 0 or length > MAX_BODY:       # 永远不要用未经检查的 n 去 recv(n)
        raise ConnectionError('bad length %d in a header: closing' % length)
    reply = recv_exactly(client, length)
    print('sent %r  got %r' % (message, reply.decode('utf-8')), flush=True)
client.close()
