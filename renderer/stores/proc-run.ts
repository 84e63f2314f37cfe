import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { CompareResult, ProcProgress, RunMode, RunResult, TaskResult } from '../../shared/contract/proc'
import { RUN_MODES } from '../../shared/contract/proc'
import { parseTaskSpec } from '../../shared/task-spec'
import { planMs, procComparePlan } from '../../shared/run-estimate'
import { useLongRun } from '../composables/use-long-run'
import { useHistoryStore } from './history'
import { useLabStore } from './lab'

export interface RunProgress {
  /** The mode running now; for a comparison, also its position (1–3). */
  mode: RunMode
  step: number
  steps: number
  /** 'starting' until the pool's children are up. */
  phase: 'starting' | 'running'
  done: number
  total: number
  /** Tasks in flight (started, not finished), and those finished, for the live timeline. */
  started: Map<number, { pid: number; slot: number; startMs: number }>
  finished: TaskResult[]
  /** Epoch ms when this mode's clock started (pool ready). */
  clockAt: number | null
}

/** Serial vs concurrent vs parallel: the task spec, the runs and their live progress. */
/** How many tasks, how many of them wait on I/O, the pool's size and the distinct PIDs that ran them, for the lessons' readings. */
function poolSummary(run: RunResult): Record<string, number | string> {
  const pids = [...new Set(run.tasks.map((t) => t.pid).filter((pid) => pid !== null))].sort((a, b) => a - b)
  return {
    // The PIDs themselves (at most 8): lesson 1 shows that every run starts new processes.
    pidList: pids.slice(0, 8).join(', '),
    tasks: run.tasks.length,
    ioTasks: run.tasks.filter((t) => t.kind === 'io').length,
    workers: run.workers,
    pids: new Set(run.tasks.map((t) => t.pid).filter((pid) => pid !== null)).size,
    startupMs: Math.round(run.startupMs),
  }
}

/** The one-CPU run's switches and run-queue wait, for the lessons' readings (absent where the OS gives none). */
function switchSummary(run: RunResult): Record<string, number> {
  const tasks = run.tasks.filter((t) => t.ok)
  if (tasks.length === 0 || tasks.some((t) => t.voluntarySwitches === undefined || t.involuntarySwitches === undefined || t.runQueueWaitMs === undefined)) return {}
  return {
    concurrentVoluntarySwitches: tasks.reduce((s, t) => s + t.voluntarySwitches!, 0),
    concurrentInvoluntarySwitches: tasks.reduce((s, t) => s + t.involuntarySwitches!, 0),
    concurrentRunQueueMs: Math.round(tasks.reduce((s, t) => s + t.runQueueWaitMs!, 0) / tasks.length),
  }
}

