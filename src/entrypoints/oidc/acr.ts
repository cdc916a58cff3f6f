/**
 * Authentication context class references (`acr`) of Gatehouse's sign-ins: whether a second
 * factor was part of it. `amr` says exactly how; `acr` is what an app compares against, and what
 * `acr_values` and the `claims` parameter ask for.
 */
export const ACR = {
  singleFactor: 'urn:gatehouse:acr:single-factor',
  multiFactor: 'urn:gatehouse:acr:multi-factor',
} as const;

export const ACR_VALUES = [ACR.singleFactor, ACR.multiFactor];

/** A passkey alone counts as two factors: the device, and the person verified on it. */
const MULTI_FACTOR_ALONE = new Set(['hwk']);

export function acrFor(amr: readonly string[]): string {
  return amr.length > 1 || amr.some((method) => MULTI_FACTOR_ALONE.has(method)) ? ACR.multiFactor : ACR.singleFactor;
}
