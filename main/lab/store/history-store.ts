import { randomBytes } from 'node:crypto'
import * as fsp from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import path from 'node:path'
import {
  HISTORY_LIST_DEFAULT,
  HISTORY_MAX_RESULT_BYTES,
  HISTORY_MAX_SETTINGS_BYTES,
  HISTORY_MAX_SUMMARY_BYTES,
  methodSpecs,
  type HistoryEntry,
  type HistoryMeta,
  type HistoryStatus,
  type HistorySummary,
} from '../../../shared/contract'
import type { JsonObject, JsonValue } from '../../../shared/schema'
import { LabError } from '../errors'
import { isId, isTime, objectLine } from './jsonl-lines'

export const HISTORY_FILE = 'history.jsonl'
/** Lines of history.jsonl that failed validation, moved here byte for byte instead of being dropped. */
export const HISTORY_DAMAGED_FILE = 'history.damaged.jsonl'

/**
 * The file operations the store uses, so a test can watch them (is every line fsynced before
 * it is acknowledged?) or make them fail. Production passes node:fs/promises.
 */
export interface HistoryFs {
  open: typeof fsp.open
  readFile: typeof fsp.readFile
  rename: typeof fsp.rename
  mkdir: typeof fsp.mkdir
}
const NODE_FS: HistoryFs = { open: fsp.open, readFile: fsp.readFile, rename: fsp.rename, mkdir: fsp.mkdir }

/** No valid line is longer than its parts' caps together (plus ids and keys); longer ones are not even parsed. */
const MAX_LINE_BYTES = HISTORY_MAX_RESULT_BYTES + HISTORY_MAX_SETTINGS_BYTES + HISTORY_MAX_SUMMARY_BYTES + 4096

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
  if (err instanceof LabError) return err
  const code = (err as NodeJS.ErrnoException)?.code ?? 'EIO'
  return new LabError('ERR_STORAGE', `could not write the history to ${file} (${code})`, { path: file, reason: code })
}

function metaOf(e: HistoryEntry): HistoryMeta {
  return { id: e.id, at: e.at, kind: e.kind, title: e.title, summary: e.summary }
}

/**
 * The experiment history: append-only JSON lines in `<dir>/history.jsonl`, each append
 * written whole (a short write — disk full, a file-size limit — is cut back off and reported
 * as ERR_STORAGE) and fsynced before it is acknowledged. Reading validates every line with
 * the contract's schema; a damaged one (garbage, a torn tail without its newline, bad UTF-8,
 * an oversize line, a record of the wrong shape) is counted, moved byte for byte to
 * `history.damaged.jsonl` and the file is rewritten without it, so no next record can glue
 * onto a torn tail. With `dir` null (CLI, tests) history lives in memory only.
 * A failed write is an ERR_STORAGE error for that call; the store keeps working.
 */
export class HistoryStore {
  readonly file: string | null
  private readonly index = new Map<string, Located>()
  private loaded: Promise<void> | null = null
  private handle: FileHandle | null = null
  /** Writes run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve()
  /** Bytes after the last newline when the file was read (a torn last line), while still in the file. */
  private tornAt: number | null = null
  private closed = false
  /** Damaged lines found when the file was read, and lines kept in the side file in all. */
  private damagedFound = 0
  private keptAside = 0
  readonly damagedFile: string | null

  constructor(
    readonly dir: string | null,
    private readonly fs: HistoryFs = NODE_FS,
  ) {
    this.file = dir ? path.join(dir, HISTORY_FILE) : null
    this.damagedFile = dir ? path.join(dir, HISTORY_DAMAGED_FILE) : null
  }

  /** What the History view shows about the file itself: where it is and what was kept aside. */
  async status(): Promise<HistoryStatus> {
    await this.load()
    return { file: this.file, damaged: this.damagedFound, keptAside: this.keptAside, damagedFile: this.keptAside > 0 ? this.damagedFile : null }
  }

  private load(): Promise<void> {
    this.loaded ??= this.readAll()
    return this.loaded
  }

