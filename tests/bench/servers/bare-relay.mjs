// The relay benchmark's reference: the plainest relay Node can run, no conditions, no events —
// TCP: pipe() both ways (backpressure included); UDP: one socket to the target per client address.
// What it costs is what any user-space relay in Node pays for the extra hop: the lab relay's
// own overhead is the difference. argv: TARGET_PORT [udp]. Prints {"event":"listening","port":N}.
import dgram from 'node:dgram'
import net from 'node:net'

const target = Number(process.argv[2])
const listening = (port) => console.log(JSON.stringify({ event: 'listening', port }))

if (process.argv[3] === 'udp') {
  const front = dgram.createSocket('udp4')
  const peers = new Map()
  front.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}|${rinfo.port}`
    let back = peers.get(key)
    if (!back) {
      back = dgram.createSocket('udp4')
      back.on('message', (reply) => front.send(reply, rinfo.port, rinfo.address))
      peers.set(key, back)
    }
    back.send(msg, target, '127.0.0.1')
  })
  front.bind({ address: '127.0.0.1', port: 0 }, () => listening(front.address().port))
} else {
  // Half-open both ways, as the lab relay: a FIN is passed on (pipe() ends the other side) and the answer still comes back.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: target, allowHalfOpen: true })
    client.setNoDelay(true)
    upstream.setNoDelay(true)
    client.pipe(upstream)
    upstream.pipe(client)
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  })
  server.listen({ host: '127.0.0.1', port: 0 }, () => listening(server.address().port))
}
process.on('SIGTERM', () => process.exit(0))
