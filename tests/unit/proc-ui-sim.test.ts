import { describe, expect, it } from 'vitest'
import { processRunCommand } from '../../renderer/proc-sim-command'

describe('processRunCommand', () => {
  it('writes the OSTEP process-run.py flags for the simulator’s settings', () => {
    expect(processRunCommand({ procs: '5:100,1:0', switchOn: 'io', ioDone: 'later', ioLength: 5 })).toBe('./process-run.py -l 5:100,1:0 -S SWITCH_ON_IO -I IO_RUN_LATER -L 5 -c -p')
    expect(processRunCommand({ procs: '1:0,4:100', switchOn: 'end', ioDone: 'immediate', ioLength: 3 })).toBe('./process-run.py -l 1:0,4:100 -S SWITCH_ON_END -I IO_RUN_IMMEDIATE -L 3 -c -p')
  })
})
