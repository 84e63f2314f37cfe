// The benchmark's baseline: the plainest upper-casing TCP echo server Node can run
// (no events, no framing, no modes). Prints {"event":"listening","port":N}.
import net from 'node:net'

const server = net.createServer((socket) => {
  socket.on('data', (chunk) => {
    for (let i = 0; i < chunk.length; i++) if (chunk[i] >= 0x61 && chunk[i] <= 0x7a) chunk[i] -= 0x20
    socket.write(chunk)
  })
  socket.on('end', () => socket.end())
  socket.on('error', () => {})
})
// argv[3]: the listen backlog (Node's default 511), so that it can be compared like for like.
server.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0), ...(process.argv[3] ? { backlog: Number(process.argv[3]) } : {}) }, () => {
  console.log(JSON.stringify({ event: 'listening', port: server.address().port }))
})
process.on('SIGTERM', () => process.exit(0))