export const useProcRunStore = defineStore('proc-run', () => {
  const lab = useLabStore()
  const history = useHistoryStore()
  const spec = ref('cpu:400ms*4')
  /** Parallel pool size; null = the engine's default (one per CPU). */
  const workers = ref<number | null>(null)
  const running = ref<RunMode | 'compare' | null>(null)
  const stopping = ref(false)
  const progress = shallowRef<RunProgress | null>(null)
  /** The latest run of each mode (a comparison fills all three). */
  const runs = ref<Partial<Record<RunMode, RunResult>>>({})
  const comparison = shallowRef<CompareResult | null>(null)

  const parsed = computed(() => parseTaskSpec(spec.value))
  /** The comparison's cancel, estimate and progress (shared/contract/runs.ts); a single run keeps its Stop. */
  const long = useLongRun()
  const estimateMs = computed(() => (parsed.value.ok ? planMs(procComparePlan(parsed.value.tasks, lab.info?.cpus ?? 1, workers.value ?? undefined)) : null))

  lab.on('proc.progress', (p: ProcProgress) => {
    const cur = progress.value
    if (!running.value || !cur) return
    const step = running.value === 'compare' ? RUN_MODES.indexOf(p.mode) + 1 : 1
    let next: RunProgress = cur
    if (p.mode !== cur.mode) next = { ...cur, mode: p.mode, step, phase: 'starting', done: 0, started: new Map(), finished: [], clockAt: null }
    switch (p.event) {
      case 'pool-ready':
        next = { ...next, phase: 'running', total: p.tasks, clockAt: p.at }
        break
      case 'task-started': {
        const started = new Map(next.started)
        started.set(p.taskId, { pid: p.pid, slot: p.slot, startMs: p.startMs })
        next = { ...next, phase: 'running', started }
        break
      }
      case 'task-finished': {
        const started = new Map(next.started)
        started.delete(p.task.id)
        next = { ...next, started, finished: [...next.finished, p.task], done: next.done + 1 }
        break
      }
      default:
        break
    }
    progress.value = next
  })

  function begin(what: RunMode | 'compare') {
    const total = parsed.value.ok ? parsed.value.tasks.length : 0
    // Results of other tasks would sit next to the new run as if comparable: drop them.
    const other = Object.values(runs.value).some((r) => r.spec.trim() !== spec.value.trim())
    if (what === 'compare' || other) {
      runs.value = {}
      comparison.value = null
    }
    running.value = what
    stopping.value = false
    const mode = what === 'compare' ? 'serial' : what
    progress.value = { mode, step: 1, steps: what === 'compare' ? 3 : 1, phase: 'starting', done: 0, total, started: new Map(), finished: [], clockAt: null }
  }

  const input = () => ({ tasks: spec.value.trim(), ...(workers.value ? { workers: workers.value } : {}) })

  async function run(mode: RunMode): Promise<RunResult | null> {
    if (running.value || !parsed.value.ok) return null
    const settings = input()
    begin(mode)
    try {
      const r = await lab.attempt('proc.run', { ...settings, mode })
      if (!r) return null
      runs.value = { ...runs.value, [mode]: r }
      void history.record('proc.run', `${mode} · ${r.spec}`, { ...settings, modes: [mode] }, { mode, wallMs: r.wallMs, cpuMs: r.cpuMsTotal, utilisation: r.utilisation, pinned: r.pinned.ok, ...poolSummary(r) }, r)
      return r
    } finally {
      running.value = null
      progress.value = null
    }
  }

  async function compare(): Promise<CompareResult | null> {
    if (running.value || !parsed.value.ok) return null
    const settings = input()
    begin('compare')
    const id = long.begin()
    let marker: CompareResult['cancelled']
    try {
      const r = await lab.attempt('proc.compare', { ...settings, runId: id })
      if (!r) return null
      marker = r.cancelled
      const [serial, concurrent, parallel] = RUN_MODES.map((m) => r.runs.find((x) => x.mode === m))
      // A cancel before serial finished leaves nothing to compare or keep.
      if (!serial) return r
      comparison.value = r
      runs.value = { serial, ...(concurrent ? { concurrent } : {}), ...(parallel ? { parallel } : {}) }
      void history.record(
        'proc.compare',
        r.cancelled ? `${serial.spec} · cancelled (${r.runs.length}/3)` : serial.spec,
        { ...settings, modes: [...RUN_MODES] },
        {
          serialMs: serial.wallMs,
          concurrentMs: concurrent?.wallMs ?? null,
          parallelMs: parallel?.wallMs ?? null,
          speedupConcurrent: r.speedup.concurrent,
          speedupParallel: r.speedup.parallel,
          pinned: concurrent?.pinned.ok ?? null,
          ...(concurrent ? switchSummary(concurrent) : {}),
          // The parallel run's pool: fewer children than I/O tasks makes parallel slower than concurrent (lesson 4).
          ...(parallel ? { tasks: parallel.tasks.length, ioTasks: parallel.tasks.filter((t) => t.kind === 'io').length, parallelWorkers: parallel.workers } : {}),
          ...(r.cancelled ? { cancelled: true } : {}),
        },
        r,
      )
      return r
    } finally {
      long.end(marker)
      running.value = null
      progress.value = null
    }
  }

  async function stop() {
    if (!running.value) return
    stopping.value = true
    // A comparison is cancelled (its finished modes come back); a single run is stopped.
    if (running.value === 'compare') await long.cancel()
    else await lab.attempt('proc.stop', {})
  }

  function clear() {
    runs.value = {}
    comparison.value = null
  }

  return { spec, workers, running, stopping, progress, runs, comparison, parsed, runProgress: long.progress, cancelled: long.cancelled, estimateMs, run, compare, stop, clear }
})
