import { FORM, JSON_BODY, mediaType } from './media-type.js';

describe('mediaType', () => {
  it('reads the media type whatever its case, spacing and parameters', () => {
    expect(mediaType('application/x-www-form-urlencoded')).toBe(FORM);
    expect(mediaType('Application/X-WWW-Form-URLEncoded; charset=UTF-8')).toBe(FORM);
    expect(mediaType(' application/json ;charset=utf-8')).toBe(JSON_BODY);
  });

  it('is empty without a header, and never matches a type that only begins like a known one', () => {
    expect(mediaType(undefined)).toBe('');
    expect(mediaType('')).toBe('');
    expect(mediaType('application/jsonx')).not.toBe(JSON_BODY);
    expect(mediaType('application/x-www-form-urlencoded-evil')).not.toBe(FORM);
  });
});
