import type { CompareModeResult } from '../../shared/contract'

/** A row of the comparison is a mode on the lab's server or on Python's: this keys it (and its test id). */
export function rowKey(m: Pick<CompareModeResult, 'mode' | 'server'>): string {
  return m.server === 'python' ? `python-${m.mode}` : m.mode
}

/** What the row is called: the lab's mode by its name; a Python row by the socketserver class that ran (`short`: "Py" and the mode, for charts). */
export function rowLabel(m: Pick<CompareModeResult, 'mode' | 'server' | 'pythonClass'>, modeName: (mode: string) => string, short = false): string {
  if (m.server !== 'python') return modeName(m.mode)
  return short ? `Py ${modeName(m.mode)}` : `Python ${m.pythonClass ?? m.mode}`
}
