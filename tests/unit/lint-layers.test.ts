import { ESLint } from 'eslint'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../helpers/paths'

/** The layer rules of eslint.config.js fail on a wrong-layer import (docs/ARCHITECTURE.md, style habit 1). */
describe('layer rules', { timeout: 60_000 }, () => {
  const eslint = new ESLint({ cwd: REPO_ROOT })
  const lint = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: path.join(REPO_ROOT, file) })
    return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
  }

  it('stops renderer/ importing main/, electron or Node built-ins', async () => {
    expect(await lint('renderer/x.ts', "import { Lab } from '../main/lab/lab'\nexport { Lab }\n")).toHaveLength(1)
    expect(await lint('renderer/x.ts', "import { ipcRenderer } from 'electron'\nexport { ipcRenderer }\n")).toHaveLength(1)
    expect(await lint('renderer/x.ts', "import fs from 'node:fs'\nexport { fs }\n")).toHaveLength(1)
    expect(await lint('renderer/x.ts', "import fs from 'fs'\nexport { fs }\n")).toHaveLength(1)
    expect(await lint('renderer/x.ts', "import { methodNames } from '../shared/contract'\nexport { methodNames }\n")).toHaveLength(0)
  })

  it('stops shared/ importing anything outside shared/', async () => {
    expect(await lint('shared/x.ts', "import path from 'node:path'\nexport { path }\n")).toHaveLength(1)
    expect(await lint('shared/x.ts', "import { ref } from 'vue'\nexport { ref }\n")).toHaveLength(1)
    expect(await lint('shared/x.ts', "import { Lab } from '../main/lab/lab'\nexport { Lab }\n")).not.toHaveLength(0)
    expect(await lint('shared/x.ts', "import { errorData } from './errors'\nexport { errorData }\n")).toHaveLength(0)
  })

  it('lets only main/electron/ import electron', async () => {
    expect(await lint('main/lab/x.ts', "import { app } from 'electron'\nexport { app }\n")).toHaveLength(1)
    expect(await lint('main/host/x.ts', "import { app } from 'electron'\nexport { app }\n")).toHaveLength(1)
    expect(await lint('main/electron/x.ts', "import { app } from 'electron'\nexport { app }\n")).toHaveLength(0)
  })
})
