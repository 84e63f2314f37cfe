import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LabProcess } from '../helpers/cli'

/**
 * Issue 12: the HTTP path of browser mode fuzzed the way fuzz-doors.test.ts fuzzes the WebSocket
 * door. Arbitrary request lines (methods, paths with broken percent-encoding, traversal, huge
 * query strings), headers (Host, Cookie, Sec-Fetch-Site, Origin, Upgrade, framing headers, random
 * ones) go as raw bytes to a real `lab web` in its own process, so a crash cannot hide behind the
 * test runner. The properties: the lab never dies, every request gets a status line, 2xx/1xx
 * (or 4xx) — never 5xx, never silence — a 2xx only with the token (in the address, or the cookie
 * from the lab's own page), and the lab still serves its page after each one.
 */
const RUNS = 250

let tmp: string
let web: LabProcess
let port = 0
let token = ''

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'lab-fuzz-http-'))
  web = new LabProcess(['web', '--port', '0', '--no-open', '--json', '--data-dir', path.join(tmp, 'data')])
  const line = await web.waitFor((l) => l.event === 'web')
  port = Number(line.port)
  token = new URL(String(line.url)).searchParams.get('token')!
})

afterAll(async () => {
  await web?.stop()
  rmSync(tmp, { recursive: true, force: true })
})

const alive = () => web.child.exitCode === null && web.child.signalCode === null

/** Sends exactly these bytes; resolves with the status of the first answer (0: the connection closed without one). */
function raw(request: Buffer | string, timeoutMs = 20_000): Promise<{ status: number; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let text = ''
    const done = (status: number) => {
      clearTimeout(timer)
      socket.destroy()
      resolve({ status, head: text.slice(0, 300) })
    }
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer within ${timeoutMs} ms to ${JSON.stringify(String(request).slice(0, 300))}`))
    }, timeoutMs)
    socket.on('data', (d) => {
      text += d.toString('latin1')
      // The status line is all the property needs: the body may be large, and keep-alive may hold the socket.
      const m = /^HTTP\/1\.[01] (\d{3}) /.exec(text)
      if (m) done(Number(m[1]))
      else if (text.length > 64 && !text.startsWith('HTTP/')) done(-1)
    })
    socket.on('error', () => {})
    socket.on('close', () => done(0))
    socket.write(request)
  })
}

type TokenPlace = 'none' | 'right' | 'wrong' | 'empty' | 'twice-right-first' | 'twice-wrong-first'
type CookiePlace = 'none' | 'right' | 'wrong' | 'garbage' | 'right-among-others'
interface Req {
  method: string
  path: string
  query: string
  tokenPlace: TokenPlace
  host: 'right' | 'localhost' | 'evil' | 'missing' | 'twice' | 'no-port'
  cookie: CookiePlace
  fetchSite: string | null
  origin: 'none' | 'right' | 'evil' | 'null'
  upgrade: 'none' | 'websocket-valid' | 'websocket-junk'
  framing: 'none' | 'content-length' | 'bad-content-length' | 'chunked' | 'both'
  extra: [string, string][]
  version: '1.1' | '1.0'
}

const pathPart = fc.oneof(
  fc.constantFrom(
    '', 'index.html', 'assets', 'assets/', 'ws', '%', '%E0%A4%A', '%ff', '%C0%AF', '%2e%2e/%2e%2e/etc/passwd', '..%2f..%2fetc%2fpasswd',
    '....//....//etc/passwd', '%00', '%2F', 'assets/%2e%2e%2f%2e%2e%2fpackage.json', 'index.html%00.png', '.', '..', '~', 'favicon.ico',
    'a'.repeat(5_000), '%25', '%%', '%u0041', '\u00e9', 'assets/../index.html',
  ),
  fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
  fc.stringMatching(/^[A-Za-z0-9%._~!$&'()*+,;=:@-]{0,16}$/),
)
const path_ = fc.array(pathPart, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`)
const query = fc.oneof(fc.constant(''), fc.stringMatching(/^[A-Za-z0-9%=&._~+-]{0,40}$/), fc.constantFrom('%', 'token', 'token=', '&&&', 'a=%ff', 'x'.repeat(10_000)))
const headerName = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,20}$/).filter(
  (n) => !['host', 'cookie', 'sec-fetch-site', 'origin', 'upgrade', 'connection', 'content-length', 'transfer-encoding', 'sec-websocket-key', 'sec-websocket-version', 'expect'].includes(n.toLowerCase()),
)
const headerValue = fc.oneof(fc.stringMatching(/^[\x20-\x7e]{0,40}$/), fc.constantFrom('', ' ', 'x'.repeat(4_000), '\u00ff\u00fe', '%ff'))

