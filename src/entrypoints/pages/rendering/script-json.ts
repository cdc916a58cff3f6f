/** JSON to put inside <script type="application/json">: "<", ">" and "&" escaped so nothing in it can end the element early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}
