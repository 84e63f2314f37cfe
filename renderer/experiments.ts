/**
 * Every experiment a lesson (or a history entry) can open, by `view/tab`, with the settings
 * it accepts. Experiment views read these with `ui.takePreset(view, tab)` when they mount
 * and fill their controls; lessons build presets against these types.
 */
import type { RelayPresetName } from '../shared/contract'

export type ServerModeName = 'serial' | 'threading' | 'forking' | 'async'
export type FramingName = 'none' | 'len32le' | 'len32be' | 'line'
export type RunModeName = 'serial' | 'concurrent' | 'parallel'

export interface ExperimentSettings {
  /** Server & clients: start a server of this kind, optionally send a message. */
  'network/server': { proto?: 'tcp' | 'udp'; mode?: ServerModeName; handler?: string; port?: number; frame?: FramingName; message?: string; autoStart?: boolean }
  /** Sticky packets: the sender's messages and the receiver's knobs; `udp` also runs the UDP side. */
  'network/sticky': { messages?: string[]; gapMs?: number; recvSize?: number; readDelayMs?: number; nodelay?: boolean; frame?: FramingName; udp?: boolean; autoRun?: boolean }
  /**
   * Relay: one of its presets; `autoStart` also starts the course's servers to relay to, the relay,
   * and the probes the preset is about (UDP then TCP for a relay of both). Probes are not History runs.
   */
  'network/relay': { preset?: RelayPresetName; autoStart?: boolean }
  /** Serial vs concurrent servers: K clients × M messages against the chosen modes. */
  'network/compare': { clients?: number; messages?: number; handler?: string; modes?: ServerModeName[]; requestQueueSize?: number; python?: boolean; autoRun?: boolean }
  /** Serial vs concurrent vs parallel: a task spec such as "cpu:400ms*4". */
  'processes/run': { tasks?: string; workers?: number; modes?: RunModeName[]; autoRun?: boolean }
  'processes/tree': { pid?: number }
  'processes/counter': { kind?: 'threads' | 'processes'; n?: number; increments?: number; atomic?: boolean; autoRun?: boolean }
  /** Multiprogramming simulator (OSTEP process-run style), e.g. procs "5:100,1:0". */
  'processes/simulator': { procs?: string; switchOn?: 'io' | 'end'; ioDone?: 'later' | 'immediate'; ioLength?: number; autoRun?: boolean }
}

export type ExperimentId = keyof ExperimentSettings
