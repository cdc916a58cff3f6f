// The npm registry reachable here does not serve other platforms' optional binaries (@swc/core-*,
// @unrs/resolver-binding-*), so `npm install` leaves them out of the lock and `npm ci` then
// refuses it. This adds the missing optional entries; run it after every `npm install`.
import fs from 'node:fs';
const lock = JSON.parse(fs.readFileSync('package-lock.json', 'utf8'));
const pk = lock.packages; let added = 0;
for (const [path, entry] of Object.entries(pk)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path ? path + '/' : '';
    if (pk[`${base}node_modules/${name}`] || pk[`node_modules/${name}`]) continue;
    const os = name.match(/(darwin|win32|linux|android|freebsd|openharmony|sunos|aix)/)?.[1];
    const cpu = name.match(/(arm64|x64|ia32|arm|ppc64|s390x|riscv64|loong64)/)?.[1];
    pk[`node_modules/${name}`] = { version, ...(entry.dev ? { dev: true } : {}), optional: true, ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}) };
    added++;
  }
}
fs.writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
console.log('added', added);
