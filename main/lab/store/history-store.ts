import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, truncate, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import type { HistoryEntry, HistoryMeta, HistorySummary } from '../../../shared/contract'
import type { JsonObject, JsonValue } from '../../../shared/schema'
import { LabError } from '../errors'

export const HISTORY_FILE = 'history.jsonl'

export interface NewHistoryEntry {
  kind: string
  title: string
  settings: JsonObject
  summary: HistorySummary
  result: JsonValue
}

/** One line of history.jsonl. Removal and clearing are tombstone lines; nothing is rewritten in place. */
type Line =
  | ({ op: 'add' } & HistoryEntry)
  | { op: 'remove'; id: string; at: number }
  | { op: 'clear'; at: number }

interface Located {
  meta: HistoryMeta
  /** Where its line starts in the file and how many bytes it has (file mode). */
  offset: number
  length: number
  /** The whole entry (memory mode). */
  entry?: HistoryEntry
}

const NEWLINE = 0x0a
/** Rewrite the file without dead lines when they are the majority and the file is at least this big. */
const COMPACT_MIN_BYTES = 256 * 1024

function storageError(file: string, err: unknown): LabError {
  const code = (err as NodeJS.ErrnoException)?.code ?? 'EIO'
  return new LabError('ERR_STORAGE', `could not write the history to ${file} (${code})`, { path: file, reason: code })
}

function metaOf(e: HistoryEntry): HistoryMeta {
  return { id: e.id, at: e.at, kind: e.kind, title: e.title, summary: e.summary }
}

/**
 * The experiment history: append-only JSON lines in `<dir>/history.jsonl`, each append
 * fsynced before it is acknowledged. A crash can tear only the last line; reading drops a
 * torn or unparsable line, and the next append first cuts the torn tail off so it cannot
 * glue onto a new record. With `dir` null (CLI, tests) history lives in memory only.
 * A failed write is an ERR_STORAGE error for that call; the store keeps working.
 */
export class HistoryStore {
  readonly file: string | null
  private readonly index = new Map<string, Located>()
  private loaded: Promise<void> | null = null
  private handle: FileHandle | null = null
  /** Writes run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve()
  /** Bytes after the last newline when the file was read (a torn last line). */
  private tornAt: number | null = null
  private closed = false

  constructor(readonly dir: string | null) {
    this.file = dir ? path.join(dir, HISTORY_FILE) : null
  }

  private load(): Promise<void> {
    this.loaded ??= this.readAll()
    return this.loaded
  }

  private async readAll(): Promise<void> {
    if (!this.file) return
    let buf: Buffer
    try {
      buf = await readFile(this.file)
    } catch {
      // Missing (first run) or unreadable: start empty; a write will say what is wrong.
      return
    }
    let dead = 0
    let start = 0
    for (let end = buf.indexOf(NEWLINE, start); end !== -1; start = end + 1, end = buf.indexOf(NEWLINE, start)) {
      const line = parseLine(buf.subarray(start, end))
      if (!line) {
        dead++
        continue
      }
      if (line.op === 'add') {
        if (this.index.has(line.id)) dead++
        this.index.set(line.id, { meta: metaOf(line), offset: start, length: end - start })
      } else if (line.op === 'remove') {
        dead += this.index.delete(line.id) ? 2 : 1
      } else {
        dead += this.index.size * 2 + 1
        this.index.clear()
      }
    }
    if (start < buf.length) this.tornAt = start
    if (dead > this.index.size && buf.length >= COMPACT_MIN_BYTES) await this.compact(buf).catch(() => {})
  }

