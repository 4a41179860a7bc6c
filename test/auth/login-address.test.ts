/** Where a login comes from, as lockouts and throttling count it (pure: EPI_TEST_SERVERS=none). */
import { loginAddress } from '../../libs/auth/login-lockout.service';

const from = (ip: string) => loginAddress({ ip, socket: {} as never });

describe('loginAddress', () => {
  it('counts IPv4 as itself, also when mapped into IPv6', () => {
    expect(from('198.51.100.7')).toBe('198.51.100.7');
    expect(from('::ffff:198.51.100.7')).toBe('198.51.100.7');
  });

  it('counts IPv6 by its /64, the block one client holds', () => {
    expect(from('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(from('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(from('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(from('::1')).toBe('0:0:0:0::/64');
    expect(from('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
