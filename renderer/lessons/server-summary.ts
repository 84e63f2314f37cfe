import type { HistorySummary } from '../../shared/contract/history'
import type { ServerInfo } from '../../shared/contract/net'
import type { DatagramSeen } from '../stores/servers'

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
