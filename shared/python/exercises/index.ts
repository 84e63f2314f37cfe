/**
 * The exercises' starter programs (comments in both languages). The engine copies one into
 * the learner's exercises folder; the reference solutions live in tests/fixtures/exercises/
 * and are never shown.
 */
import type { ExerciseId } from '../../contract/exercises'
import framedClient from './framed_client.py?raw'
import threadLock from './thread_lock.py?raw'
import twoClients from './two_clients.py?raw'
import udpServer from './udp_server.py?raw'
import upperServer from './upper_server.py?raw'

export interface ExerciseStarter {
  file: string
  source: string
}

export const EXERCISE_STARTERS: Record<ExerciseId, ExerciseStarter> = {
  'upper-server': { file: 'upper_server.py', source: upperServer },
  'two-clients': { file: 'two_clients.py', source: twoClients },
  'framed-client': { file: 'framed_client.py', source: framedClient },
  'udp-server': { file: 'udp_server.py', source: udpServer },
  'thread-lock': { file: 'thread_lock.py', source: threadLock },
}
