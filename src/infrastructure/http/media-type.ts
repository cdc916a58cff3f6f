/**
 * The media type of a Content-Type header, lower-cased and without its parameters
 * (`application/x-www-form-urlencoded` for `Application/X-WWW-Form-URLEncoded; charset=UTF-8`),
 * or '' without one. For the checks every token request passes: Koa's `ctx.is` (type-is) parses
 * the whole header into objects to compare two strings, a few microseconds each time.
 */
export function mediaType(contentType: string | undefined): string {
  if (!contentType) return '';
  const end = contentType.indexOf(';');
  return (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase();
}

export const FORM = 'application/x-www-form-urlencoded';
export const JSON_BODY = 'application/json';
