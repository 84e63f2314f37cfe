import { execFile } from 'node:child_process'
import path from 'node:path'
import { PYTHON_PROBE_TIMEOUT_MS } from '../../../shared/budgets'

/** A Python 3 the lab can start: the program, the arguments that come first, and what it says it is. */
export interface FoundPython {
  command: string
  /** `['-3']` for the Windows py launcher; empty otherwise. */
  prefixArgs: string[]
  /** `Python 3.12.4`, as `--version` prints it. */
  version: string
}

export interface PythonCandidate {
  command: string
  prefixArgs: string[]
}

/** How long one candidate may take to print its version. */
const PROBE_TIMEOUT_MS = PYTHON_PROBE_TIMEOUT_MS

/**
 * Where a Python 3 usually is, in the order to try. PATH first (what a terminal would run), then
 * the install folders a desktop app does not have on PATH: an app started from the Finder gets
 * launchd's PATH (/usr/bin:/bin:/usr/sbin:/sbin), which has neither Homebrew's Python
 * (/opt/homebrew/bin on Apple silicon, /usr/local/bin on Intel) nor python.org's framework build.
 * On Windows the `py` launcher (installed by python.org's installer) comes first; `python` on PATH
 * may be the Microsoft Store's stub.
 */
export function pythonCandidates(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): PythonCandidate[] {
  const plain = (command: string): PythonCandidate => ({ command, prefixArgs: [] })
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA
    const windir = env.SystemRoot ?? env.windir ?? 'C:\\Windows'
    return [
      { command: 'py', prefixArgs: ['-3'] },
      { command: path.win32.join(windir, 'py.exe'), prefixArgs: ['-3'] },
      ...(local ? [{ command: path.win32.join(local, 'Programs', 'Python', 'Launcher', 'py.exe'), prefixArgs: ['-3'] }] : []),
      plain('python'),
      plain('python3'),
    ]
  }
  const folders = ['/opt/homebrew/bin', '/usr/local/bin', '/usr/bin']
  if (platform === 'darwin') folders.push('/Library/Frameworks/Python.framework/Versions/Current/bin')
  return [plain('python3'), ...folders.map((f) => plain(path.posix.join(f, 'python3'))), plain('python')]
}

/** Runs `<candidate> --version` without blocking the thread; null when it is not a Python 3. */
export function probeCandidate(c: PythonCandidate): Promise<FoundPython | null> {
  return new Promise((resolve) => {
    execFile(c.command, [...c.prefixArgs, '--version'], { encoding: 'utf8', timeout: PROBE_TIMEOUT_MS, windowsHide: true, shell: false }, (err, stdout, stderr) => {
      // Python 2 printed its version on stderr.
      const version = `${stdout ?? ''}${stderr ?? ''}`.trim().split('\n')[0] ?? ''
      resolve(!err && /^Python 3\./.test(version) ? { ...c, version } : null)
    })
  })
}

/** The first candidate that is a Python 3, trying them one after another. */
export async function probePython(candidates: PythonCandidate[]): Promise<FoundPython | null> {
  for (const c of candidates) {
    const found = await probeCandidate(c)
    if (found) return found
  }
  return null
}

let cached: Promise<FoundPython | null> | null = null

/**
 * The lab's Python, looked for once per process and only when first needed (lab.info, the first
 * "run it"): the probe runs in child processes, never blocking the engine's thread (Electron's
 * UI thread in the desktop app).
 */
export function findPython(): Promise<FoundPython | null> {
  cached ??= probePython(pythonCandidates())
  return cached
}
