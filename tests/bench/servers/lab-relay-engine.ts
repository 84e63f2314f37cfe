/**
 * The relay bench's "lab relay, engine only": the lab's engine (main/lab/lab.ts) running one relay
 * with no conditions in its own process, as the Electron app and `lab web` hold it, with nothing
 * subscribed to its events (no CLI printing). Built into one file by the bench (vite, ssr) and run
 * with node. argv: TARGET_PORT [udp] [WORKERS_DIR]. Prints {"event":"listening","port":N}.
 */
import { Lab } from '../../../main/lab/lab'

const [targetPort, proto, workersDir] = process.argv.slice(2)
const lab = new Lab({ workersDir: workersDir ?? '', door: 'cli', version: 'bench' })
const info = await lab.invoke('net.relay.start', { proto: proto === 'udp' ? 'udp' : 'tcp', targetPort: Number(targetPort) })
console.log(JSON.stringify({ event: 'listening', port: info.listen.port }))
process.on('SIGTERM', () => {
  void lab.close().finally(() => process.exit(0))
})