  private async readAll(): Promise<void> {
    if (!this.file) return
    this.keptAside = await countLines(this.fs, this.damagedFile!)
    let buf: Buffer
    try {
      buf = await this.fs.readFile(this.file)
    } catch {
      // Missing (first run) or unreadable: start empty; a write will say what is wrong.
      return
    }
    let dead = 0
    const damaged: Buffer[] = []
    let start = 0
    for (let end = buf.indexOf(NEWLINE, start); end !== -1; start = end + 1, end = buf.indexOf(NEWLINE, start)) {
      const line = parseLine(buf.subarray(start, end))
      if (!line) {
        damaged.push(buf.subarray(start, end))
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
    if (start < buf.length) {
      this.tornAt = start
      damaged.push(buf.subarray(start))
    }
    this.damagedFound = damaged.length
    if (damaged.length > 0) {
      // Keep them (a learner's record may be recoverable by hand), then rewrite the file without them.
      const aside = await this.keepAside(damaged).then(
        () => true,
        () => false,
      )
      if (aside) {
        this.keptAside += damaged.length
        await this.compact(buf).catch(() => {})
      }
      return
    }
    if (dead > this.index.size && buf.length >= COMPACT_MIN_BYTES) await this.compact(buf).catch(() => {})
  }

  /** Appends damaged lines to the side file, each on its own line, fsynced. */
  private async keepAside(lines: Buffer[]): Promise<void> {
    const fh = await this.fs.open(this.damagedFile!, 'a', 0o600)
    try {
      for (const line of lines) await writeWhole(fh, Buffer.concat([line, Buffer.from('\n')]))
      await fh.sync()
    } finally {
      await fh.close()
    }
  }

  /** Rewrites the file with live records only: temp file, fsync, rename (atomic on one file system). */
  private async compact(buf: Buffer): Promise<void> {
    const file = this.file!
    const tmp = `${file}.${process.pid}.tmp`
    const live = [...this.index.values()]
    const fh = await this.fs.open(tmp, 'w')
    let offset = 0
    try {
      for (const loc of live) {
        const line = buf.subarray(loc.offset, loc.offset + loc.length + 1)
        await writeWhole(fh, line)
        loc.offset = offset
        offset += line.length
      }
      await fh.sync()
    } finally {
      await fh.close()
    }
    await this.fs.rename(tmp, file)
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
    let size: number | null = null
    try {
      if (!this.handle) {
        await this.fs.mkdir(this.dir!, { recursive: true })
        this.handle = await this.fs.open(file, 'a')
        if (this.tornAt !== null) {
          // The torn tail could not be kept aside: cut it off so the new line starts on its own.
          await this.handle.truncate(this.tornAt)
          this.tornAt = null
        }
      }
      size = (await this.handle.stat()).size
      await writeWhole(this.handle, text)
      await this.handle.sync()
      return { offset: size, length: text.length - 1 }
    } catch (err) {
      // A partial line (disk full, a file-size limit) is cut back off: it must not glue onto the next record.
      if (this.handle) {
        if (size !== null) await this.handle.truncate(size).catch(() => {})
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
    const limit = opts.limit ?? HISTORY_LIST_DEFAULT
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
    const fh = await this.fs.open(this.file!, 'r').catch((err) => {
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

/**
 * Writes all of `bytes` or throws: `write` may write fewer bytes than asked (a file-size limit
 * reached mid-line), which Node reports as success.
 */
export async function writeWhole(fh: FileHandle, bytes: Buffer): Promise<void> {
  let written = 0
  while (written < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, written, bytes.length - written)
    if (bytesWritten <= 0) throw new LabError('ERR_STORAGE', 'the disk accepted no more bytes', { reason: 'ENOSPC' })
    written += bytesWritten
  }
}

async function countLines(fs: HistoryFs, file: string): Promise<number> {
  try {
    const buf = await fs.readFile(file)
    let n = 0
    for (let i = buf.indexOf(NEWLINE); i !== -1; i = buf.indexOf(NEWLINE, i + 1)) n++
    return n
  } catch {
    return 0
  }
}

const addSchema = methodSpecs['history.add'].input

/** One line, validated: the record must be what `history.add` accepts, plus its id and time. */
function parseLine(bytes: Buffer): Line | null {
  const line = objectLine(bytes, MAX_LINE_BYTES)
  if (!line) return null
  if (line.op === 'add') {
    const { op: _op, id, at, ...rest } = line
    if (!isId(id) || !isTime(at)) return null
    const parsed = addSchema.parse(rest)
    return parsed.ok ? ({ op: 'add', id, at, ...parsed.value } as Line) : null
  }
  if (line.op === 'remove') return isId(line.id) && isTime(line.at) && Object.keys(line).length === 3 ? (line as Line) : null
  if (line.op === 'clear') return isTime(line.at) && Object.keys(line).length === 2 ? (line as Line) : null
  return null
}