const request: fc.Arbitrary<Req> = fc.record({
  // Mostly methods Node parses (an unknown one is the parser's own 400, the host never sees it).
  method: fc.oneof(
    { arbitrary: fc.constantFrom('GET', 'GET', 'GET', 'GET', 'HEAD', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'CONNECT', 'PROPFIND'), weight: 8 },
    { arbitrary: fc.oneof(fc.constantFrom('get', 'G ET'), fc.stringMatching(/^[A-Z]{1,10}$/)), weight: 1 },
  ),
  path: path_,
  query,
  tokenPlace: fc.constantFrom<TokenPlace>('none', 'right', 'right', 'right', 'wrong', 'empty', 'twice-right-first', 'twice-wrong-first'),
  host: fc.constantFrom('right', 'right', 'right', 'right', 'right', 'localhost', 'evil', 'missing', 'twice', 'no-port'),
  cookie: fc.constantFrom<CookiePlace>('none', 'right', 'wrong', 'garbage', 'right-among-others'),
  fetchSite: fc.oneof(fc.constant(null), fc.constantFrom('same-origin', 'none', 'same-site', 'cross-site', 'SAME-ORIGIN', ''), headerValue),
  origin: fc.constantFrom('none', 'right', 'evil', 'null'),
  upgrade: fc.constantFrom('none', 'none', 'none', 'websocket-valid', 'websocket-junk'),
  framing: fc.constantFrom('none', 'none', 'none', 'none', 'none', 'none', 'content-length', 'bad-content-length', 'chunked', 'both'),
  extra: fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
  version: fc.constantFrom('1.1', '1.1', '1.0'),
})

function build(r: Req): string {
  const tokenQuery: Record<TokenPlace, string> = {
    none: '',
    right: `token=${token}`,
    wrong: `token=${'0'.repeat(token.length)}`,
    empty: 'token=',
    'twice-right-first': `token=${token}&token=x`,
    'twice-wrong-first': `token=x&token=${token}`,
  }
  const q = [tokenQuery[r.tokenPlace], r.query].filter(Boolean).join('&')
  const target = q ? `${r.path}?${q}` : r.path
  const lines = [`${r.method} ${target} HTTP/${r.version}`]
  const hosts = { right: [`127.0.0.1:${port}`], localhost: [`localhost:${port}`], evil: [`evil.example:${port}`], missing: [], twice: [`127.0.0.1:${port}`, 'evil.example'], 'no-port': ['127.0.0.1'] }
  for (const h of hosts[r.host]) lines.push(`Host: ${h}`)
  const cookies = { none: null, right: `lab_token=${token}`, wrong: 'lab_token=nope', garbage: '=;;=lab_token;%ff=%', 'right-among-others': `a=b; lab_token=${token}; c` }
  if (cookies[r.cookie] !== null) lines.push(`Cookie: ${cookies[r.cookie]}`)
  if (r.fetchSite !== null) lines.push(`Sec-Fetch-Site: ${r.fetchSite}`)
  const origins = { none: null, right: `http://127.0.0.1:${port}`, evil: 'http://evil.example', null: 'null' }
  if (origins[r.origin] !== null) lines.push(`Origin: ${origins[r.origin]}`)
  if (r.upgrade !== 'none') {
    lines.push('Connection: Upgrade', 'Upgrade: websocket')
    if (r.upgrade === 'websocket-valid') lines.push('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')
    else lines.push('Sec-WebSocket-Version: 99', 'Sec-WebSocket-Key: ???')
  } else {
    lines.push('Connection: close')
  }
  for (const [k, v] of r.extra) lines.push(`${k}: ${v}`)
  let body = ''
  if (r.framing === 'content-length') {
    body = 'hello'
    lines.push('Content-Length: 5')
  } else if (r.framing === 'bad-content-length') lines.push('Content-Length: -1')
  else if (r.framing === 'chunked') {
    lines.push('Transfer-Encoding: chunked')
    body = '5\r\nhello\r\n0\r\n\r\n'
  } else if (r.framing === 'both') {
    lines.push('Content-Length: 3', 'Transfer-Encoding: chunked')
    body = '0\r\n\r\n'
  }
  return `${lines.join('\r\n')}\r\n\r\n${body}`
}