  /** Rewrites the file with live records only: temp file, fsync, rename (atomic on one file system). */
  private async compact(buf: Buffer): Promise<void> {
    const file = this.file!
    const tmp = `${file}.${process.pid}.tmp`
    const live = [...this.index.values()]
    const fh = await open(tmp, 'w')
    let offset = 0
    try {
      for (const loc of live) {
        const line = buf.subarray(loc.offset, loc.offset + loc.length + 1)
        await fh.write(line)
        loc.offset = offset
        offset += line.length
      }
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, file)
    this.tornAt = null
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job)
    this.queue = run.catch(() => {})
    return run
  }

  private async appendLine(line: Line): Promise<{ offset: number; length: number }> {
    const file = this.file!
    const text = Buffer.from(JSON.stringify(line) + '\n', 'utf8')
    let size = 0
    try {
      if (!this.handle) {
        await mkdir(this.dir!, { recursive: true })
        if (this.tornAt !== null) {
          await truncate(file, this.tornAt)
          this.tornAt = null
        }
        this.handle = await open(file, 'a')
      }
      size = (await this.handle.stat()).size
      await this.handle.write(text)
      await this.handle.sync()
      return { offset: size, length: text.length - 1 }
    } catch (err) {
      // A partial line (disk full mid-write) must not glue onto the next record.
      if (this.handle) {
        await this.handle.truncate(size).catch(() => {})
        await this.handle.close().catch(() => {})
        this.handle = null
      }
      throw storageError(file, err)
    }
  }

  async add(input: NewHistoryEntry): Promise<HistoryMeta> {
    this.assertOpen()
    await this.load()
    return this.enqueue(async () => {
      const at = Date.now()
      const entry: HistoryEntry = {
        id: `${at.toString(36)}-${randomBytes(4).toString('hex')}`,
        at,
        kind: input.kind,
        title: input.title,
        summary: input.summary,
        // Stored as JSON text, so the in-memory copy is the same plain data a reader would get.
        settings: JSON.parse(JSON.stringify(input.settings)) as JsonObject,
        result: JSON.parse(JSON.stringify(input.result)) as JsonValue,
      }
      const meta = metaOf(entry)
      if (!this.file) {
        this.index.set(entry.id, { meta, offset: 0, length: 0, entry })
        return meta
      }
      const where = await this.appendLine({ op: 'add', ...entry })
      this.index.set(entry.id, { meta, ...where })
      return meta
    })
  }

  async list(opts: { kind?: string; limit?: number } = {}): Promise<HistoryMeta[]> {
    await this.load()
    const out: HistoryMeta[] = []
    const limit = opts.limit ?? 100
    const all = [...this.index.values()]
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const meta = all[i]!.meta
      if (!opts.kind || meta.kind === opts.kind) out.push(meta)
    }
    return out.sort((a, b) => b.at - a.at)
  }

  async get(id: string): Promise<HistoryEntry> {
    await this.load()
    const loc = this.index.get(id)
    if (!loc) throw new LabError('ERR_NOT_FOUND', `no history entry ${id}`, { id })
    if (loc.entry) return loc.entry
    const fh = await open(this.file!, 'r').catch((err) => {
      throw storageError(this.file!, err)
    })
    try {
      const buf = Buffer.alloc(loc.length)
      await fh.read(buf, 0, loc.length, loc.offset)
      const line = parseLine(buf)
      if (line?.op === 'add' && line.id === id) {
        const { op: _op, ...entry } = line
        return entry
      }
    } finally {
      await fh.close()
    }
    throw new LabError('ERR_NOT_FOUND', `history entry ${id} could not be read back`, { id })
  }

  async remove(id: string): Promise<{ id: string }> {
    this.assertOpen()
    await this.load()
    return this.enqueue(async () => {
      if (!this.index.has(id)) throw new LabError('ERR_NOT_FOUND', `no history entry ${id}`, { id })
      if (this.file) await this.appendLine({ op: 'remove', id, at: Date.now() })
      this.index.delete(id)
      return { id }
    })
  }

  async clear(): Promise<{ removed: number }> {
    this.assertOpen()
    await this.load()
    return this.enqueue(async () => {
      const removed = this.index.size
      if (this.file && removed > 0) await this.appendLine({ op: 'clear', at: Date.now() })
      this.index.clear()
      return { removed }
    })
  }

  private assertOpen(): void {
    if (this.closed) throw new LabError('ERR_BAD_STATE', 'the history is closed')
  }

  /** Waits for pending writes and closes the file. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true
    await this.queue
    const fh = this.handle
    this.handle = null
    await fh?.close().catch(() => {})
  }
}

function parseLine(bytes: Buffer): Line | null {
  let v: unknown
  try {
    v = JSON.parse(bytes.toString('utf8'))
  } catch {
    return null
  }
  if (typeof v !== 'object' || v === null) return null
  const line = v as Record<string, unknown>
  if (line.op === 'add') {
    return typeof line.id === 'string' && typeof line.at === 'number' && typeof line.kind === 'string' && typeof line.title === 'string'
      ? ({ summary: {}, settings: {}, result: null, ...line } as Line)
      : null
  }
  if (line.op === 'remove') return typeof line.id === 'string' ? (line as Line) : null
  if (line.op === 'clear') return line as Line
  return null
}
