import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { Lab } from '../../main/lab/lab'
import * as fsp from 'node:fs/promises'
import { spawn } from 'node:child_process'
import { HISTORY_DAMAGED_FILE, HISTORY_FILE, HistoryStore, type HistoryFs } from '../../main/lab/store/history-store'
import type { HistoryMeta } from '../../shared/contract'
import type { WsMessage } from '../../shared/transport'
import { LabProcess } from '../helpers/cli'
import { createTestLab } from '../helpers/lab'
import { LAB_BIN, REPO_ROOT } from '../helpers/paths'

const sample = (n: number) => ({
  kind: 'net.sticky',
  title: `run ${n}`,
  settings: { recvSize: 1024, messages: ['hello', '世界'] },
  summary: { sends: 3, reads: n, merged: n > 1 },
  result: { reads: Array.from({ length: n }, (_, i) => ({ i, bytes: 10 + i })) },
})

describe('HistoryStore', () => {
  let dir: string
  const stores: HistoryStore[] = []
  const open = (d: string | null = dir) => {
    const s = new HistoryStore(d)
    stores.push(s)
    return s
  }
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lab-history-'))
  })
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()))
    rmSync(dir, { recursive: true, force: true })
  })

  it('keeps history in memory when there is no data folder', async () => {
    const s = open(null)
    const a = await s.add(sample(1))
    const b = await s.add({ ...sample(2), kind: 'proc.run' })
    expect((await s.list()).map((m) => m.id)).toEqual([b.id, a.id])
    expect((await s.list({ kind: 'proc.run' })).map((m) => m.id)).toEqual([b.id])
    expect(await s.get(a.id)).toMatchObject({ ...sample(1), id: a.id })
    await s.remove(a.id)
    await expect(s.get(a.id)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    expect(await s.clear()).toEqual({ removed: 1 })
    expect(await s.list()).toEqual([])
  })

  it('writes JSON lines that a new store reads back, removals and clears included', async () => {
    const s = open()
    const metas: HistoryMeta[] = []
    for (let i = 1; i <= 4; i++) metas.push(await s.add(sample(i)))
    await s.remove(metas[1]!.id)
    await s.close()
    const lines = readFileSync(path.join(dir, HISTORY_FILE), 'utf8').trimEnd().split('\n')
    expect(lines).toHaveLength(5)
    expect(JSON.parse(lines[4]!)).toMatchObject({ op: 'remove', id: metas[1]!.id })

    const again = open()
    const listed = await again.list()
    expect(listed.map((m) => m.title)).toEqual(['run 4', 'run 3', 'run 1'])
    expect(await again.get(metas[3]!.id)).toEqual({ ...sample(4), id: metas[3]!.id, at: metas[3]!.at })
    expect(await again.list({ limit: 2 })).toHaveLength(2)
    await again.clear()
    await again.add(sample(9))
    const third = open()
    expect((await third.list()).map((m) => m.title)).toEqual(['run 9'])
  })

  it('drops a torn last line and a garbled line, and the next append is not glued to the torn tail', async () => {
    const s = open()
    const kept = await s.add(sample(1))
    await s.close()
    const file = path.join(dir, HISTORY_FILE)
    appendFileSync(file, 'this line is garbage\n')
    appendFileSync(file, JSON.stringify({ op: 'add', ...sample(2), id: 'torn', at: 1 }).slice(0, 40))

    const reopened = open()
    expect((await reopened.list()).map((m) => m.id)).toEqual([kept.id])
    const next = await reopened.add(sample(3))
    await reopened.close()
    const text = readFileSync(file, 'utf8')
    expect(text.endsWith('\n')).toBe(true)
    expect(text).not.toContain('"id":"torn"')

    const last = open()
    expect((await last.list()).map((m) => m.id)).toEqual([next.id, kept.id])
    expect((await last.get(next.id)).result).toEqual(sample(3).result)
  })

  it('fsyncs every line before the add is acknowledged (seen through the file-system seam)', async () => {
    // Every call on every handle, in order, plus the moment each add resolves.
    const calls: string[] = []
    const watched: HistoryFs = {
      readFile: fsp.readFile,
      rename: fsp.rename,
      mkdir: fsp.mkdir,
      open: (async (...args: Parameters<typeof fsp.open>) => {
        const fh = await fsp.open(...args)
        return new Proxy(fh, {
          get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver) as unknown
            if (typeof value !== 'function') return value
            return (...a: unknown[]) => {
              calls.push(String(prop))
              return (value as (...x: unknown[]) => unknown).apply(target, a)
            }
          },
        })
      }) as typeof fsp.open,
    }
    const s = new HistoryStore(dir, watched)
    stores.push(s)
    for (let i = 1; i <= 3; i++) {
      await s.add(sample(i))
      calls.push('acknowledged')
    }
    await s.remove((await s.list())[0]!.id)
    calls.push('acknowledged')
    // Between two acknowledgements: some writes, then a sync after the last of them.
    const rounds = calls.join(' ').split('acknowledged').slice(0, -1)
    expect(rounds).toHaveLength(4)
    for (const round of rounds) {
      const ops = round.trim().split(' ')
      expect(ops, round).toContain('write')
      expect(ops.lastIndexOf('sync'), round).toBeGreaterThan(ops.lastIndexOf('write'))
    }
  })

  it('keeps damaged lines aside, byte for byte, counts them, and rewrites the file without them', async () => {
    const file = path.join(dir, HISTORY_FILE)
    const good = (id: string) => JSON.stringify({ op: 'add', ...sample(1), id, at: 1_700_000_000_000 })
    const damaged = [
      Buffer.from('this line is garbage'),
      Buffer.from(good('half').slice(0, 60)),
      Buffer.from(`{"op":"add","id":"huge","at":1,"kind":"k","title":"${'x'.repeat(10 * 1024 * 1024)}"}`),
      Buffer.concat([Buffer.from('{"op":"add","id":"utf","at":1,"kind":"k","title":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('","settings":{},"summary":{},"result":null}')]),
      Buffer.from(JSON.stringify({ op: 'add', ...sample(1), id: 'bad-summary', at: 1, summary: 'not an object' })),
      Buffer.from(JSON.stringify({ op: 'add', ...sample(1), id: 'extra', at: 1, sneaky: true })),
      Buffer.from(JSON.stringify({ op: 'remove', id: 42, at: 1 })),
    ]
    const torn = Buffer.from(good('torn').slice(0, 45))
    writeFileSync(file, Buffer.concat([Buffer.from(good('a') + '\n'), ...damaged.flatMap((d) => [d, Buffer.from('\n')]), Buffer.from(good('b') + '\n'), torn]))

    const s = open()
    expect((await s.list()).map((m) => m.id).sort()).toEqual(['a', 'b'])
    expect(await s.status()).toEqual({ file, damaged: damaged.length + 1, keptAside: damaged.length + 1, damagedFile: path.join(dir, HISTORY_DAMAGED_FILE) })
    const aside = readFileSync(path.join(dir, HISTORY_DAMAGED_FILE))
    expect(aside.equals(Buffer.concat([...damaged, torn].flatMap((d) => [d, Buffer.from('\n')])))).toBe(true)
    const next = await s.add(sample(5))
    await s.close()
    const text = readFileSync(file, 'utf8')
    expect(text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['a', 'b', next.id])

    const again = open()
    expect((await again.list()).map((m) => m.id).sort()).toEqual(['a', 'b', next.id].sort())
    expect(await again.status()).toMatchObject({ damaged: 0, keptAside: damaged.length + 1 })
  })

  it('compacts a file whose lines are mostly dead, atomically, keeping every live entry', async () => {
    const s = open()
    const big = { ...sample(1), result: { blob: 'x'.repeat(40_000) } }
    const ids: string[] = []
    for (let i = 0; i < 10; i++) ids.push((await s.add({ ...big, title: `big ${i}` })).id)
    for (const id of ids.slice(0, 8)) await s.remove(id)
    await s.close()
    const file = path.join(dir, HISTORY_FILE)
    const before = readFileSync(file).length
    const again = open()
    expect((await again.list()).map((m) => m.title)).toEqual(['big 9', 'big 8'])
    expect(readFileSync(file).length).toBeLessThan(before / 3)
    expect((await again.get(ids[9]!)).title).toBe('big 9')
    await again.add(sample(2))
    expect(await open().list()).toHaveLength(3)
  })
})

describe('history through the lab', () => {
  let lab: Lab | null = null
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lab-history-'))
  })
  afterEach(async () => {
    await lab?.close()
    lab = null
    rmSync(dir, { recursive: true, force: true })
  })

  it('validates input: unknown keys, functions-free JSON, the size cap', async () => {
    lab = createTestLab(dir)
    expect(await lab.call('history.add', { ...sample(1), extra: 1 } as never)).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT' } })
    expect(await lab.call('history.add', { ...sample(1), summary: { nested: { no: 1 } } } as never)).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT' } })
    expect(await lab.call('history.add', { ...sample(1), result: 'x'.repeat(600 * 1024) })).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT' } })
    expect(await lab.call('history.add', { ...sample(1), kind: 'has spaces' })).toMatchObject({ ok: false, error: { code: 'ERR_INVALID_INPUT' } })
    const ok = await lab.call('history.add', sample(1))
    expect(ok.ok).toBe(true)
  })

  it('reports ERR_STORAGE when the data folder cannot be written, and keeps running', async () => {
    // A regular file where the folder should be: mkdir fails even for root.
    const notADir = path.join(dir, 'blocked')
    writeFileSync(notADir, 'not a folder')
    lab = createTestLab(notADir)
    const events: string[] = []
    lab.onEvent((e) => events.push(e.topic))
    const r = await lab.call('history.add', sample(1))
    expect(r).toMatchObject({ ok: false, error: { code: 'ERR_STORAGE' } })
    expect(await lab.call('history.list', {})).toEqual({ ok: true, value: [] })
    const info = await lab.call('lab.info', {})
    expect(info.ok).toBe(true)
    expect(events).not.toContain('history.changed')
  })

  it('emits history.changed after a change', async () => {
    lab = createTestLab(dir)
    const seen: unknown[] = []
    lab.onEvent((e) => {
      if (e.topic === 'history.changed') seen.push(e.payload)
    })
    const meta = await lab.invoke('history.add', sample(1))
    await lab.invoke('history.remove', { id: meta.id })
    expect(seen).toMatchObject([{ op: 'add', id: meta.id }, { op: 'remove', id: meta.id }])
    expect(await lab.call('history.remove', { id: meta.id })).toMatchObject({ ok: false, error: { code: 'ERR_NOT_FOUND' } })
  })
})

