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
}

export const labMethods = {
  'lab.info': method<LabInfo>()(empty),
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface LabEvents {}
