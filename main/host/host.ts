import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import http from 'node:http'
import type { Duplex } from 'node:stream'
import path from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { errorData } from '../../shared/errors'
import type { WsMessage, WsRequest } from '../../shared/transport'
import { EventBatcher } from '../lab/event-batcher'
import type { Lab } from '../lab/lab'
import { contentSecurityPolicy } from '../../shared/csp'

export interface HostOptions {
  lab: Lab
  /** The built renderer (out/renderer). */
  staticDir: string
  port?: number
  token?: string
}

export interface Host {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

const HOST = '127.0.0.1'
const COOKIE = 'lab_token'
const MAX_MESSAGE_BYTES = 1024 * 1024
/** A page that stops reading its socket gets events dropped (and counted), not queued without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
}

function sameSecret(a: string | null | undefined, b: string): boolean {
  if (!a) return false
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function cookieToken(header: string | undefined): string | null {
  for (const part of (header ?? '').split(';')) {
    const [k, v] = part.trim().split('=')
    if (k === COOKIE && v) return v
  }
  return null
}

/**
 * Browser mode: the built renderer over HTTP and the contract over one WebSocket, on
 * 127.0.0.1 only. Every request needs the random token (in the URL, then a same-site
 * cookie); the WebSocket also needs our own Origin, and every request our own Host header
 * (so a web page elsewhere cannot reach the lab by DNS rebinding).
 */
export async function startHost(options: HostOptions): Promise<Host> {
  const token = options.token ?? randomBytes(24).toString('hex')
  const staticDir = path.resolve(options.staticDir)
  const server = http.createServer()
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  let port = 0
  const allowedHosts = () => [`${HOST}:${port}`, `localhost:${port}`]
  const allowedOrigins = () => allowedHosts().map((h) => `http://${h}`)

  const authorized = (req: http.IncomingMessage, url: URL): boolean =>
    allowedHosts().includes(req.headers.host ?? '') &&
    (sameSecret(url.searchParams.get('token'), token) || sameSecret(cookieToken(req.headers.cookie), token))

  server.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${HOST}`)
    const common = {
      'Content-Security-Policy': contentSecurityPolicy(),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
    }
    if (!authorized(req, url)) {
      res.writeHead(401, { ...common, 'Content-Type': 'text/plain; charset=utf-8' })
      res.end(`${errorData('ERR_UNAUTHORIZED', 'this address needs the lab token').hint}\n`)
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, common)
      res.end()
      return
    }
    let file = path.resolve(staticDir, '.' + decodeURIComponent(url.pathname))
    if (!file.startsWith(staticDir + path.sep) && file !== staticDir) {
      res.writeHead(404, common)
      res.end()
      return
    }
    let info = await stat(file).catch(() => null)
    if (!info || info.isDirectory()) {
      // The renderer is one page: any unknown path gets index.html.
      file = path.join(staticDir, 'index.html')
      info = await stat(file).catch(() => null)
    }
    if (!info) {
      res.writeHead(500, { ...common, 'Content-Type': 'text/plain; charset=utf-8' })
      res.end('The renderer is not built. Run `npm run build`, then start browser mode again.\n')
      return
    }
    const headers: Record<string, string> = {
      ...common,
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(info.size),
    }
    if (url.searchParams.has('token')) {
      headers['Set-Cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`
    }
    res.writeHead(200, headers)
    if (req.method === 'HEAD') res.end()
    else createReadStream(file).pipe(res)
  })

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', `http://${HOST}`)
    const originOk = allowedOrigins().includes(req.headers.origin ?? '')
    if (url.pathname !== '/ws' || !originOk || !authorized(req, url)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws))
  })

  const serveSocket = (ws: WebSocket) => {
    const send = (msg: WsMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg))
    }
    let carriedDrops = 0
    const batcher = new EventBatcher((events, dropped) => {
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        carriedDrops += events.length + dropped
        return
      }
      send({ type: 'events', events, dropped: dropped + carriedDrops })
      carriedDrops = 0
    })
    const unsubscribe = options.lab.onEvent((event) => batcher.push(event))
    ws.on('message', async (data, isBinary) => {
      let request: WsRequest
      try {
        if (isBinary) throw new Error('binary')
        request = JSON.parse(data.toString()) as WsRequest
        if (typeof request !== 'object' || request === null || typeof request.id !== 'number') throw new Error('shape')
      } catch {
        send({ type: 'result', id: -1, result: { ok: false, error: errorData('ERR_INVALID_INPUT', 'a request must be JSON { id, method, input }') } })
        return
      }
      const result = await options.lab.call(String(request.method), request.input)
      send({ type: 'result', id: request.id, result })
    })
    ws.on('close', () => {
      unsubscribe()
      batcher.close()
    })
    ws.on('error', () => ws.terminate())
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: HOST, port: options.port ?? 0 }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as { port: number }).port

  let closing: Promise<void> | null = null
  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closing
    },
  }
}