describe('history survives kill -9 of the lab mid-write', () => {
  let web: LabProcess | null = null
  let dir: string
  afterEach(async () => {
    // After our own SIGKILL the child has exited with a signal (exitCode stays null).
    if (web && web.child.exitCode === null && web.child.signalCode === null) await web.stop('SIGKILL')
    web = null
    rmSync(dir, { recursive: true, force: true })
  })

  it('keeps every acknowledged record readable and drops the torn tail', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lab-history-kill-'))
    web = new LabProcess(['web', '--port', '0', '--no-open', '--json', '--data-dir', dir])
    const line = await web.waitFor((l) => l.event === 'web')
    expect(line.dataDir).toBe(dir)
    const port = Number(line.port)
    const token = new URL(String(line.url)).searchParams.get('token')
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { origin: `http://127.0.0.1:${port}` })
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))

    // Keep several adds in flight so the kill lands while the lab is writing.
    const acked = new Map<string, number>()
    let nextId = 1
    let killed = false
    const sendOne = () => {
      const id = nextId++
      ws.send(JSON.stringify({ id, method: 'history.add', input: { ...sample(id % 7), title: `entry ${id}`, result: { n: id, pad: 'p'.repeat(20_000) } } }))
    }
    const done = new Promise<void>((resolve) => {
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as WsMessage
        if (msg.type !== 'result' || killed) return
        expect(msg.result.ok).toBe(true)
        if (msg.result.ok) acked.set((msg.result.value as HistoryMeta).id, msg.id)
        if (acked.size >= 40) {
          killed = true
          web!.child.kill('SIGKILL')
          resolve()
        } else sendOne()
      })
    })
    for (let i = 0; i < 4; i++) sendOne()
    await done
    await new Promise((r) => web!.child.once('exit', r))
    ws.terminate()

    const lab = createTestLab(dir)
    try {
      const listed = await lab.invoke('history.list', { limit: 1000 })
      const ids = new Set(listed.map((m) => m.id))
      for (const id of acked.keys()) expect(ids.has(id), `acknowledged entry ${id} lost`).toBe(true)
      for (const meta of listed) {
        const entry = await lab.invoke('history.get', { id: meta.id })
        expect(entry.title).toBe(`entry ${(entry.result as { n: number }).n}`)
      }
      // A record torn by a crash (simulated: half a line at the end) is dropped, and writing goes on.
      appendFileSync(path.join(dir, HISTORY_FILE), JSON.stringify({ op: 'add', ...sample(1), id: 'half', at: Date.now() }).slice(0, 50))
    } finally {
      await lab.close()
    }
    const after = createTestLab(dir)
    try {
      const before = await after.invoke('history.list', { limit: 1000 })
      expect(before.some((m) => m.id === 'half')).toBe(false)
      await after.invoke('history.add', sample(2))
      expect(await after.invoke('history.list', { limit: 1000 })).toHaveLength(before.length + 1)
    } finally {
      await after.close()
    }
  })
})

