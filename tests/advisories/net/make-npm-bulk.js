// Writes npm-bulk-response.json: what the registry's bulk advisory endpoint answers for npm-bulk-request.json, in
// its format (the fields @npmcli/metavuln-calculator reads: id, url, title, severity, vulnerable_versions), derived
// from the OSV records under ../osv (GitHub's advisories, which the registry serves). It is derived, not recorded:
// the registry mirror this was made behind answers 405 to POST. Each record's ranges become an npm range
// (`>=a <b`, `<=b`, `||` between ranges), and an advisory is listed for a package when one of the request's
// versions is in it (npm's semver, prereleases included, as npm audit reads it).
// Run: node tests/advisories/net/make-npm-bulk.js (from the repository root; needs npm's semver).
const fs = require('fs')
const path = require('path')
const semver = require('/usr/lib/node_modules/npm/node_modules/semver')
const dir = path.join(__dirname, '..', 'osv')
const request = JSON.parse(fs.readFileSync(path.join(__dirname, 'npm-bulk-request.json'), 'utf8'))
const answer = {}
let n = 1000000
for (const file of fs.readdirSync(dir).sort()) {
  const record = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))
  n += 1
  for (const affected of record.affected || []) {
    const name = affected.package && affected.package.ecosystem === 'npm' && affected.package.name
    if (!name || !request[name]) continue
    const parts = []
    for (const range of affected.ranges || []) {
      let lo = null
      for (const e of range.events) {
        if (e.introduced !== undefined) lo = e.introduced
        else if (e.fixed !== undefined) { parts.push((lo && lo !== '0' ? `>=${lo} ` : '') + `<${e.fixed}`); lo = null }
        else if (e.last_affected !== undefined) { parts.push((lo && lo !== '0' ? `>=${lo} ` : '') + `<=${e.last_affected}`); lo = null }
      }
      if (lo !== null) parts.push(lo === '0' ? '*' : `>=${lo}`)
    }
    for (const v of affected.versions || []) parts.push(v)
    const vulnerable = parts.join(' || ')
    if (!request[name].some(v => semver.satisfies(v, vulnerable, { includePrerelease: true, loose: true }))) continue
    const severity = (record.database_specific && record.database_specific.severity || 'high').toLowerCase()
    ;(answer[name] = answer[name] || []).push({
      id: n,
      url: `https://github.com/advisories/${record.id}`,
      title: record.summary,
      severity,
      vulnerable_versions: vulnerable,
    })
  }
}
fs.writeFileSync(path.join(__dirname, 'npm-bulk-response.json'), JSON.stringify(answer, null, 2) + '\n')
