import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, it } from 'vitest'
import { PYTHON_PROGRAMS } from '../../shared/python/programs'
import { createTestLab } from '../helpers/lab'
import { REPO_ROOT } from '../helpers/paths'
import { hasPython } from '../helpers/python'


const PROGRAMS = path.join(REPO_ROOT, 'shared', 'python')

const until = async (check: () => boolean, what: string, ms = 20_000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not in time`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

interface Started {
  child: ChildProcess
  port: number
  lines: string[]
  exited: Promise<number | null>
}

/** Starts one of the lab's Python programs on port 0 and waits for "listening on …". */
async function startServer(file: string): Promise<Started> {
  const child = spawn('python3', ['-u', path.join(PROGRAMS, file), '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l))
  createInterface({ input: child.stderr! }).on('line', (l) => lines.push(l))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  await until(() => lines.some((l) => /^listening on /.test(l)), `${file} listening`)
  const port = Number(/:(\d+)\s*$/.exec(lines.find((l) => l.startsWith('listening on'))!)![1])
  return { child, port, lines, exited }
}

/** Where a process sleeps in the kernel (Linux /proc): 'wait_woken' in a blocking recv() or send(). */
const wchan = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/wchan`, 'utf8')
  } catch {
    return ''
  }
}

/** Bytes waiting in the receive queue of the server's end of the connection (from `ss`). */
const serverRecvQ = (port: number) => {
  const out = execFileSync('ss', ['-tnH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' })
  return out
    .split('\n')
    .filter(Boolean)
    .reduce((sum, line) => sum + Number(line.trim().split(/\s+/)[0] ?? 0), 0)
}

/**
 * True while the server sleeps with unread bytes queued: it cannot be inside recv() (that
 * would return them), so it is blocked inside sendall(). Checked twice to rule out the
 * instant between a wake-up and the next call.
 */
const blockedInSend = (pid: number, port: number) => {
  const once = () => wchan(pid) === 'wait_woken' && serverRecvQ(port) > 0
  return once() && once()
}

const hello = (port: number) =>
  new Promise<string>((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write('hello'))
    s.once('data', (d) => {
      resolve(d.toString())
      s.end()
    })
    s.once('error', reject)
  })

describe.skipIf(!hasPython || process.platform !== 'linux')('the lab’s Python programs', () => {
  let server: Started | null = null
  afterEach(() => {
    server?.child.kill('SIGKILL')
    server = null
  })

  for (const file of ['tcp_server_loops.py', 'tcp_server_serial.py']) {
    it(`${file} survives a client that resets while the server is inside sendall()`, async () => {
      server = await startServer(file)
      const pid = server.child.pid!
      // A client that sends much more than it ever reads: the server's replies fill both
      // kernel buffers and its sendall() blocks.
      const client = net.connect(server.port, '127.0.0.1')
      await new Promise<void>((resolve) => client.once('connect', () => resolve()))
      client.on('error', () => {})
      client.pause()
      client.write(Buffer.alloc(32 * 1024 * 1024, 0x61))
      await until(() => blockedInSend(pid, server!.port), 'server blocked in sendall')
      // Now reset: SO_LINGER 0 on close sends RST, so the blocked sendall() fails with ECONNRESET.
      client.resetAndDestroy()
      // The next client must still be served.
      await until(() => server!.lines.some((l) => /^closed |Error/.test(l)) || server!.child.exitCode !== null, 'server handled the reset')
      expect(server.child.exitCode, server.lines.filter((l) => !l.startsWith('received')).join('\n')).toBeNull()
      expect(await hello(server.port)).toBe('HELLO')
      expect(server.lines.filter((l) => /Traceback|Error/.test(l))).toEqual([])
    })
  }
})

describe.skipIf(!hasPython)('the lab’s Python programs, both languages', () => {
  // The Chinese text is made from the English file (shared/python/comments-zh.ts): written out here as
  // the learner copies it, it must be the same program, and say nothing in English.
  it('are the same code with Chinese or English comments (equal syntax trees without docstrings)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lab-zh-'))
    try {
      for (const program of Object.values(PYTHON_PROGRAMS)) {
        const zhFile = path.join(dir, program.file)
        writeFileSync(zhFile, program.sourceZh)
        const same = execFileSync('python3', [path.join(REPO_ROOT, 'tests', 'fixtures', 'python', 'same_program.py'), path.join(PROGRAMS, program.file), zhFile], { encoding: 'utf8' })
        expect(same.trim(), program.file).toBe('same')
        expect(program.sourceZh, program.file).not.toBe(program.source)
        expect(/[\u4e00-\u9fff]/.test(program.sourceZh), program.file).toBe(true)
        const english = execFileSync('python3', [path.join(REPO_ROOT, 'tests', 'fixtures', 'python', 'untranslated.py'), zhFile], { encoding: 'utf8' })
        expect(english.trim(), `${program.file}: comments left in English`).toBe('')
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('thread_race.py, run by the lab: counter += 1 loses nothing under the GIL, read-sleep-write loses updates, a Lock none', async () => {
    const lab = createTestLab()
    try {
      const peer = await lab.invoke('python.run', { program: 'thread_race' })
      let lines: string[] = []
      await until(() => {
        void lab.invoke('python.list', {}).then((all) => (lines = all.find((p) => p.id === peer.id)?.output.map((l) => l.text) ?? []))
        return lines.length >= 3
      }, 'thread_race output', 60_000)
      const lost = lines.map((l) => Number(/lost (\d+)/.exec(l)?.[1]))
      expect(lines[0]).toMatch(/^counter \+= 1: expected 400000, got 400000, lost 0$/)
      expect(lost[1]).toBeGreaterThan(0)
      expect(lines[2]).toMatch(/with a Lock: expected 20000, got 20000, lost 0$/)
    } finally {
      await lab.close()
    }
  })
})
