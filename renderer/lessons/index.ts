import programProcess from './01-program-process'
import operatingSystem from './02-operating-system'
import serialConcurrentParallel from './03-serial-concurrent-parallel'
import multiprogramming from './04-multiprogramming'
import threadsProcesses from './05-threads-processes'
import tcpLoops from './06-tcp-loops'
import socketserver from './07-socketserver'
import concurrentServer from './08-concurrent-server'
import stickyPackets from './09-sticky-packets'
import framing from './10-framing'
import udpDatagrams from './11-udp-datagrams'
import type { Lesson } from './types'

/** Every lesson, in course order. */
export const LESSONS: Lesson[] = [
  programProcess,
  operatingSystem,
  serialConcurrentParallel,
  multiprogramming,
  threadsProcesses,
  tcpLoops,
  socketserver,
  concurrentServer,
  stickyPackets,
  framing,
  udpDatagrams,
]

export function findLesson(id: string): Lesson | undefined {
  return LESSONS.find((l) => l.id === id)
}

export type { Lesson, Block, Text, TryIt, Prediction, DiagramName } from './types'
