// The benchmark's UDP baseline: the plainest upper-casing dgram echo Node can run.
// Prints {"event":"listening","port":N}.
import dgram from 'node:dgram'

const socket = dgram.createSocket('udp4')
socket.on('message', (msg, rinfo) => {
  for (let i = 0; i < msg.length; i++) if (msg[i] >= 0x61 && msg[i] <= 0x7a) msg[i] -= 0x20
  socket.send(msg, rinfo.port, rinfo.address)
})
socket.bind({ address: '127.0.0.1', port: Number(process.argv[2] ?? 0) }, () => {
  console.log(JSON.stringify({ event: 'listening', port: socket.address().port }))
})
process.on('SIGTERM', () => process.exit(0))
