import { empty } from '../schema'
import { method } from './spec'

export interface LabInfo {
  version: string
  platform: string
  arch: string
  pid: number
  cpus: number
  node: string
  /** Which door this client came through. */
  door: 'electron' | 'browser' | 'cli' | 'test'
  python: string | null
  dataDir: string | null
  /**
   * The engine process's memory when asked (Node's process.memoryUsage(), bytes): RSS beside V8's
   * heap, so a soak can tell a leak (heap used stays up) from pages V8 and the allocator keep (issue 12).
   * `collected`: a full garbage collection ran first (only when the engine runs with --expose-gc).
   */
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; collected: boolean }
}

export const labMethods = {
  'lab.info': method<LabInfo>()(empty),
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface LabEvents {}
