/**
 * The socket-table parsers on recorded and hand-written outputs (tests/fixtures/sockets-*), and the
 * Linux reader on a made-up /proc: owners from fd links, sockets no process holds matched by port,
 * a process that vanished reported as gone.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import type { OsSocket } from '../../shared/contract/os'
import { compareSockets, descendantsOf, formatIpv6, sortSockets } from '../../main/lab/net/socket-table-common'
import { descendantsFromPs, parseBsdEndpoint, parseListenQueuesDarwin, parseNetstatDarwin, DarwinSocketReader } from '../../main/lab/net/socket-table-darwin'
import { kernelFields, LinuxSocketReader, parseProcAddress, parseProcNet, parseProcNetBytes, parseSockstat, socketInode } from '../../main/lab/net/socket-table-linux'
import { parseSsListen, SocketTable } from '../../main/lab/net/socket-table'
import { parseWin32Sockets } from '../../main/lab/net/socket-table-win32'
import { REPO_ROOT } from '../helpers/paths'

const FIXTURES = join(REPO_ROOT, 'tests', 'fixtures')

const fixture = (dir: string, name: string) => readFileSync(join(FIXTURES, dir, name), 'utf8')

describe('Linux /proc/net parsers', () => {
  it('addresses in the kernel\'s hex, little- and big-endian, v4 and v6', () => {
    expect(parseProcAddress('0100007F:1F91', true)).toEqual({ address: '127.0.0.1', port: 8081 })
    expect(parseProcAddress('7F000001:1F91', false)).toEqual({ address: '127.0.0.1', port: 8081 })
    expect(parseProcAddress('00000000:0000', true)).toEqual({ address: '0.0.0.0', port: 0 })
    expect(parseProcAddress('00000000000000000000000001000000:46A2', true)).toEqual({ address: '::1', port: 18082 })
    expect(parseProcAddress('0000000000000000FFFF00000100007F:0050', true)).toEqual({ address: '::ffff:127.0.0.1', port: 80 })
    expect(parseProcAddress('B80D0120000000000000000001000000:0050', true)).toEqual({ address: '2001:db8::1', port: 80 })
    expect(parseProcAddress('zz:12', true)).toBeNull()
    expect(parseProcAddress('0100007F', true)).toBeNull()
  })

  it('formats IPv6 as ss does: the longest zero run compressed', () => {
    const b = (...words: number[]) => new Uint8Array(words.flatMap((w) => [w >> 8, w & 0xff]))
    expect(formatIpv6(b(0, 0, 0, 0, 0, 0, 0, 0))).toBe('::')
    expect(formatIpv6(b(0xfe80, 0, 0, 0, 1, 0, 0, 2))).toBe('fe80::1:0:0:2')
    expect(formatIpv6(b(1, 2, 3, 4, 5, 6, 7, 8))).toBe('1:2:3:4:5:6:7:8')
    expect(formatIpv6(b(1, 0, 2, 3, 4, 5, 6, 7))).toBe('1:0:2:3:4:5:6:7')
  })

  const ssRows = fixture('sockets-linux', 'ss-tan.txt')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))

  it('every TCP row of a recorded /proc/net/tcp{,6} has the state and queues ss printed at the same moment', () => {
    const rows = [...parseProcNet(fixture('sockets-linux', 'tcp.txt'), 'tcp', 4, true), ...parseProcNet(fixture('sockets-linux', 'tcp6.txt'), 'tcp', 6, true)]
    expect(rows.length).toBe(ssRows.length)
    const ssName = (s: string) => (s === 'ESTAB' ? 'ESTABLISHED' : s.replace(/-/g, '_').replace(/^FIN_WAIT_(\d)$/, 'FIN_WAIT$1'))
    const ep = (e: { address: string; port: number }, listen: boolean) => (listen && e.port === 0 ? `${e.address.includes(':') ? '[::]' : '0.0.0.0'}:*` : e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`)
    for (const r of rows) {
      const listen = r.state === 'LISTEN'
      const s = ssRows.find((x) => x[3] === ep(r.local, false) && x[4] === ep(r.remote, listen))
      expect(s, `${r.state} ${ep(r.local, false)}`).toBeDefined()
      expect(ssName(s![0]!)).toBe(r.state)
      // ss counts a FIN that arrived as one byte to read; the table counts bytes.
      const finIn = r.state === 'CLOSE_WAIT' || r.state === 'LAST_ACK' || r.state === 'CLOSING'
      expect(Number(s![1])).toBe(listen ? r.acceptQueue : r.recvQueueBytes! + (finIn ? 1 : 0))
      if (!listen) expect(Number(s![2])).toBe(r.sendQueueBytes)
    }
  })

  it('the recorded rows: accept queue of a listener, unread bytes, sockets without a file', () => {
    const rows = parseProcNet(fixture('sockets-linux', 'tcp.txt'), 'tcp', 4, true)
    const at = (local: number, remote: number) => rows.find((r) => r.local.port === local && r.remote.port === remote)!
    expect(at(18081, 0)).toMatchObject({ state: 'LISTEN', acceptQueue: 1, recvQueueBytes: null, orphan: false, inode: 67152 })
    expect(at(18081, 33850)).toMatchObject({ state: 'ESTABLISHED', recvQueueBytes: 11, sendQueueBytes: 0, inode: 67155 })
    // Closed by the program, waiting for the peer's FIN: no file, a timer running (0x175C ticks = 59.8 s).
    expect(at(18081, 33860)).toMatchObject({ state: 'FIN_WAIT2', orphan: true, inode: 0, timerMs: 59_800 })
    // Still in the accept queue when the client closed: CLOSE_WAIT, no file yet; the kernel's 1 is the FIN, not a byte.
    expect(at(18081, 33876)).toMatchObject({ state: 'CLOSE_WAIT', orphan: true, recvQueueBytes: 0 })
    const v6 = parseProcNet(fixture('sockets-linux', 'tcp6.txt'), 'tcp', 6, true)
    expect(v6.find((r) => r.state === 'LISTEN')).toMatchObject({ family: 6, local: { address: '::1', port: 18082 }, acceptQueue: 1 })
  })

  it('UDP: unconnected sockets, with the kernel memory a queued datagram takes (more than its 8 bytes)', () => {
    const u = parseProcNet(fixture('sockets-linux', 'udp.txt'), 'udp', 4, true).find((r) => r.local.port === 18083)
    expect(u).toMatchObject({ proto: 'udp', state: 'UNCONN', local: { address: '127.0.0.1', port: 18083 }, recvQueueBytes: 0x340, acceptQueue: null })
    const u6 = parseProcNet(fixture('sockets-linux', 'udp6.txt'), 'udp', 6, true).find((r) => r.local.port === 18084)
    expect(u6).toMatchObject({ state: 'UNCONN', local: { address: '::', port: 18084 } })
  })

  it('malformed lines are skipped, not guessed', () => {
    const head = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n'
    expect(parseProcNet(`${head}   0: 0100007F:1F91 00000000:0000 0A 00000000:00000000\n   1: garbage\n`, 'tcp', 4, true)).toEqual([])
    expect(parseProcNet('', 'tcp', 4, true)).toEqual([])
  })

  it('the byte scanner builds only the rows asked for (by inode), with the same fields as every row', () => {
    const text = fixture('sockets-linux', 'tcp.txt')
    const all = parseProcNet(text, 'tcp', 4, true)
    const b = Buffer.from(text, 'latin1')
    const asked: number[] = []
    const some = parseProcNetBytes(b, b.length, 'tcp', 4, true, (inode) => (asked.push(inode), inode === 67155 || inode === 0))
    expect(asked.length).toBe(all.length) // every row's inode is looked at once …
    expect(some).toEqual(all.filter((r) => r.inode === 67155 || r.inode === 0)) // … and only the kept ones are built
    expect(some.length).toBeGreaterThan(1)
    // A length shorter than the buffer ends the table there (the reader's buffer is reused between reads).
    const firstTwo = text.split('\n').slice(0, 3).join('\n').length
    expect(parseProcNetBytes(b, firstTwo, 'tcp', 4, true)).toEqual(all.slice(0, 2))
  })

  it('every recorded row is read at the kernel\'s fixed offsets; a line printed otherwise is tokenised instead, to the same rows', () => {
    for (const [name, family] of [['tcp.txt', 4], ['tcp6.txt', 6], ['udp.txt', 4], ['udp6.txt', 6]] as const) {
      const text = fixture('sockets-linux', name)
      const b = Buffer.from(text, 'latin1')
      let at = text.indexOf('\n') + 1
      for (const line of text.slice(at).split('\n').filter((l) => l.trim())) {
        expect(kernelFields(b, at, at + line.length, family === 4 ? 8 : 32), `${name}: ${line}`).toBe(true)
        at += line.length + 1
      }
      // Two spaces between fields: no field where the kernel's layout puts it, the same rows all the same.
      const widened = text.split('\n').map((l, i) => (i === 0 ? l : l.replace(/(\S) (?=\S)/g, '$1  '))).join('\n')
      expect(widened).not.toBe(text)
      const proto = name.startsWith('tcp') ? 'tcp' : 'udp'
      expect(parseProcNet(widened, proto, family, true)).toEqual(parseProcNet(text, proto, family, true))
      expect(parseProcNet(text, proto, family, true).length).toBeGreaterThan(0)
    }
  })

  it('sockstat: sockets in use per protocol; unreadable → null', () => {
    const m = parseSockstat('sockets: used 20\nTCP: inuse 3 orphan 0 tw 2 alloc 4 mem 1\nUDP: inuse 0 mem 0\n')!
    expect(m.get('TCP')).toBe(3)
    expect(m.get('UDP')).toBe(0)
    expect(parseSockstat('TCP6: inuse 0\nUDP6: inuse 1\n')!.get('UDP6')).toBe(1)
    expect(parseSockstat(null)).toBeNull()
  })

  it('fd links: only sockets', () => {
    expect(socketInode('socket:[67152]')).toBe(67152)
    expect(socketInode('pipe:[1]')).toBeNull()
    expect(socketInode('/dev/null')).toBeNull()
  })

  it('ss -ltn: the limit of each listener (Send-Q), v4, v6 and wildcard', () => {
    expect(parseSsListen(fixture('sockets-linux', 'ss-ltn.txt'))).toEqual(
      expect.arrayContaining([
        { address: '127.0.0.1', port: 18081, limit: 5 },
        { address: '::1', port: 18082, limit: 2 },
      ]),
    )
    expect(parseSsListen('LISTEN 0 511 *:8081 *:*\nLISTEN 0 4096 [::ffff:127.0.0.1]:9 [::]:*\nESTAB 0 0 1.2.3.4:5 6.7.8.9:10')).toEqual([
      { address: '*', port: 8081, limit: 511 },
      { address: '::ffff:127.0.0.1', port: 9, limit: 4096 },
    ])
  })
})

describe('the table\'s order', () => {
  it('sortSockets puts sockets in exactly compareSockets\' order, ties on both ports included', () => {
    const states = ['LISTEN', 'ESTABLISHED', 'TIME_WAIT', 'CLOSE_WAIT', 'UNCONN', 'SYN_RECV'] as const
    const socket = fc.record({
      proto: fc.constantFrom('tcp' as const, 'udp' as const),
      family: fc.constantFrom(4 as const, 6 as const),
      state: fc.constantFrom(...states),
      // A few ports only, so that many sockets share a port pair and the last tie-breaks are needed.
      local: fc.record({ address: fc.constant('127.0.0.1'), port: fc.constantFrom(0, 1, 80, 65_535) }),
      remote: fc.record({ address: fc.constant('127.0.0.1'), port: fc.constantFrom(0, 2, 65_535) }),
      inode: fc.nat(),
    })
    fc.assert(
      fc.property(fc.array(socket, { maxLength: 300 }), (list) => {
        const sockets = list as unknown as OsSocket[]
        const expected = [...sockets].sort(compareSockets)
        const got = [...sockets]
        sortSockets(got)
        expect(got).toEqual(expected)
        expect(got.every((s, i) => s === expected[i])).toBe(true) // the same objects, equal ones in their old order
      }),
    )
  })
})

describe('the Linux reader on a made-up /proc', () => {
  let root = ''
  afterEach(() => root && rmSync(root, { recursive: true, force: true }))

  function fakeProc(): string {
    root = mkdtempSync(join(tmpdir(), 'fake-proc-'))
    const proc = (pid: number, children: number[]) => {
      mkdirSync(join(root, `${pid}/task/${pid}`), { recursive: true })
      writeFileSync(join(root, `${pid}/status`), `Name:\tnode\nTgid:\t${pid}\n`)
      writeFileSync(join(root, `${pid}/stat`), `${pid} (node) S 1 ${pid}`)
      writeFileSync(join(root, `${pid}/task/${pid}/children`), children.map((c) => `${c} `).join(''))
    }
    proc(100, [101])
    proc(101, [])
    mkdirSync(join(root, '100/fd'))
    symlinkSync('socket:[67152]', join(root, '100/fd/3')) // the listener on 18081
    symlinkSync('socket:[67155]', join(root, '100/fd/4')) // the connection with 11 unread bytes
    symlinkSync('/dev/null', join(root, '100/fd/0'))
    // 101 has no fd folder: it exited between the listing and the read.
    mkdirSync(join(root, '100/net'))
    for (const f of ['tcp', 'tcp6', 'udp', 'udp6']) writeFileSync(join(root, `100/net/${f}`), fixture('sockets-linux', `${f}.txt`))
    mkdirSync(join(root, 'sys/net/core'), { recursive: true })
    writeFileSync(join(root, 'sys/net/core/somaxconn'), '4096\n')
    return root
  }

  it('owners from fd links; the listener\'s orphans by port; a vanished child reported as gone', async () => {
    const table = new SocketTable(new LinuxSocketReader(fakeProc()), { ss: false })
    const t = await table.read(100)
    expect(t.pids).toEqual([100, 101])
    expect(t.unreadable).toEqual([{ pid: 101, reason: 'gone' }])
    expect(t.somaxconn).toBe(4096)
    const at = (local: number, remote: number) => t.sockets.find((s) => s.local.port === local && s.remote.port === remote)
    expect(at(18081, 0)).toMatchObject({ state: 'LISTEN', pid: 100, match: 'fd', acceptQueue: 1, acceptQueueLimit: null })
    expect(at(18081, 33850)).toMatchObject({ pid: 100, match: 'fd', recvQueueBytes: 11 })
    expect(at(18081, 33876)).toMatchObject({ pid: null, match: 'accept-queue', state: 'CLOSE_WAIT' })
    expect(at(18081, 33860)).toMatchObject({ pid: null, match: 'listen-port', state: 'FIN_WAIT2' })
    // Client ends of connections to the listener, held by no process any more.
    expect(at(33876, 18081)).toMatchObject({ pid: null, match: 'peer-port' })
    // The client end 33850 belongs to another process (inode 67153 is not in 100's fds): not ours.
    expect(at(33850, 18081)).toBeUndefined()
    // [::1]:18082 is not a listener of 100: nothing of it is in the table.
    expect(t.sockets.some((s) => s.local.port === 18082 || s.remote.port === 18082)).toBe(false)
    expect(t.sockets[0]!.state).toBe('LISTEN')
  })

  it('tcp6 is skipped only when sockstat6 says no IPv6 socket is in use and none was seen for 2 minutes; udp6 when it is empty', async () => {
    const proc = fakeProc()
    const tcp6 = fixture('sockets-linux', 'tcp6.txt')
    const header = tcp6.split('\n')[0] + '\n'
    writeFileSync(join(proc, '100/net/sockstat'), 'TCP: inuse 3 orphan 0 tw 1 alloc 3 mem 0\nUDP: inuse 1 mem 0\n')
    writeFileSync(join(proc, '100/net/sockstat6'), 'TCP6: inuse 0\nUDP6: inuse 0\n')
    writeFileSync(join(proc, '100/net/tcp6'), header)
    symlinkSync('socket:[67162]', join(proc, '100/fd/5')) // the udp6 socket on [::]:18084 is 100's
    const reader = new LinuxSocketReader(proc)
    const v6Rows = (r: ReturnType<LinuxSocketReader['readSync']>) => r.rows.filter((x) => x.family === 6).length
    expect(v6Rows(reader.readSync(100, [100]))).toBe(0) // the first read reads every table (nothing seen before it)
    // A tcp6 row appearing while sockstat6 still says 0 (a TIME_WAIT): not read — no IPv6 socket was seen in the last 2 minutes.
    writeFileSync(join(proc, '100/net/tcp6'), tcp6)
    writeFileSync(join(proc, '100/net/udp6'), fixture('sockets-linux', 'udp6.txt'))
    expect(v6Rows(reader.readSync(100, [100]))).toBe(0)
    // An IPv6 socket in use: read; from then on tcp6 is read for 2 minutes even at inuse 0 (its TIME_WAIT stays visible).
    writeFileSync(join(proc, '100/net/sockstat6'), 'TCP6: inuse 1\nUDP6: inuse 0\n')
    expect(v6Rows(reader.readSync(100, [100]))).toBeGreaterThan(0)
    writeFileSync(join(proc, '100/net/sockstat6'), 'TCP6: inuse 0\nUDP6: inuse 0\n')
    const later = reader.readSync(100, [100])
    expect(later.rows.some((x) => x.family === 6 && x.proto === 'tcp')).toBe(true)
    expect(later.rows.some((x) => x.family === 6 && x.proto === 'udp')).toBe(false) // UDP6 inuse 0: an empty table, not read
    // A read of every socket skips nothing.
    expect(reader.readSync(100, null).rows.some((x) => x.family === 6 && x.proto === 'udp')).toBe(true)
  })

  it('a root that is not there, or a thread id, is no process', async () => {
    const reader = new LinuxSocketReader(fakeProc())
    expect(reader.processesSync(999)).toBeNull()
    mkdirSync(join(root, '102'))
    writeFileSync(join(root, '102/status'), 'Name:\tnode\nTgid:\t100\n')
    expect(reader.processesSync(102)).toBeNull()
    await expect(new SocketTable(reader, { ss: false }).read(999)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
  })

  it('no reader for this OS: ERR_UNSUPPORTED', async () => {
    await expect(new SocketTable(null).read(1)).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED' })
  })
})

describe('macOS netstat parsers (hand-written samples)', () => {
  it('endpoints as BSD writes them', () => {
    expect(parseBsdEndpoint('127.0.0.1.8081')).toEqual({ address: '127.0.0.1', port: 8081 })
    expect(parseBsdEndpoint('::1.8082')).toEqual({ address: '::1', port: 8082 })
    expect(parseBsdEndpoint('fe80::1%lo0.80')).toEqual({ address: 'fe80::1', port: 80 })
    expect(parseBsdEndpoint('*.*')).toEqual({ address: '*', port: 0 })
    expect(parseBsdEndpoint('nodot')).toBeNull()
  })

  it('TCP and UDP rows with their PID, queues and states; listen queues from -L', () => {
    const tcp = parseNetstatDarwin(fixture('sockets-darwin', 'netstat-tcp.txt'))
    expect(tcp).toHaveLength(6)
    expect(tcp[0]).toMatchObject({ proto: 'tcp', family: 4, state: 'ESTABLISHED', recvQueueBytes: 11, sendQueueBytes: 0, pid: 501, orphan: false })
    expect(tcp[2]).toMatchObject({ state: 'TIME_WAIT', pid: null, orphan: true })
    expect(tcp[3]).toMatchObject({ state: 'LISTEN', local: { address: '127.0.0.1', port: 8081 }, remote: { address: '0.0.0.0', port: 0 }, recvQueueBytes: null })
    const udp = parseNetstatDarwin(fixture('sockets-darwin', 'netstat-udp.txt'))
    expect(udp[0]).toMatchObject({ proto: 'udp', state: 'UNCONN', recvQueueBytes: 8, pid: 501 })
    expect(udp[1]).toMatchObject({ family: 6, local: { address: '::', port: 5353 }, pid: 412 })
    expect(parseListenQueuesDarwin(fixture('sockets-darwin', 'netstat-listen.txt'))).toEqual([
      { local: { address: '127.0.0.1', port: 8081 }, qlen: 2, incqlen: 0, maxqlen: 5 },
      { local: { address: '::1', port: 8082 }, qlen: 0, incqlen: 0, maxqlen: 128 },
    ])
    expect(descendantsFromPs(fixture('sockets-darwin', 'ps.txt'), 501)).toEqual([501, 610])
    expect(descendantsFromPs(fixture('sockets-darwin', 'ps.txt'), 9)).toBeNull()
  })

  it('the reader puts it together: PID 501 and its child, the TIME_WAIT of a client of its listener', async () => {
    const outputs: Record<string, string> = {
      'ps -axo pid=,ppid=': fixture('sockets-darwin', 'ps.txt'),
      'netstat -anv -p tcp': fixture('sockets-darwin', 'netstat-tcp.txt'),
      'netstat -anv -p udp': fixture('sockets-darwin', 'netstat-udp.txt'),
      'netstat -Lan -p tcp': fixture('sockets-darwin', 'netstat-listen.txt'),
    }
    const reader = new DarwinSocketReader((cmd, args) => Promise.resolve(outputs[[cmd, ...args].join(' ')] ?? ''))
    const t = await new SocketTable(reader, { ss: false }).read(501)
    const l = t.sockets.find((s) => s.state === 'LISTEN' && s.local.port === 8081)
    expect(l).toMatchObject({ acceptQueue: 2, acceptQueueLimit: 5, acceptQueueLimitSource: 'netstat', pid: 501 })
    expect(t.sockets.find((s) => s.state === 'TIME_WAIT')).toMatchObject({ match: 'peer-port', local: { port: 52301 } })
    expect(t.sockets.find((s) => s.local.port === 52344)).toMatchObject({ pid: 610, match: 'fd' })
    expect(t.sockets.some((s) => s.pid === 321 || s.pid === 412)).toBe(false)
  })
})

describe('Windows PowerShell parser (hand-written sample)', () => {
  it('states from the enum numbers, owners, TIME_WAIT without one, a single UDP object, no queue figures', () => {
    const { rows, parents } = parseWin32Sockets(fixture('sockets-win32', 'sockets.json'))
    expect(rows).toHaveLength(6)
    expect(rows[0]).toMatchObject({ state: 'LISTEN', pid: 4200, acceptQueue: null, acceptQueueLimit: null, recvQueueBytes: null })
    expect(rows[3]).toMatchObject({ state: 'TIME_WAIT', pid: null, orphan: true })
    expect(rows[4]).toMatchObject({ family: 6, local: { address: '::', port: 135 } })
    expect(rows[5]).toMatchObject({ proto: 'udp', state: 'UNCONN', pid: 4200 })
    expect(descendantsOf(parents, 4200)).toEqual([4200, 4300])
    expect(descendantsOf(parents, 0)).toEqual([0, 4])
  })
})
