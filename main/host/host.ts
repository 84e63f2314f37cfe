import { timingSafeEqual } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import type { Duplex } from 'node:stream'
import path from 'node:path'
import { createRequire } from 'node:module'
import type { RawData, WebSocket, WebSocketServer as WsServer } from 'ws'
import { PAGE_MAX_BUFFERED_BYTES, PAGE_MAX_IN_FLIGHT, PAGE_MAX_MESSAGE_BYTES, PAGE_PAUSE_BYTES } from '../../shared/budgets'
import { errorData } from '../../shared/errors'
import type { WsMessage, WsRequest } from '../../shared/transport'
import { EventBatcher } from '../lab/event-batcher'
import { fromNodeError, limitError } from '../lab/errors'
import type { Lab } from '../lab/lab'
import { contentSecurityPolicy } from '../../shared/csp'
import { resolveStaticFile } from '../static-files'
import { htmlWithLearnerLook } from '../../shared/theme'
import { newToken } from './web-token'

/**
 * ws through require(), not import: Node 20 imports a CommonJS package by running its lexer over
 * every file to find the named exports, which made `import 'ws'` ~4× the cost of `require('ws')`
 * (≈ 0.4 s of a 1.1 s start under load; tests/bench/startup-bench.ts). Only the types come from the import.
 */
const { WebSocketServer } = createRequire(import.meta.url)('ws') as { WebSocketServer: typeof WsServer }

export interface HostOptions {
  lab: Lab
  /** The built renderer (out/renderer). */
  staticDir: string
  port?: number
  token?: string
  /** Where refused and failed requests are reported (default: stderr). */
  log?: (line: string) => void
}

/** One open page as the host sees it (for tests and diagnostics). */
export interface SocketStats {
  bufferedAmount: number
  inFlight: number
  /** The host stopped reading this page's requests until its answers drain. */
  paused: boolean
  handled: number
}

export interface Host {
  url: string
  port: number
  token: string
  sockets(): SocketStats[]
  close(): Promise<void>
}

const HOST = '127.0.0.1'
/** A file of the built renderer named by its content hash (`assets/index-DtwD8jr-.js`): the same name is the same bytes. */
const HASHED_ASSET = /^\/assets\/[^/]+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$/
const COOKIE = 'lab_token'
/** `Sec-Fetch-Site` of a request the learner's own page (or the address bar) made. */
const OWN_PAGE_FETCH_SITES = ['same-origin', 'none']
/**
 * What one page may make the lab hold (shared/budgets.ts). A page that stops reading its socket
 * gets events dropped (and counted), not queued without bound; results obey the same
 * backpressure: above MAX_BUFFERED_BYTES queued for a page, the host stops reading that page's
 * requests until the queue drains; a page whose queue still passes MAX_SOCKET_BYTES (answers
 * already being computed when it paused) is disconnected rather than allowed to grow the lab.
 */
