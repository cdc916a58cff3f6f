import { ACR, acrFor } from './acr.js';

describe('acr of a sign-in', () => {
  it('is single-factor for a password alone, multi-factor with a second factor or a passkey', () => {
    expect(acrFor(['pwd'])).toBe(ACR.singleFactor);
    expect(acrFor(['pwd', 'sms'])).toBe(ACR.multiFactor);
    expect(acrFor(['pwd', 'otp'])).toBe(ACR.multiFactor);
    expect(acrFor(['hwk'])).toBe(ACR.multiFactor);
  });
});
