// The relay benchmark's bulk targets, the plainest Node can run. argv: PORT MODE.
// MODE "echo": every byte written back as it came (pipe to itself, backpressure included);
// MODE "sink": reads everything, and once the client's FIN came writes the byte count and closes
// (so a client times one direction: its first byte out to the count back).
// Prints {"event":"listening","port":N}.
import net from 'node:net'

const mode = process.argv[3] ?? 'echo'
// Half-open: the sink still writes its count after the client's FIN.
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  socket.on('error', () => {})
  if (mode === 'echo') return void socket.pipe(socket)
  let bytes = 0
  socket.on('data', (chunk) => (bytes += chunk.length))
  socket.on('end', () => socket.end(String(bytes)))
})
server.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) }, () => {
  console.log(JSON.stringify({ event: 'listening', port: server.address().port }))
})
process.on('SIGTERM', () => process.exit(0))
