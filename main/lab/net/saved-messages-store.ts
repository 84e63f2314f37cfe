import { randomBytes } from 'node:crypto'
import * as fsp from 'node:fs/promises'
import type { FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { MAX_SAVED_MESSAGES, savedMessageFields, type SavedMessage, type SavedMessageFields, type SavedMessages } from '../../../shared/contract'
import { FIRST_MACRO_COUNTER, MAX_MACRO_COUNTER } from '../../../shared/macros'
import { LabError, limitError } from '../errors'
import { writeWhole } from '../store/history-store'
import { isId, isTime, objectLine } from '../store/jsonl-lines'
import { SAVED_MAX_LINE_BYTES } from '../../../shared/budgets'

export const SAVED_FILE = 'saved-messages.jsonl'
/** Lines of saved-messages.jsonl that failed validation, moved here byte for byte instead of being dropped. */
export const SAVED_DAMAGED_FILE = 'saved-messages.damaged.jsonl'

/** The file operations the store uses, so a test can make them fail. Production passes node:fs/promises. */
export interface SavedFs {
  open: typeof fsp.open
  readFile: typeof fsp.readFile
  rename: typeof fsp.rename
  mkdir: typeof fsp.mkdir
}
const NODE_FS: SavedFs = { open: fsp.open, readFile: fsp.readFile, rename: fsp.rename, mkdir: fsp.mkdir }

/** A message as the file keeps it: the counter is kept on its own lines, so exports never carry it. */
type StoredMessage = Omit<SavedMessage, 'counter'>
/**
 * One line of the file: a message saved (new or replaced), removed, or where its `{{COUNTER}}` goes
 * on (written after each send with macros, and by a reset). Nothing is rewritten in place.
 */
type Line = ({ op: 'put' } & StoredMessage) | { op: 'remove'; id: string; at: number } | { op: 'counter'; id: string; next: number; at: number }

const isCounter = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_MACRO_COUNTER

const NEWLINE = 0x0a
/** No valid line is longer (shared/budgets.ts says why). */
const MAX_LINE_BYTES = SAVED_MAX_LINE_BYTES
/** Rewrite the file without dead lines when they outnumber the live ones and it is at least this big. */
const COMPACT_MIN_BYTES = 64 * 1024
/** Lines written while the lab runs (counter lines, one per send) after which the file is rewritten without dead ones. */
const COMPACT_EVERY_LINES = 2_000

/** One line, validated with the contract's schema; null when it is not one the store wrote. */
function parseLine(bytes: Buffer): Line | null {
  const line = objectLine(bytes, MAX_LINE_BYTES)
  if (!line) return null
  if (line.op === 'put') {
    const { op: _op, id, savedAt, ...fields } = line
    if (!isId(id) || !isTime(savedAt)) return null
    const parsed = savedMessageFields.parse(fields)
    return parsed.ok ? { op: 'put', id, savedAt, ...parsed.value } : null
  }
  if (line.op === 'remove') return isId(line.id) && isTime(line.at) && Object.keys(line).length === 3 ? (line as Line) : null
  if (line.op === 'counter') return isId(line.id) && isCounter(line.next) && isTime(line.at) && Object.keys(line).length === 4 ? (line as Line) : null
  return null
}

function storageError(file: string, err: unknown): LabError {
  if (err instanceof LabError && err.code === 'ERR_STORAGE') return err
  const code = (err as NodeJS.ErrnoException)?.code ?? 'EIO'
  return new LabError('ERR_STORAGE', `could not save the messages to ${file} (${code})`, { path: file, reason: code })
}

/**
 * The learner's saved messages: JSON lines in `<dir>/saved-messages.jsonl`, the History's rules —
 * each line written whole and fsynced before the call returns (a short write is cut back off and
 * reported as ERR_STORAGE, the store keeps working), every line validated with the contract's
 * schema when read. A damaged line (garbage, a torn tail, a message of the wrong shape) is counted,
 * moved byte for byte to `saved-messages.damaged.jsonl`, and the file is rewritten without it: a
 * damaged file is reported, never fatal. With `dir` null (CLI, tests) the messages live in memory.
 */
export class SavedMessagesStore {
  readonly file: string | null
  readonly damagedFile: string | null
  private readonly messages = new Map<string, StoredMessage>()
  /** id → the `{{COUNTER}}` its next send starts from, when not 1. */
  private readonly counters = new Map<string, number>()
  private loaded: Promise<void> | null = null
  private handle: FileHandle | null = null
  private queue: Promise<unknown> = Promise.resolve()
  private damaged = 0
  /** Bytes after the last newline (a torn line) that could not be set aside: cut off before the next append. */
  private tornAt: number | null = null
  private lines = 0
  private closed = false

  constructor(
    readonly dir: string | null,
    private readonly fs: SavedFs = NODE_FS,
  ) {
    this.file = dir ? path.join(dir, SAVED_FILE) : null
    this.damagedFile = dir ? path.join(dir, SAVED_DAMAGED_FILE) : null
  }

  private load(): Promise<void> {
    this.loaded ??= this.readAll()
    return this.loaded
  }

  private async readAll(): Promise<void> {
    if (!this.file) return
    let buf: Buffer
    try {
      buf = await this.fs.readFile(this.file)
    } catch {
      return // missing (first run) or unreadable: start empty; a write says what is wrong
    }
    const bad: Buffer[] = []
    let start = 0
    for (let end = buf.indexOf(NEWLINE); end !== -1; start = end + 1, end = buf.indexOf(NEWLINE, start)) {
      this.lines++
      const line = parseLine(buf.subarray(start, end))
      if (!line) bad.push(buf.subarray(start, end))
      else if (line.op === 'put') {
        const { op: _op, ...message } = line
        this.messages.set(message.id, message) // a replaced message keeps its place
      } else if (line.op === 'counter') {
        // A counter of a message removed since is a dead line, not damage.
        if (this.messages.has(line.id)) this.setCounter(line.id, line.next)
      } else {
        this.messages.delete(line.id)
        this.counters.delete(line.id)
      }
    }
    if (start < buf.length) {
      this.tornAt = start
      bad.push(buf.subarray(start))
    }
    this.damaged = bad.length
    const dead = this.lines - this.live()
    if (bad.length > 0) {
      const kept = await this.keepAside(bad).then(
        () => true,
        () => false,
      )
      if (kept) await this.compact().catch(() => {})
    } else if (dead > this.messages.size && buf.length >= COMPACT_MIN_BYTES) await this.compact().catch(() => {})
  }

  private async keepAside(lines: Buffer[]): Promise<void> {
    const fh = await this.fs.open(this.damagedFile!, 'a', 0o600)
    try {
      for (const line of lines) await writeWhole(fh, Buffer.concat([line, Buffer.from('\n')]))
      await fh.sync()
    } finally {
      await fh.close()
    }
  }

  private setCounter(id: string, next: number): void {
    if (next === 1) this.counters.delete(id)
    else this.counters.set(id, next)
  }

  /** Lines a compacted file holds: one per message, one per counter not at 1. */
  private live(): number {
    return this.messages.size + this.counters.size
  }

  /** Rewrites the file with the live lines only: temp file, fsync, rename (the append handle is reopened after). */
  private async compact(): Promise<void> {
    const file = this.file!
    const tmp = `${file}.${process.pid}.tmp`
    const fh = await this.fs.open(tmp, 'w', 0o600)
    const at = Date.now()
    try {
      for (const m of this.messages.values()) await writeWhole(fh, Buffer.from(JSON.stringify({ op: 'put', ...m }) + '\n', 'utf8'))
      for (const [id, next] of this.counters) await writeWhole(fh, Buffer.from(JSON.stringify({ op: 'counter', id, next, at }) + '\n', 'utf8'))
      await fh.sync()
    } finally {
      await fh.close()
    }
    const old = this.handle
    this.handle = null
    await old?.close().catch(() => {})
    await this.fs.rename(tmp, file)
    this.tornAt = null
    this.lines = this.live()
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job)
    this.queue = run.catch(() => {})
    return run
  }

  private async append(lines: Line[]): Promise<void> {
    if (!this.file) return
    const file = this.file
    const text = Buffer.from(lines.map((l) => JSON.stringify(l) + '\n').join(''), 'utf8')
    let size: number | null = null
    try {
      if (!this.handle) {
        await this.fs.mkdir(this.dir!, { recursive: true })
        this.handle = await this.fs.open(file, 'a', 0o600)
        if (this.tornAt !== null) {
          await this.handle.truncate(this.tornAt)
          this.tornAt = null
        }
      }
      size = (await this.handle.stat()).size
      await writeWhole(this.handle, text)
      await this.handle.sync()
      this.lines += lines.length
    } catch (err) {
      // A partial line (disk full, a file-size limit) is cut back off: it must not glue onto the next one.
      if (this.handle) {
        if (size !== null) await this.handle.truncate(size).catch(() => {})
        await this.handle.close().catch(() => {})
        this.handle = null
      }
      throw storageError(file, err)
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new LabError('ERR_BAD_STATE', 'the saved messages are closed')
  }

  private room(adding: number): void {
    if (this.messages.size + adding > MAX_SAVED_MESSAGES) {
      throw limitError('MAX_SAVED_MESSAGES', this.messages.size, `${adding} more do not fit; delete some first`, { params: { saved: this.messages.size } })
    }
  }

  private withCounter(m: StoredMessage): SavedMessage {
    return { ...m, counter: this.counters.get(m.id) ?? FIRST_MACRO_COUNTER }
  }

  async list(): Promise<SavedMessages> {
    await this.load()
    return {
      messages: [...this.messages.values()].map((m) => this.withCounter(m)),
      file: this.file,
      damaged: this.damaged,
      damagedFile: this.damaged > 0 ? this.damagedFile : null,
    }
  }

  /** A new message (no id), or a replacement for the one with `id`. */
  async put(id: string | undefined, fields: SavedMessageFields): Promise<SavedMessage> {
    this.assertOpen()
    await this.load()
    return this.enqueue(async () => {
      if (id !== undefined && !this.messages.has(id)) throw new LabError('ERR_NOT_FOUND', `no saved message ${id}`, { id })
      if (id === undefined) this.room(1)
      const message: StoredMessage = { ...fields, id: id ?? newId(), savedAt: Date.now() }
      await this.append([{ op: 'put', ...message }])
      this.messages.set(message.id, message)
      return this.withCounter(message) // a replaced message keeps its counter
    })
  }

  /**
   * Where message `id`'s `{{COUNTER}}` goes on: after a send, the send's `nextCounter`; a reset is 1.
   * Kept in the file, so the count goes on across sends, windows and restarts of the lab.
   */
  async setNextCounter(id: string, next: number): Promise<SavedMessage> {
    this.assertOpen()
    await this.load()
    return this.enqueue(async () => {
      const message = this.messages.get(id)
      if (!message) throw new LabError('ERR_NOT_FOUND', `no saved message ${id}`, { id })
      if ((this.counters.get(id) ?? FIRST_MACRO_COUNTER) !== next) {
        await this.append([{ op: 'counter', id, next, at: Date.now() }])
        this.setCounter(id, next)
        // One line per send: the file is rewritten now and then, not only at the next start.
        if (this.file && this.lines - this.live() >= COMPACT_EVERY_LINES) await this.compact().catch(() => {})
      }
      return this.withCounter(message)
    })
  }

  async remove(id: string): Promise<{ id: string }> {
    this.assertOpen()
    await this.load()
    return this.enqueue(async () => {
      if (!this.messages.has(id)) throw new LabError('ERR_NOT_FOUND', `no saved message ${id}`, { id })
      await this.append([{ op: 'remove', id, at: Date.now() }])
      this.messages.delete(id)
      this.counters.delete(id)
      return { id }
    })
  }

  /** Adds every message of an import, or none (one write of all their lines). */
  async import(list: SavedMessageFields[]): Promise<{ added: number; total: number }> {
    this.assertOpen()
    await this.load()
    return this.enqueue(async () => {
      this.room(list.length)
      const at = Date.now()
      const added = list.map((fields): StoredMessage => ({ ...fields, id: newId(), savedAt: at }))
      await this.append(added.map((m) => ({ op: 'put', ...m })))
      for (const m of added) this.messages.set(m.id, m)
      return { added: added.length, total: this.messages.size }
    })
  }

  async close(): Promise<void> {
    this.closed = true
    await this.queue
    const fh = this.handle
    this.handle = null
    await fh?.close().catch(() => {})
  }
}

function newId(): string {
  return `m-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
}
