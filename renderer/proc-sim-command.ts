/** Pure: unit-tested in tests/unit/proc-ui-sim.test.ts. */

/** The equivalent OSTEP `process-run.py` command line for the simulator's settings. */
export function processRunCommand(s: { procs: string; switchOn: 'io' | 'end'; ioDone: 'later' | 'immediate'; ioLength: number }): string {
  return [
    './process-run.py',
    `-l ${s.procs}`,
    `-S ${s.switchOn === 'io' ? 'SWITCH_ON_IO' : 'SWITCH_ON_END'}`,
    `-I ${s.ioDone === 'later' ? 'IO_RUN_LATER' : 'IO_RUN_IMMEDIATE'}`,
    `-L ${s.ioLength}`,
    '-c -p',
  ].join(' ')
}