/** What the host must accept: its own Host, and the token in the address or (on its own page only) in the cookie. */
function authorized(r: Req): boolean {
  if (r.host !== 'right' && r.host !== 'localhost') return false
  if (r.tokenPlace === 'right' || r.tokenPlace === 'twice-right-first') return true
  return ['same-origin', 'none'].includes(r.fetchSite ?? '') && (r.cookie === 'right' || r.cookie === 'right-among-others')
}

/** Requests the fuzzer must make whatever it draws: the page, a path out of the renderer folder (404; an unknown path is the page, 200), the cookie on its own page, the WebSocket door, CONNECT, two Hosts. */
const plain: Req = { method: 'GET', path: '/', query: '', tokenPlace: 'right', host: 'right', cookie: 'none', fetchSite: null, origin: 'none', upgrade: 'none', framing: 'none', extra: [], version: '1.1' }
const examples: Req[] = [
  plain,
  { ...plain, path: '/..%2f..%2fetc%2fpasswd' },
  { ...plain, method: 'HEAD', path: '/index.html', tokenPlace: 'none', cookie: 'right', fetchSite: 'same-origin' },
  { ...plain, tokenPlace: 'none', cookie: 'right', fetchSite: 'cross-site' },
  { ...plain, path: '/ws', origin: 'right', upgrade: 'websocket-valid' },
  { ...plain, method: 'CONNECT' },
  { ...plain, host: 'twice' },
  { ...plain, path: '/%E0%A4%A' },
]

async function pageServed(): Promise<void> {
  const page = await raw(`GET /?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`)
  expect(page.status, page.head).toBe(200)
}

describe('fuzz: the HTTP path of browser mode', () => {
  it('answers every request with a status line, never 5xx, a 2xx only with the token, and stays up', async () => {
    const statuses = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const bytes = build(r)
        const context = JSON.stringify(bytes.slice(0, 400))
        const { status, head } = await raw(bytes)
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
        expect(alive(), `the lab exited after ${context}\n${web.stderr.slice(-2_000)}`).toBe(true)
        // Every request is answered: a status line (0 = closed without one; -1 = not HTTP).
        expect(status, `${context} → ${head}`).toBeGreaterThan(0)
        expect(status < 500, `${context} → ${head}`).toBe(true)
        expect([1, 2, 4].includes(Math.floor(status / 100)), `${context} → ${head}`).toBe(true)
        if (status < 300) expect(authorized(r), `answered ${status} without the token: ${context}`).toBe(true)
        if (status === 101) expect(r.path === '/ws' && r.origin === 'right' && r.upgrade === 'websocket-valid', context).toBe(true)
        await pageServed()
      }),
      { numRuns: RUNS, examples: examples.map((e) => [e]) },
    )
    console.log(`HTTP fuzz: ${[...statuses.values()].reduce((a, b) => a + b, 0)} requests, statuses ${[...statuses.entries()].sort().map(([s, n]) => `${s}×${n}`).join(', ')}`)
    // The fuzzer reached the interesting answers, not only the parser's 400s.
    for (const s of [101, 200, 400, 401, 404, 405]) expect(statuses.get(s) ?? 0, `status ${s} seen`).toBeGreaterThan(0)
  }, 300_000)

  it('still answers the contract over its WebSocket after the fuzz', async () => {
    expect(alive()).toBe(true)
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { origin: `http://127.0.0.1:${port}` })
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    const reply = await new Promise<{ type: string; id: number; result: { ok: boolean } }>((resolve) => {
      ws.on('message', (d) => {
        const msg = JSON.parse(String(d)) as { type: string; id: number; result: { ok: boolean } }
        if (msg.type === 'result' && msg.id === 1) resolve(msg)
      })
      ws.send(JSON.stringify({ id: 1, method: 'lab.info', input: {} }))
    })
    expect(reply.result.ok).toBe(true)
    ws.close()
  })
})
