/**
 * The other end of an `io:<ms>@socket` task: a tiny TCP server on 127.0.0.1 that reads a
 * number of milliseconds ("200\n"), waits that long and answers "done\n". A pool child that
 * waits for the answer is blocked on a real socket, as a program waiting for a slow server is.
 * One per run that needs it, closed with the run.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { MAX_TASK_MS } from '../../../shared/task-spec'

export class SlowPeer {
  private readonly sockets = new Set<Socket>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private closing: Promise<void> | null = null

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static start(): Promise<SlowPeer> {
    return new Promise((resolve, reject) => {
      const server = createServer()
      server.once('error', reject)
      server.listen({ host: '127.0.0.1', port: 0 }, () => {
        const peer = new SlowPeer(server, (server.address() as { port: number }).port)
        server.on('connection', (s) => peer.serve(s))
        resolve(peer)
      })
    })
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    let text = ''
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1')
      const nl = text.indexOf('\n')
      if (nl < 0) {
        if (text.length > 16) socket.destroy()
        return
      }
      socket.removeAllListeners('data')
      const ms = Number(text.slice(0, nl))
      if (!Number.isInteger(ms) || ms < 0 || ms > MAX_TASK_MS) {
        socket.destroy()
        return
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        socket.end('done\n')
      }, ms)
      this.timers.add(timer)
    })
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const t of this.timers) clearTimeout(t)
      this.timers.clear()
      for (const s of this.sockets) s.destroy()
      this.server.close(() => resolve())
    })
    return this.closing
  }
}