describe('history under a file-size limit (RLIMIT_FSIZE: a short write, like a full disk)', () => {
  let dir: string
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('never acknowledges a record it could not write whole, and keeps the file in whole lines', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'lab-history-fsize-'))
    // Every file the lab writes may grow to 64 KiB: two 25 KB records fit, the third is cut short.
    const child = spawn('prlimit', [`--fsize=${64 * 1024}`, process.execPath, LAB_BIN, 'web', '--port', '0', '--no-open', '--json', '--data-dir', dir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    const exited = new Promise((r) => child.once('exit', r))
    try {
      const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (d) => {
          out += d
          const first = out.split('\n').find((l) => l.includes('"event":"web"'))
          if (first) resolve(JSON.parse(first) as Record<string, unknown>)
        })
        child.once('exit', (code) => reject(new Error(`lab exited (${code}) before starting`)))
      })
      const port = Number(line.port)
      const token = new URL(String(line.url)).searchParams.get('token')
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { origin: `http://127.0.0.1:${port}` })
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
      let nextId = 1
      const add = (title: string, padBytes: number) =>
        new Promise<WsMessage & { type: 'result' }>((resolve) => {
          const id = nextId++
          const onMessage = (data: WebSocket.RawData) => {
            const msg = JSON.parse(String(data)) as WsMessage
            if (msg.type === 'result' && msg.id === id) {
              ws.off('message', onMessage)
              resolve(msg)
            }
          }
          ws.on('message', onMessage)
          ws.send(JSON.stringify({ id, method: 'history.add', input: { ...sample(1), title, result: { pad: 'p'.repeat(padBytes) } } }))
        })
      const results = [await add('one', 25_000), await add('two', 25_000), await add('three', 25_000), await add('small', 1_000)]
      ws.terminate()
      expect(results.map((r) => r.result.ok)).toEqual([true, true, false, true])
      expect(results[2]!.result).toMatchObject({ ok: false, error: { code: 'ERR_STORAGE' } })
      const text = readFileSync(path.join(dir, HISTORY_FILE), 'utf8')
      expect(text.endsWith('\n')).toBe(true)
      for (const l of text.split('\n').filter(Boolean)) expect(() => JSON.parse(l)).not.toThrow()
    } finally {
      child.kill('SIGKILL')
      await exited
    }
    // Every acknowledged record is there after a restart, none glued to a torn line.
    const lab = createTestLab(dir)
    try {
      const listed = await lab.invoke('history.list', {})
      expect(listed.map((m) => m.title).sort()).toEqual(['one', 'small', 'two'])
      expect(await lab.invoke('history.status', {})).toMatchObject({ damaged: 0 })
    } finally {
      await lab.close()
    }
  })
})
