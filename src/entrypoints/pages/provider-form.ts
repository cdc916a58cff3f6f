/**
 * oidc-provider hands its page hooks a ready-made `<form>` carrying its CSRF token. Gatehouse
 * renders its own accessible forms instead, so it takes just the action and token out of it.
 */
export function readProviderForm(form: string): { action: string; xsrf: string } {
  const action = /action="([^"]*)"/.exec(form)?.[1] ?? '';
  const xsrf = /name="xsrf" value="([^"]*)"/.exec(form)?.[1] ?? '';
  return { action: decodeEntities(action), xsrf };
}

function decodeEntities(value: string): string {
  return value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}
