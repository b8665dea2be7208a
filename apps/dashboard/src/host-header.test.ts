import { describe, expect, it } from 'vitest';
import { hostChecker, isLoopbackName, parseHostHeader } from './host-header.ts';

describe('parseHostHeader', () => {
  it('splits a name, an IPv6 literal and a port', () => {
    expect(parseHostHeader('127.0.0.1:8080')).toEqual({ name: '127.0.0.1', port: 8080 });
    expect(parseHostHeader('LocalHost')).toEqual({ name: 'localhost', port: undefined });
    expect(parseHostHeader('[::1]:80')).toEqual({ name: '::1', port: 80 });
    expect(parseHostHeader('[0:0:0:0:0:0:0:1]')).toEqual({ name: '0:0:0:0:0:0:0:1', port: undefined });
  });

  it('refuses anything that is not a plain host and port', () => {
    for (const header of [
      '',
      ':80',
      '127.0.0.1:80@evil',
      '127.0.0.1:',
      '127.0.0.1:99999',
      '127.0.0.1:80:80',
      '127.0.0.1 ',
      'user@127.0.0.1',
      '127.0.0.1/x',
      '::1',
      '[::1',
      '[::1]x',
      '[evil.example]',
      '[::1]:80@evil',
    ]) {
      expect(parseHostHeader(header), JSON.stringify(header)).toBeUndefined();
    }
  });
});

describe('isLoopbackName', () => {
  it('accepts localhost, 127.0.0.0/8 literals and ::1', () => {
    for (const name of ['localhost', '127.0.0.1', '127.1.2.3', '127.255.255.255', '::1', '0::1', '[::1]']) {
      expect(isLoopbackName(name), name).toBe(true);
    }
  });

  it('refuses names that only start like a loopback address', () => {
    for (const name of [
      '127.evil.example',
      '127.0.0.1.evil.example',
      'localhost.evil.example',
      '127.1',
      '127.0.0.256',
      '128.0.0.1',
      '::2',
      '',
    ]) {
      expect(isLoopbackName(name), name).toBe(false);
    }
  });
});

describe('hostChecker', () => {
  it('bound to loopback: loopback names and the bound name only, never a missing Host', () => {
    const allowed = hostChecker('127.0.0.1', '127.0.0.1');
    for (const ok of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080', '127.1.2.3', 'LOCALHOST']) {
      expect(allowed(ok), ok).toBe(true);
    }
    for (const bad of [
      undefined,
      '',
      'evil.example',
      '127.evil.example',
      '127.0.0.1.evil.example',
      'localhost.evil.example',
      '127.0.0.1:80@evil',
    ]) {
      expect(allowed(bad), String(bad)).toBe(false);
    }
  });

  it('bound to a loopback address under another name: that name too', () => {
    const allowed = hostChecker('satfarm-box', '127.0.1.1');
    expect(allowed('satfarm-box:8080')).toBe(true);
    expect(allowed('satfarm-box.evil.example:8080')).toBe(false);
  });

  it('bound beyond loopback: any Host (the operator chose to serve the network)', () => {
    expect(hostChecker('0.0.0.0', '0.0.0.0')('evil.example')).toBe(true);
  });
});
