/** The `lab` command's entry (built to out/main/cli.js). */
import { builtPaths } from '../paths'
import { runCli } from './cli'

const paths = builtPaths(import.meta.url)
const code = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
  workersDir: paths.workersDir,
  rendererDir: paths.rendererDir,
  untilStopped: () =>
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve())
      process.once('SIGTERM', () => resolve())
    }),
})
process.exitCode = code
