// Imports every entry of the built package by its public name (the package references
// itself through its `exports` map), as a consumer would: a wrong path, a missing file or
// an extensionless import in dist/ fails here rather than in a user's app.
const expectations = {
  'session-stream': ['createSessionClient', 'foldEvents', 'sessionEvents', 'isDurable', 'isLive', 'SessionStreamError'],
  'session-stream/react': ['useSessionView', 'useSessionConnection', 'useSessionHealth', 'useSessionMessage', 'useSessionMessageIDs', 'useSessionPart', 'SessionMessages'],
  'session-stream/vue': ['useSessionView', 'useSessionConnection', 'useSessionHealth', 'useSessionMessage', 'useSessionMessageIDs', 'useSessionPart'],
  'session-stream/tabs': ['shareAcrossTabs', 'createTabCoordinator', 'browserTabPlatform'],
  'session-stream/persist': ['indexedDBCache', 'memoryCache', 'serverKey', 'toPlain'],
  'session-stream/testing': ['createMockEngine', 'createMockHandlers', 'faultControls', 'releaseResponseClones', 'startTurn'],
}
let failed = 0
for (const [entry, names] of Object.entries(expectations)) {
  try {
    const module = await import(entry)
    const missing = names.filter((name) => typeof module[name] !== 'function')
    if (missing.length > 0) throw new Error(`missing exports: ${missing.join(', ')}`)
    console.log(`ok   ${entry}`)
  } catch (error) {
    failed++
    console.log(`FAIL ${entry}: ${error instanceof Error ? error.message : String(error)}`)
  }
}
// One copy of the protocol code: the testing entry imports the core build, so an error class
// (or any module state) is the same object whichever entry a program reached it through.
{
  const { existsSync, readdirSync, readFileSync } = await import('node:fs')
  const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]))
  const copies = walk('dist/testing').filter((file) => file.endsWith('.js') && /from '[^']*\/src\//.test(readFileSync(file, 'utf8')))
  if (existsSync('dist/testing/src') || copies.length > 0) {
    failed++
    console.log(`FAIL session-stream/testing carries its own copy of src/: ${copies.slice(0, 3).join(', ')}`)
  } else console.log('ok   session-stream/testing shares the core build (one SessionStreamError)')
}
const names = Object.keys(expectations).length
console.log(`package entries: ${names - failed} of ${names} import`)
process.exit(failed === 0 ? 0 : 1)
