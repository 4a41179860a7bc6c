/**
 * What a workflow started before routing still sends to its activities: invented `role@place`
 * names and plain names, mapped to the role there (pure, no servers).
 */
import { withoutLegacy } from '../../libs/notifications/notification-outbox';
import { fromLegacy, roleWhereLiving } from '../../libs/notifications/recipients';

describe('recipients of runs started before routing', () => {
  const named = (name: string) => roleWhereLiving('community_worker', { subdistrict: 'XYL', community: 'C1' }, name);

  it('maps supervisor@X, medical@X and receiver@D to the role there, and a plain name as the sender says', () => {
    expect(fromLegacy({ staff: 'supervisor@XYL' }, named)).toEqual({ role: 'supervisor', subdistrict: 'XYL' });
    expect(fromLegacy({ staff: 'medical@XYL' }, named)).toEqual({ role: 'medical', subdistrict: 'XYL' });
    expect(fromLegacy({ staff: 'receiver@hotel-1' }, named)).toEqual({ role: 'receiver', destinationId: 'hotel-1' });
    expect(fromLegacy({ staff: '李娜' }, named)).toEqual({ role: 'community_worker', subdistrict: 'XYL', community: 'C1', preferred: '李娜' });
  });

  it('leaves every current recipient kind as it is', () => {
    for (const recipient of [{ personId: 'p' }, { account: 'a' }, { staffId: 's' }, { mobile: '13800138000' }, { role: 'dispatcher' as const, subdistrict: 'XYL' }]) {
      expect(fromLegacy(recipient, named)).toBe(recipient);
    }
    const [request] = withoutLegacy([{ id: 'x', recipient: { staff: 'medical@XYL' }, template: 'fever_alert', params: {} }], named);
    expect(request).toEqual({ id: 'x', recipient: { role: 'medical', subdistrict: 'XYL' }, template: 'fever_alert', params: {} });
  });
});
