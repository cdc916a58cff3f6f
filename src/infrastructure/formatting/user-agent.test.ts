import { deviceName } from './user-agent.js';

describe('a device in a few words', () => {
  it('names the browser and system of common user agents', () => {
    expect(deviceName('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0')).toEqual({ app: 'Firefox', system: 'Windows' });
    expect(deviceName('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36')).toEqual({ app: 'Chrome', system: 'Linux' });
    expect(deviceName('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1')).toEqual({ app: 'Safari', system: 'iOS' });
    expect(deviceName('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0')).toEqual({ app: 'Edge', system: 'Windows' });
  });

  it('names an app by its product, and reads nothing into nothing', () => {
    expect(deviceName('DemoMobile/2.1 (Android 14; Pixel 8)')).toEqual({ app: 'DemoMobile', system: 'Android' });
    expect(deviceName('')).toBeNull();
    expect(deviceName(null)).toBeNull();
  });
});
