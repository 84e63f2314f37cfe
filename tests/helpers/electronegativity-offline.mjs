// Runs @doyensec/electronegativity programmatically over one folder, OFFLINE:
// - `got` (its only network client) is replaced by one that fails at once, so neither the
//   translations fetch nor any check can reach the network;
// - AvailableSecurityFixesGlobalCheck (which downloads Electron's release list) is left out;
// - the Electron version is given (the one in package.json), not looked up.
// Prints the findings as one JSON line prefixed with "ENG-RESULT ".
// usage: node electronegativity-offline.mjs <folder> <electronVersion>
import Module, { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const load = Module._load
Module._load = function (request, ...rest) {
  if (request === 'got') {
    const offline = () => Promise.reject(new Error('offline: electronegativity network access disabled'))
    offline.head = offline
    offline.get = offline
    return offline
  }
  return load.call(this, request, ...rest)
}
const run = require('@doyensec/electronegativity')

const [input, electronVersion] = process.argv.slice(2)
run(
  {
    input,
    isRelative: true,
    excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
    electronVersionOverride: electronVersion,
  },
  false,
).then(
  (r) => {
    const issues = r.issues.map((i) => ({
      id: i.id,
      severity: i.severity.name,
      confidence: i.confidence.name,
      file: i.file,
      line: i.location.line,
      column: i.location.column,
      manualReview: !!i.manualReview,
      description: i.description,
    }))
    process.stdout.write(`ENG-RESULT ${JSON.stringify({ globalChecks: r.globalChecks, atomicChecks: r.atomicChecks, errors: r.errors, issues })}\n`)
  },
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
