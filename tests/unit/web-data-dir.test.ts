import { describe, expect, it } from 'vitest'
import { defaultDataDir } from '../../main/cli/commands/web'

describe('lab web data folder', () => {
  it('follows each system’s convention for per-user data', () => {
    expect(defaultDataDir({}, 'linux', '/home/ada')).toBe('/home/ada/.local/share/socket-process-lab')
    expect(defaultDataDir({ XDG_DATA_HOME: '/data/ada' }, 'linux', '/home/ada')).toBe('/data/ada/socket-process-lab')
    // The XDG spec says a relative value is invalid and must be ignored.
    expect(defaultDataDir({ XDG_DATA_HOME: 'relative' }, 'linux', '/home/ada')).toBe('/home/ada/.local/share/socket-process-lab')
    expect(defaultDataDir({}, 'darwin', '/Users/ada')).toBe('/Users/ada/Library/Application Support/socket-process-lab')
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ada')).toMatch(/Roaming[\\/]socket-process-lab$/)
  })
})
