import type { RunCancelled } from '../../shared/contract/runs'
import { aboutSeconds } from '../../shared/run-estimate'
import type { Lab } from '../lab/lab'
import type { CliIo } from './io'

/** A long run's id in the CLI: one run per process, so one name is enough. */
export const CLI_RUN_ID = 'cli-run'

/** Exit code of a run the learner cancelled with Ctrl-C (128 + SIGINT, as shells report it). */
export const CANCELLED_EXIT = 130

/**
 * Runs a long run so that Ctrl-C (or SIGTERM) cancels it instead of killing the lab: the run
 * comes back with what finished, which the command prints as usual. Before it starts, the
 * estimate from its settings goes to stderr (stdout stays the table or the JSON).
 */
export async function cancellable<T>(io: CliIo, lab: Lab, estimateMs: number, json: boolean, work: (runId: string) => Promise<T>): Promise<T> {
  if (!json) io.err(`about ${aboutSeconds(estimateMs)} s (estimated from the settings); Ctrl-C cancels and prints what finished`)
  let finished = false
  void io.untilStopped().then(() => {
    if (finished) return
    if (!json) io.err('cancelling: stopping the run and keeping what finished…')
    void lab.call('run.cancel', { runId: CLI_RUN_ID })
  })
  try {
    return await work(CLI_RUN_ID)
  } finally {
    finished = true
  }
}

/** The line under a cancelled run's table. */
export function cancelledLine(c: RunCancelled, unit: string): string {
  return `cancelled after ${(c.atMs / 1000).toFixed(1)} s: ${c.done} of ${c.total} ${unit} done; the rows above are what finished`
}
