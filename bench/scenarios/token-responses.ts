/** The OAuth `error` of a refused token request (RFC 6749 §5.2), for grouping failures. */
export function errorOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    if (typeof parsed.error === 'string') {
      return typeof parsed.error_description === 'string' ? `${parsed.error} (${parsed.error_description})` : parsed.error;
    }
  } catch {
    // not JSON: fall through to the raw start of the body
  }
  return body.slice(0, 80).replace(/\s+/g, ' ');
}
