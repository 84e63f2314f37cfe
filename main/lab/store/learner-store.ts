import { mkdir, open, readFile, rename } from 'node:fs/promises'
import path from 'node:path'
import { EMPTY_LEARNER_STATE, learnerFile, type LearnerPatch, type LearnerSnapshot, type LearnerState } from '../../../shared/contract'
import type { JsonObject } from '../../../shared/schema'
import { LabError } from '../errors'

export const LEARNER_FILE = 'learner.json'

/**
 * The learner's own state (language, theme, welcome, open lesson, predictions, practice
 * scores, exercises passed): one small JSON document in `<dir>/learner.json`. Every change
 * rewrites it whole, atomically, with the History's durability rules: write a temporary file,
 * fsync it, rename it over the old one, fsync the folder. Reading validates the document
 * against the contract's schema; a damaged file is moved aside (learner.json.damaged-<time>)
 * and reported in the snapshot, and the lab starts with a fresh state instead of failing.
 * With `dir` null the state lives in memory only.
 */
export class LearnerStore {
  readonly file: string | null
  private state: LearnerState = { ...EMPTY_LEARNER_STATE }
  private damaged: LearnerSnapshot['damaged'] = null
  private loaded: Promise<void> | null = null
  /** Writes run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false

  constructor(readonly dir: string | null) {
    this.file = dir ? path.join(dir, LEARNER_FILE) : null
  }

  private load(): Promise<void> {
    this.loaded ??= this.readFile()
    return this.loaded
  }

  private async readFile(): Promise<void> {
    if (!this.file) return
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      this.damaged = { reason: `could not be read (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`, movedTo: null }
      return
    }
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      await this.setAside('is not valid JSON')
      return
    }
    const parsed = learnerFile.parse(value)
    if (!parsed.ok) {
      await this.setAside(`does not hold a learner state (${parsed.issue.path} ${parsed.issue.message})`)
      return
    }
    this.state = { ...EMPTY_LEARNER_STATE, ...parsed.value }
  }

  /** Moves a damaged file out of the way, so the next write does not destroy what is in it. */
  private async setAside(reason: string): Promise<void> {
    const movedTo = `${this.file!}.damaged-${Date.now()}`
    try {
      await rename(this.file!, movedTo)
      this.damaged = { reason, movedTo }
    } catch {
      this.damaged = { reason, movedTo: null }
    }
  }

  private snapshot(): LearnerSnapshot {
    return { state: structuredClone(this.state), file: this.file, damaged: this.damaged }
  }

  async get(): Promise<LearnerSnapshot> {
    await this.load()
    return this.snapshot()
  }

  /** Changes the given fields; resolves once they are on disk. */
  async set(patch: LearnerPatch): Promise<LearnerSnapshot> {
    return this.update((s) => ({ ...s, ...patch }))
  }

  /** Records a passed exercise (only the engine's own checks call this). */
  async passExercise(id: string, file: string): Promise<void> {
    await this.update((s) => ({ ...s, exercises: { ...s.exercises, [id]: { passedAt: Date.now(), file } } as JsonObject }))
  }

  private async update(change: (s: LearnerState) => LearnerState): Promise<LearnerSnapshot> {
    if (this.closed) throw new LabError('ERR_BAD_STATE', 'the learner store is closed')
    await this.load()
    const run = this.queue.then(async () => {
      const next = { ...change(this.state), savedAt: Date.now() }
      if (this.file) await this.write(next)
      this.state = next
      return this.snapshot()
    })
    this.queue = run.catch(() => {})
    return run
  }

  private async write(state: LearnerState): Promise<void> {
    const file = this.file!
    const tmp = `${file}.${process.pid}.tmp`
    try {
      await mkdir(this.dir!, { recursive: true })
      const fh = await open(tmp, 'w')
      try {
        await fh.writeFile(JSON.stringify(state, null, 1) + '\n', 'utf8')
        await fh.sync()
      } finally {
        await fh.close()
      }
      await rename(tmp, file)
      await syncFolder(this.dir!)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException)?.code ?? 'EIO'
      throw new LabError('ERR_STORAGE', `could not save the learner's state to ${file} (${code})`, { path: file, reason: code })
    }
  }

  async close(): Promise<void> {
    this.closed = true
    await this.queue
  }
}

/** fsync on the folder makes the rename itself durable (POSIX); Windows cannot open a folder for it. */
async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  const fh = await open(dir, 'r').catch(() => null)
  if (!fh) return
  await fh.sync().catch(() => {})
  await fh.close().catch(() => {})
}
