import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import type { HistorySummary } from '../../shared/contract/history'
import type { ServerInfo } from '../../shared/contract/net'
import type { LabErrorData } from '../../shared/errors'
import { LESSONS, findLesson } from '../lessons'
import type { RunError } from '../lessons/types'
import { useLabStore } from './lab'
import { useServersStore, type DatagramSeen } from './servers'

export interface PredictionState {
  choice: string
  /** When it was locked in: runs after this moment answer it. */
  at: number
  /** The learner asked to see the answer without (or before) a run. */
  revealed?: boolean
}

/** Only well-formed predictions of known lessons are taken from a stored record. */
export function validPredictions(value: unknown): Record<string, PredictionState> {
  const out: Record<string, PredictionState> = {}
  if (!value || typeof value !== 'object') return out
  for (const [id, p] of Object.entries(value as Record<string, unknown>)) {
    const lesson = findLesson(id)
    const rec = p as Partial<PredictionState> | null
    if (!lesson || !rec || typeof rec.choice !== 'string' || typeof rec.at !== 'number') continue
    if (!lesson.prediction.choices.some((c) => c.id === rec.choice)) continue
    out[id] = { choice: rec.choice, at: rec.at, ...(rec.revealed ? { revealed: true } : {}) }
  }
  return out
}

/**
 * What a lesson's try-it ended in, when History keeps no run of it: the server it started (read
 * live, see serverSummary) or the error the engine answered (port in use, python missing).
 * Errors count as results: the lesson reads them like a run.
 */
export type TryOutcome = { at: number; kind: 'net.server'; serverId: string } | { at: number; kind: 'error'; error: RunError }

/**
 * A server as a lesson reads it: where it listens, its mode, who is served and who waits; samePort
 * counts the others on its port. For lesson 7 (what a thread or child does in each mode): how many
 * different threads and processes serve its connections now, who does the recv/send system calls
 * (`threadIo`), its spares, and how the newest connection got its thread or process (a spare that was
 * ready, or one started for it: the wait and what the start took). UDP: datagrams and threads alive.
 */
export function serverSummary(server: ServerInfo, all: readonly ServerInfo[], datagrams: readonly DatagramSeen[] = []): HistorySummary {
  const served = server.connections.filter((c) => c.state === 'serving')
  const out: HistorySummary = {
    proto: server.proto,
    mode: server.mode,
    host: server.host,
    port: server.port,
    state: server.state,
    serving: served.length,
    waiting: server.connections.filter((c) => c.state === 'waiting').length,
    samePort: all.filter((s) => s.id !== server.id && s.state === 'listening' && s.proto === server.proto && s.port === server.port).length,
  }
  if (server.proto === 'tcp' && server.mode === 'threading') out.threads = new Set(served.filter((c) => c.servedBy.kind === 'thread').map((c) => c.servedBy.tid ?? `p${c.servedBy.pid}`)).size
  if (server.proto === 'tcp' && server.mode === 'forking') out.processes = new Set(served.filter((c) => c.servedBy.kind === 'process').map((c) => c.servedBy.pid)).size
  if (server.spares) out.spares = server.spares
  if (server.threadIo) out.threadIo = server.threadIo
  const newest = [...server.connections].sort((a, b) => b.openedAt - a.openedAt).find((c) => c.startup)?.startup ?? datagrams.find((d) => d.startup)?.startup
  if (newest) {
    out.spareReady = newest.spare
    out.startWaitMs = Math.round(newest.waitedMs * 10) / 10
    if (newest.threadStartMs !== null) out.startMs = Math.round(newest.threadStartMs * 10) / 10
  }
  if (server.proto === 'udp') {
    out.datagrams = server.stats.datagrams
    out.udpThreads = server.threads ?? 0
    out.datagramThreads = new Set(datagrams.filter((d) => d.servedBy?.kind === 'thread').map((d) => d.servedBy!.tid ?? d.servedBy!.pid)).size
  }
  return out
}

const runError = (e: LabErrorData): RunError => ({ code: e.code, message: e.message, ...(e.params ? { params: e.params } : {}) })

/**
 * Which lesson is open and the learner's predictions. The learner store (stores/learner.ts)
 * loads both from the engine's data folder and saves every change there.
 */
export const useLessonsStore = defineStore('lessons', () => {
  const currentId = ref(LESSONS[0]!.id)
  const predictions = ref<Record<string, PredictionState>>({})

  const current = computed(() => findLesson(currentId.value) ?? LESSONS[0]!)
  const index = computed(() => LESSONS.findIndex((l) => l.id === current.value.id))
  const predictedCount = computed(() => LESSONS.filter((l) => predictions.value[l.id]).length)

  function open(id: string) {
    if (findLesson(id)) currentId.value = id
  }

  function step(delta: number) {
    const next = LESSONS[index.value + delta]
    if (next) currentId.value = next.id
  }

  function predict(lessonId: string, choice: string) {
    predictions.value = { ...predictions.value, [lessonId]: { choice, at: Date.now() } }
  }

  function reveal(lessonId: string) {
    const p = predictions.value[lessonId]
    if (p) predictions.value = { ...predictions.value, [lessonId]: { ...p, revealed: true } }
  }

  function forget(lessonId: string) {
    const { [lessonId]: _gone, ...rest } = predictions.value
    predictions.value = rest
  }

  /** The try-it being tried: what happens after it, until another one, is that lesson's outcome. */
  const trying = ref<{ lesson: string; at: number } | null>(null)
  /** Each lesson's newest try-it outcome (this session only: a server does not outlive the lab). */
  const outcomes = ref<Record<string, TryOutcome>>({})

  function tried(lessonId: string) {
    trying.value = { lesson: lessonId, at: Date.now() }
  }

  function setOutcome(lessonId: string, outcome: TryOutcome) {
    outcomes.value = { ...outcomes.value, [lessonId]: outcome }
  }

  /**
   * Watches the engine's answers while a try-it is open: a new notice (an error the engine
   * answered) or a server that was not there before becomes that lesson's outcome. Called once,
   * by the always-mounted "← back to lesson" bar.
   */
  /** Errors about the lab's own bookkeeping, never a try-it's outcome. */
  const NOT_AN_OUTCOME = new Set<string>(['ERR_STORAGE'])
  function recordOutcomes() {
    const lab = useLabStore()
    const servers = useServersStore()
    let seenNotice = Math.max(-1, ...lab.notices.map((n) => n.id))
    let seenServers = new Set(servers.servers.map((s) => s.id))
    watch(
      () => lab.notices,
      (list) => {
        const fresh = list.filter((n) => n.id > seenNotice)
        if (fresh.length === 0) return
        seenNotice = Math.max(seenNotice, ...fresh.map((n) => n.id))
        // A save that failed (History, the learner's state) is not what the experiment did: its run still counts.
        const outcome = fresh.filter((n) => !NOT_AN_OUTCOME.has(n.error.code)).at(-1)
        if (trying.value && outcome) setOutcome(trying.value.lesson, { at: Date.now(), kind: 'error', error: runError(outcome.error) })
      },
    )
    watch(
      () => servers.servers,
      (list) => {
        const fresh = list.filter((s) => !seenServers.has(s.id))
        seenServers = new Set(list.map((s) => s.id))
        const started = fresh.find((s) => s.state === 'listening')
        if (trying.value && started) setOutcome(trying.value.lesson, { at: Date.now(), kind: 'net.server', serverId: started.id })
      },
    )
  }

  return { currentId, current, index, predictions, predictedCount, outcomes, trying, open, step, predict, reveal, forget, tried, setOutcome, recordOutcomes }
})
