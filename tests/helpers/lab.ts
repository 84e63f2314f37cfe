import { Lab } from '../../main/lab/lab'
import { WORKERS_DIR } from './paths'

/** A real engine for a test; close it in afterEach. */
export function createTestLab(dataDir: string | null = null): Lab {
  return new Lab({ workersDir: WORKERS_DIR, dataDir, door: 'test', version: 'test' })
}