const MAX_MESSAGE_BYTES = PAGE_MAX_MESSAGE_BYTES
const MAX_BUFFERED_BYTES = PAGE_PAUSE_BYTES
const MAX_SOCKET_BYTES = PAGE_MAX_BUFFERED_BYTES
const MAX_IN_FLIGHT = PAGE_MAX_IN_FLIGHT

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
  const token = options.token ?? newToken()
  const staticDir = path.resolve(options.staticDir)
  const server = http.createServer()
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  let port = 0
  const allowedHosts = () => [`${HOST}:${port}`, `localhost:${port}`]
  const allowedOrigins = () => allowedHosts().map((h) => `http://${h}`)

  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`))

  /**
   * Our own Host header, and the token: in the address, or in the cookie. The cookie alone
   * counts only for the lab's own page: a cookie is same-site for every 127.0.0.1 port, so
   * any other local page could make the browser send it (an <img src> is enough).
   */
  const authorized = (req: http.IncomingMessage, url: URL): boolean => {
    // Exactly one Host (Node keeps the first of several; a proxy in front might read the last).
    if (req.headersDistinct.host?.length !== 1 || !allowedHosts().includes(req.headers.host ?? '')) return false
    if (sameSecret(url.searchParams.get('token'), token)) return true
    return OWN_PAGE_FETCH_SITES.includes(String(req.headers['sec-fetch-site'])) && sameSecret(cookieToken(req.headers.cookie), token)
  }

  const common = {
    'Content-Security-Policy': contentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
  }
  const answer = (res: http.ServerResponse, status: number, text: string) => {
    if (res.headersSent) {
      res.destroy()
      return
    }
    res.writeHead(status, { ...common, 'Content-Type': 'text/plain; charset=utf-8' })
    res.end(`${text}\n`)
  }

  const serveRequest = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${HOST}`)
    if (!authorized(req, url)) {
      answer(res, 401, errorData('ERR_UNAUTHORIZED', 'this address needs the lab token').hint!)
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, common)
      res.end()
      return
    }
    const found = await resolveStaticFile(staticDir, url.pathname)
    if (!found.ok) {
      if (found.status !== 404) log(`browser mode: ${found.status} for ${String(req.url).slice(0, 200)}: ${found.reason}`)
      answer(res, found.status, found.status === 500 ? found.reason : found.status === 400 ? 'bad request' : 'not found')
      return
    }
    const headers: Record<string, string> = { ...common, 'Content-Type': found.type, 'Content-Length': String(found.size) }
    // Vite names every file under assets/ by its content's hash, so a copy kept is never stale: the learner's
    // browser keeps them (and the code it compiled from them) for the next start. The page itself stays no-store.
    if (HASHED_ASSET.test(url.pathname)) headers['Cache-Control'] = 'private, max-age=31536000, immutable'
    if (url.searchParams.has('token')) {
      headers['Set-Cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, headers)
      res.end()
      return
    }
    // The page (index.html, small) carries the learner's saved theme and language, so it never
    // paints the default theme first (issue 16).
    if (found.type.startsWith('text/html')) {
      const saved = await options.lab.call('learner.get', {})
      const look = saved.ok ? saved.value.state : {}
      const body = Buffer.from(htmlWithLearnerLook(await readFile(found.file, 'utf8'), look))
      res.writeHead(200, { ...headers, 'Content-Length': String(body.length) })
      res.end(body)
      return
    }
    // Opened before the status is sent, so a file that cannot be read is still a clean 500.
    const stream = createReadStream(found.file)
    stream.once('error', (err) => {
      log(`browser mode: could not read ${found.file}: ${String(err)}`)
      answer(res, 500, 'the file could not be read')
    })
    stream.once('open', () => {
      res.writeHead(200, headers)
      stream.pipe(res)
    })
    res.once('close', () => stream.destroy())
  }

  // The one entry of the HTTP door: whatever a request does, it gets an answer and the lab lives on.
  server.on('request', (req, res) => {
    serveRequest(req, res).catch((err: unknown) => {
      log(`browser mode: request ${String(req.url).slice(0, 200)} failed: ${String(err)}`)
      answer(res, 400, 'bad request')
    })
  })

  // CONNECT is not a request Node hands to 'request': without this, the socket closed unanswered.
  server.on('connect', (_req: http.IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy())
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
  })

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    try {
      const url = new URL(req.url ?? '/', `http://${HOST}`)
      const originOk = allowedOrigins().includes(req.headers.origin ?? '')
      if (url.pathname !== '/ws' || !originOk || !authorized(req, url)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n')
        return
      }
      wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws))
    } catch (err) {
      log(`browser mode: upgrade ${String(req.url).slice(0, 200)} failed: ${String(err)}`)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    }
  })

  const stats = new Map<WebSocket, SocketStats>()
  const serveSocket = (ws: WebSocket) => {
    const stat: SocketStats = { bufferedAmount: 0, inFlight: 0, paused: false, handled: 0 }
    stats.set(ws, stat)
    const drained = () => {
      stat.bufferedAmount = ws.bufferedAmount
      if (stat.paused && ws.bufferedAmount <= MAX_BUFFERED_BYTES / 2) {
        stat.paused = false
        ws.resume()
      }
    }
    const send = (msg: WsMessage, written?: () => void) => {
      if (ws.readyState !== ws.OPEN) return written?.()
      ws.send(JSON.stringify(msg), () => {
        written?.()
        drained()
      })
      stat.bufferedAmount = ws.bufferedAmount
      if (ws.bufferedAmount > MAX_SOCKET_BYTES) {
        log(`browser mode: a page left ${ws.bufferedAmount} bytes unread (limit ${MAX_SOCKET_BYTES}); disconnected`)
        ws.terminate()
      } else if (!stat.paused && ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        stat.paused = true
        ws.pause()
      }
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
    const refuse = (id: number, message: string) =>
      send({ type: 'result', id, result: { ok: false, error: errorData('ERR_INVALID_INPUT', message, { path: 'method' }) } })
    const handle = async (data: RawData, isBinary: boolean) => {
      let request: WsRequest
      try {
        if (isBinary) throw new Error('binary')
        request = JSON.parse(data.toString()) as WsRequest
        if (typeof request !== 'object' || request === null || typeof request.id !== 'number') throw new Error('shape')
      } catch {
        send({ type: 'result', id: -1, result: { ok: false, error: errorData('ERR_INVALID_INPUT', 'a request must be JSON { id, method, input }') } })
        return
      }
      // Checked before anything touches it: `String({ toString: 1 })` throws.
      if (typeof request.method !== 'string') {
        refuse(request.id, 'a request\'s method must be a string, such as "lab.info"')
        return
      }
      if (stat.inFlight >= MAX_IN_FLIGHT) {
        send({ type: 'result', id: request.id, result: { ok: false, error: limitError('PAGE_MAX_IN_FLIGHT', stat.inFlight, 'wait for answers before asking more').toData() } })
        return
      }
      // A request holds its slot until its answer has left for the page, so unread answers count too.
      stat.inFlight++
      let result: Awaited<ReturnType<Lab['call']>>
      try {
        result = await options.lab.call(request.method, request.input)
      } catch (err) {
        stat.inFlight--
        throw err
      }
      stat.handled++
      send({ type: 'result', id: request.id, result }, () => stat.inFlight--)
    }
    // The one entry of the WebSocket door: no message can end the lab.
    ws.on('message', (data, isBinary) => {
      handle(data, isBinary).catch((err: unknown) => {
        log(`browser mode: a WebSocket message failed: ${String(err)}`)
        send({ type: 'result', id: -1, result: { ok: false, error: errorData('ERR_INTERNAL', 'the request could not be handled') } })
      })
    })
    ws.on('close', () => {
      stats.delete(ws)
      unsubscribe()
      batcher.close()
    })
    ws.on('error', () => ws.terminate())
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(fromNodeError(err, { host: HOST, port: options.port ?? 0 })))
    server.listen({ host: HOST, port: options.port ?? 0 }, () => {
      server.removeAllListeners('error')
      server.on('error', (err) => log(`browser mode: ${String(err)}`))
      resolve()
    })
  })
  port = (server.address() as { port: number }).port

  let closing: Promise<void> | null = null
  return {
    url: `http://${HOST}:${port}/?token=${token}`,
    port,
    token,
    sockets: () => [...stats.entries()].map(([ws, st]) => ({ ...st, bufferedAmount: ws.bufferedAmount })),
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
