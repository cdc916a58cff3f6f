import path from 'node:path';
import { RunningProcess } from '../helpers/child-process.js';

/**
 * Runs one of examples/ as a reader would (`node examples/<kind>/<file>.mjs …`), pointed at the
 * test's Gatehouse by the same variables the guides use.
 */
export function runExample(file: string, args: string[], env: Record<string, string>): RunningProcess {
  return RunningProcess.start(file, process.execPath, [path.resolve('examples', file), ...args], { env });
}

/** Runs an example command to its end; its exit code and everything it printed. */
export async function exampleResult(file: string, args: string[], env: Record<string, string>, timeoutMs = 15_000): Promise<{ code: number | null; output: string }> {
  const example = runExample(file, args, env);
  const code = await example.exitCode(timeoutMs);
  return { code, output: example.output.join('\n') };
}
