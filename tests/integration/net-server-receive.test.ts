import { execFile } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import type { Framing } from '../../shared/contract'
import { encodeFrame, FrameDecoder } from '../../main/lab/net/framing'
import { hasPython } from '../helpers/python'
import { useServerLab } from '../helpers/server-probe'


describe('TcpServer: handlers, receive model and framing', () => {
  const t = useServerLab()

  describe('handlers', () => {
    it.each([
      ['upper', 'Hello, 世界 abc', 'HELLO, 世界 ABC'],
      ['echo', 'Hello, 世界', 'Hello, 世界'],
      ['reverse', 'abc123', '321cba'],
    ])('%s answers %j with %j', async (handler, sent, expected) => {
      const { port, handler: shown } = await t.lab.invoke('net.tcpServer.start', { port: 0, handler })
      expect(shown).toBe(handler)
      const c = await t.connect(port)
      c.send(sent)
      expect((await c.receive(Buffer.byteLength(expected))).toString()).toBe(expected)
    })

    it('delay:<ms> answers upper-cased, only after the delay, without holding up other clients (async)', async () => {
      const { port } = await t.lab.invoke('net.tcpServer.start', { port: 0, handler: 'delay:400' })
      const slow = await t.connect(port)
      slow.send('slow')
      await t.probe.until(() => t.probe.of('recv').find((e) => e.conn === 1), 'recv #1')
      const fast = await t.connect(port)
      fast.send('fast')
      // The second client's reply is due 400 ms after its own read; the first client's comes first.
      expect((await slow.receive(4)).toString()).toBe('SLOW')
      const recv = t.probe.of('recv').find((e) => e.conn === 1)!
      const send = t.probe.of('send').find((e) => e.conn === 1)!
      // A timer never fires early (1 ms of clock rounding allowed): this checks the handler waited, not a speed.
      expect(send.at - recv.at).toBeGreaterThanOrEqual(399)
      expect((await fast.receive(4)).toString()).toBe('FAST')
    })

    it('rejects an unknown handler with ERR_INVALID_INPUT', async () => {
      for (const handler of ['shout', 'delay:', 'delay:60001', 'delay:-1', 'upper ']) {
        const r = await t.lab.call('net.tcpServer.start', { port: 0, handler })
        expect(r, handler).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT' } })
      }
    })
  })

  describe('receive model', () => {
    it('recvSize N hands the handler at most N bytes per read, like recv(N)', async () => {
      const { port, recvSize } = await t.lab.invoke('net.tcpServer.start', { port: 0, recvSize: 4, handler: 'echo' })
      expect(recvSize).toBe(4)
      const c = await t.connect(port)
      c.send('abcdefghij')
      expect((await c.receive(10)).toString()).toBe('abcdefghij')
      const reads = t.probe.of('recv').map((e) => Buffer.from(e.hex, 'hex').toString())
      expect(reads.join('')).toBe('abcdefghij')
      expect(reads.length).toBeGreaterThanOrEqual(3)
      for (const r of reads) expect(r.length).toBeLessThanOrEqual(4)
      expect(t.probe.of('send').map((e) => e.bytes)).toEqual(reads.map((r) => r.length))
    })

    it('readDelayMs makes sends that arrive while the handler is busy merge into one read (粘包)', async () => {
      const { port } = await t.lab.invoke('net.tcpServer.start', { port: 0, readDelayMs: 600 })
      const c = await t.connect(port)
      c.send('one')
      await t.probe.until(() => t.probe.of('recv').length === 1, 'first read')
      c.send('two')
      await new Promise((r) => setTimeout(r, 50))
      c.send('three')
      expect((await c.receive(11)).toString()).toBe('ONETWOTHREE')
      const reads = t.probe.of('recv').map((e) => Buffer.from(e.hex, 'hex').toString())
      expect(reads).toEqual(['one', 'twothree'])
    })

    it('recvSize and readDelayMs together: a slow recv(4) reads merged bytes four at a time', async () => {
      const { port } = await t.lab.invoke('net.tcpServer.start', { port: 0, recvSize: 4, readDelayMs: 300, handler: 'echo' })
      const c = await t.connect(port)
      c.send('ab')
      await t.probe.until(() => t.probe.of('recv').length === 1, 'first read')
      c.send('cd')
      c.send('efgh')
      expect((await c.receive(8)).toString()).toBe('abcdefgh')
      expect(t.probe.of('recv').map((e) => Buffer.from(e.hex, 'hex').toString())).toEqual(['ab', 'cdef', 'gh'])
    })

    it('reports every read with its exact size and at most EVENT_HEX_BYTES of hex', async () => {
      const { port } = await t.lab.invoke('net.tcpServer.start', { port: 0, handler: 'echo' })
      const c = await t.connect(port)
      const big = Buffer.alloc(3000, 0x61)
      c.send(big)
      await c.receive(3000)
      const reads = t.probe.of('recv')
      expect(reads.reduce((n, e) => n + e.bytes, 0)).toBe(3000)
      for (const r of reads) {
        expect(r.hex.length).toBe(Math.min(r.bytes, 256) * 2)
        expect(r.truncated).toBe(r.bytes > 256)
      }
    })
  })

  it.skipIf(!hasPython)('a course-style Python client framing with struct.pack("i", n) gets each message back whole (skipped without python3)', async () => {
    const { port } = await t.lab.invoke('net.tcpServer.start', { port: 0, frame: 'len32le', recvSize: 1024, mode: 'threading' })
    const program = [
      'import socket, struct, sys',
      "s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))",
      "msgs = [b'hello', b'x' * 5000, b'sticky']",
      "s.sendall(b''.join(struct.pack('i', len(m)) + m for m in msgs))",
      'def recv_exactly(n):',
      "    buf = b''",
      '    while len(buf) < n:',
      '        chunk = s.recv(n - len(buf))',
      '        if not chunk: raise SystemExit(3)',
      '        buf += chunk',
      '    return buf',
      'for m in msgs:',
      "    (n,) = struct.unpack('i', recv_exactly(4))",
      '    data = recv_exactly(n)',
      '    assert data == m.upper(), data[:20]',
      '    print(n)',
      's.close()',
    ].join('\n')
    // Asynchronously: the lab serving it runs in this very process.
    const run = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile('python3', ['-c', program, String(port)], { encoding: 'utf8', timeout: 15_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve({ stdout, stderr }),
      ),
    )
    expect(run.stderr).toBe('')
    expect(run.stdout.trim().split('\n')).toEqual(['5', '5000', '6'])
    await t.probe.until(() => t.probe.of('message').length === 3, 'three messages')
    expect(t.probe.of('message').map((e) => e.bytes)).toEqual([5, 5000, 6])
  })

  it.each(['async', 'serial', 'threading', 'forking'] as const)('%s: a 5 MB len32be message comes back whole, upper-cased', async (mode) => {
    const { port } = await t.lab.invoke('net.tcpServer.start', { port: 0, mode, frame: 'len32be' })
    const c = await t.connect(port)
    const payload = Buffer.alloc(5 * 1024 * 1024, 0x61)
    payload.write('end', payload.length - 3)
    c.send(encodeFrame('len32be', payload))
    const got = await c.receive(payload.length + 4, 20_000)
    const [reply] = new FrameDecoder('len32be').push(got)
    expect(reply!.length).toBe(payload.length)
    expect(reply!.subarray(0, 4).toString()).toBe('AAAA')
    expect(reply!.subarray(-3).toString()).toBe('END')
    await t.probe.until(() => t.probe.of('message').length === 1, 'message event')
    expect(t.probe.of('message')[0]!.bytes).toBe(payload.length)
  })

  describe.each(['len32le', 'len32be', 'line'] as const)('framing %s', (frame: Framing) => {
    it('recovers each message however the sends were split or merged, and answers framed', async () => {
      const { port, frame: shown } = await t.lab.invoke('net.tcpServer.start', { port: 0, frame, recvSize: 3 })
      expect(shown).toBe(frame)
      const c = await t.connect(port)
      const messages = ['hello', 'sticky packets', '', '你好']
      const stream = Buffer.concat(messages.map((m) => encodeFrame(frame, Buffer.from(m))))
      // First two messages in one send, the rest split mid-prefix.
      c.send(stream.subarray(0, 13))
      c.send(stream.subarray(13, 15))
      c.send(stream.subarray(15))
      const expected = Buffer.concat(messages.map((m) => encodeFrame(frame, Buffer.from(m.toUpperCase()))))
      const got = await c.receive(expected.length)
      const decoded = new FrameDecoder(frame).push(got).map(String)
      expect(decoded).toEqual(messages.map((m) => m.toUpperCase()))
      await t.probe.until(() => t.probe.of('message').length === messages.length, 'all messages')
      const seen = t.probe.of('message').map((e) => Buffer.from(e.hex, 'hex').toString())
      expect(seen).toEqual(messages)
      for (const e of t.probe.of('message')) expect(e.frame).toBe(frame)
      expect((await t.lab.invoke('net.server.list', {}))[0]!.connections[0]!.messages).toBe(messages.length)
    })
  })

  describe('oversize frames', () => {
    it.each(['len32le', 'len32be'] as const)('%s: a declared length over the cap closes that connection with ERR_FRAME_TOO_LARGE, others go on', async (frame) => {
      const { port } = await t.lab.invoke('net.tcpServer.start', { port: 0, frame, maxFrameBytes: 1024 })
      const good = await t.connect(port)
      const bad = await t.connect(port)
      const header = Buffer.alloc(4)
      if (frame === 'len32le') header.writeUInt32LE(1_000_000)
      else header.writeUInt32BE(1_000_000)
      bad.send(Buffer.concat([encodeFrame(frame, Buffer.from('ok')), header, Buffer.from('xx')]))
      const error = await t.probe.until(() => t.probe.of('error').find((e) => e.conn === 2), 'frame error')
      expect(error.error).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', params: { bytes: 1_000_000, max: 1024 } })
      await t.probe.until(() => t.probe.of('close').find((e) => e.conn === 2 && e.reason === 'error'), 'close #2')
      await t.probe.until(() => bad.closed, 'client sees the close')
      // The message before the bad prefix was still recovered and answered.
      expect(t.probe.of('message').filter((e) => e.conn === 2).map((e) => Buffer.from(e.hex, 'hex').toString())).toEqual(['ok'])
      good.send(encodeFrame(frame, Buffer.from('still here')))
      const got = await good.receive(14)
      expect(new FrameDecoder(frame).push(got).map(String)).toEqual(['STILL HERE'])
    })

    it('the default cap is 16 MiB: a 4 GiB prefix is refused in every mode', async () => {
      for (const mode of ['async', 'serial', 'threading', 'forking'] as const) {
        const { port, maxFrameBytes, id } = await t.lab.invoke('net.tcpServer.start', { port: 0, frame: 'len32be', mode })
        expect(maxFrameBytes).toBe(16 * 1024 * 1024)
        const c = await t.connect(port)
        c.send(Buffer.from('ffffffff', 'hex'))
        const error = await t.probe.until(() => t.probe.of('error', id).find((e) => e.error.code === 'ERR_FRAME_TOO_LARGE'), `${mode} frame error`)
        expect(error.conn).toBe(1)
        await t.probe.until(() => c.closed, `${mode}: the client sees the close`)
        await t.lab.invoke('net.server.stop', { id })
      }
    })
  })
})
