import { spawn } from 'node:child_process'
import { access, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { EXERCISE_CHECK_DEADLINE_MS, EXERCISE_IDS, type CheckReport, type ExerciseId, type ExerciseInfo, type exerciseMethods } from '../../../shared/contract'
import { EXERCISE_STARTERS } from '../../../shared/python/exercises'
import type { LabContext, LabDomain } from '../context'
import { LabError, limitError } from '../errors'
import { EXERCISE_MAX_CHECKS } from '../../../shared/budgets'
import { findPython, pythonCandidates } from '../python/find-python'
import type { LearnerStore } from '../store/learner-store'
import { runCheck } from './checks'

type ExerciseMethod = keyof typeof exerciseMethods

/** How to install Python 3, said when none is found. */
const INSTALL_HINT =
  process.platform === 'darwin'
    ? 'install Python 3 from python.org or with Homebrew: brew install python'
    : process.platform === 'win32'
      ? 'install Python 3 from python.org (tick "Add python.exe to PATH"), or: winget install Python.Python.3.12'
      : 'install Python 3 with your package manager, e.g. sudo apt install python3 (Debian/Ubuntu) or sudo dnf install python3 (Fedora)'

const exists = (p: string) => access(p).then(() => true, () => false)

/**
 * Exercises on the learner's own code. The starter is copied into `<dataDir>/exercises/`
 * (a private temporary folder when the lab has no data folder) and never overwritten; a
 * check runs that file with Python and tests it (checks.ts). One check runs at a time.
 */
export function createExerciseLab(ctx: LabContext, learner: LearnerStore): LabDomain<ExerciseMethod> {
  let tmpFolder: Promise<string> | null = null
  let checking: ExerciseId | null = null

  const folder = async (): Promise<string> => {
    if (ctx.dataDir) return path.join(ctx.dataDir, 'exercises')
    tmpFolder ??= mkdtemp(path.join(os.tmpdir(), 'socket-process-lab-exercises-'))
    return tmpFolder
  }

  const info = async (id: ExerciseId): Promise<ExerciseInfo> => {
    const dir = await folder()
    const file = path.join(dir, EXERCISE_STARTERS[id].file)
    const passed = (await learner.get()).state.exercises[id] as { passedAt?: number } | undefined
    return { id, file: EXERCISE_STARTERS[id].file, path: (await exists(file)) ? file : null, folder: dir, passedAt: typeof passed?.passedAt === 'number' ? passed.passedAt : null }
  }

  async function prepare(id: ExerciseId): Promise<ExerciseInfo> {
    const dir = await folder()
    const file = path.join(dir, EXERCISE_STARTERS[id].file)
    try {
      await mkdir(dir, { recursive: true })
      // 'wx': never overwrite the learner's work.
      if (!(await exists(file))) await writeFile(file, EXERCISE_STARTERS[id].source, { flag: 'wx' })
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO'
      if (code !== 'EEXIST') throw new LabError('ERR_STORAGE', `could not copy the exercise to ${file} (${code})`, { path: file, reason: code })
    }
    return info(id)
  }

  async function check(id: ExerciseId): Promise<CheckReport> {
    if (checking) throw limitError('EXERCISE_MAX_CHECKS', EXERCISE_MAX_CHECKS, `the check of ${checking} is still running; wait for it`)
    const ex = await prepare(id)
    const file = ex.path!
    const python = await findPython()
    if (!python) {
      return {
        id,
        file,
        passed: false,
        at: Date.now(),
        stderr: [],
        steps: [
          {
            title: { zh: '找 Python 3', en: 'find Python 3' },
            sent: null,
            got: null,
            ok: false,
            why: {
              zh: `这台电脑上没有找到 Python 3（试过 ${pythonCandidates().map((c) => c.command).join('、')}）。${process.platform === 'darwin' ? '从 python.org 安装，或用 Homebrew：brew install python' : process.platform === 'win32' ? '从 python.org 安装（勾选 “Add python.exe to PATH”），或：winget install Python.Python.3.12' : '用包管理器安装，例如 sudo apt install python3（Debian/Ubuntu）或 sudo dnf install python3（Fedora）'}。`,
              en: `no Python 3 was found on this computer (tried ${pythonCandidates().map((c) => c.command).join(', ')}): ${INSTALL_HINT}.`,
            },
          },
        ],
      }
    }
    checking = id
    try {
      let timer: NodeJS.Timeout | undefined
      const outcome = await Promise.race([
        runCheck(id, python, file),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new LabError('ERR_TIMEOUT', `the check of ${id} took longer than ${EXERCISE_CHECK_DEADLINE_MS / 1000} s`, { what: id })), EXERCISE_CHECK_DEADLINE_MS)
        }),
      ]).finally(() => clearTimeout(timer))
      const passed = outcome.steps.length > 0 && outcome.steps.every((s) => s.ok)
      if (passed) await learner.passExercise(id, file)
      return { id, file, passed, steps: outcome.steps, stderr: outcome.stderr, at: Date.now() }
    } finally {
      checking = null
    }
  }

  async function openFolder(id: ExerciseId): Promise<{ folder: string }> {
    const dir = (await prepare(id)).folder!
    const [command, args] =
      process.platform === 'darwin' ? ['open', [dir]] : process.platform === 'win32' ? ['explorer.exe', [dir]] : ['xdg-open', [dir]]
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, args as string[], { shell: false, stdio: 'ignore', detached: true, windowsHide: true })
      child.once('error', (err) => reject(new LabError('ERR_UNSUPPORTED', `could not open the folder with ${command}: ${err.message}`, { command })))
      child.once('spawn', () => {
        child.unref()
        resolve()
      })
    })
    return { folder: dir }
  }

  return {
    handlers: {
      'exercise.list': async () => Promise.all(EXERCISE_IDS.map((id) => info(id))),
      'exercise.prepare': ({ id }) => prepare(id),
      'exercise.check': ({ id }) => check(id),
      'exercise.openFolder': ({ id }) => openFolder(id),
    },
    async close() {
      // A running check stops its own programs when it ends; nothing else is held.
    },
  }
}
