import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The provider's durable artifacts (table `oidc_artifacts`: sessions, grants, refresh tokens,
 * device codes) have one owner, the artifact repository: its rules (what is live, what a
 * tombstone is, that a rotation consumes and writes in one statement) hold only if nothing else
 * reads or writes the table. Every other part asks the repository.
 */
const SRC = path.resolve('src');
const OWNER = 'domain/sessions/artifact.repository.ts';
const TABLE = 'oidc_artifacts';

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? allFiles(full) : [full];
  });
}

describe(`the ${TABLE} table`, () => {
  const mentioning = allFiles(SRC)
    .filter((file) => readFileSync(file, 'utf8').includes(TABLE))
    .map((file) => path.relative(SRC, file).split(path.sep).join('/'));

  it('is named in src/ by its repository only', () => {
    expect(mentioning).toEqual([OWNER]);
  });
});
