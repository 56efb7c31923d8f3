// @vitest-environment happy-dom
// The funnel: one bar per step with its count and share of the audience, widths decreasing with the share, and
// the drop-off between two steps written on the connector.
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderIn } from '../test-utils';
import type { FunnelStep } from '../types';
import { Funnel } from './Funnel';

afterEach(cleanup);

// audience 10000 → sent 9400 → clickers 1840 → converters 690
// shares: 9400/10000 = 0.94, 1840/10000 = 0.184, 690/10000 = 0.069
// drop-offs: 1 − 9400/10000 = 0.06, 1 − 1840/9400 = 0.8043, 1 − 690/1840 = 0.625
const steps: FunnelStep[] = [
  { step: 'audience', count: 10000, shareOfAudience: 1, dropOff: null },
  { step: 'sent', count: 9400, shareOfAudience: 0.94, dropOff: 0.06 },
  { step: 'engaged', count: 1840, shareOfAudience: 0.184, dropOff: 0.8043 },
  { step: 'converters', count: 690, shareOfAudience: 0.069, dropOff: 0.625 },
];

const width = (step: string) =>
  Number.parseFloat((screen.getByTestId(`funnel-${step}`).querySelector('.funnel-bar') as HTMLElement).style.width);

describe('Funnel', () => {
  it('shows each step with its count and share of the audience', () => {
    renderIn('en', <Funnel steps={steps} channel="whatsapp" />);
    const sent = screen.getByTestId('funnel-sent');
    expect(within(sent).getByTestId('funnel-count').textContent).toBe('9,400');
    expect(within(sent).getByTestId('funnel-share').textContent).toBe('94.0%');
    const engaged = screen.getByTestId('funnel-engaged');
    expect(engaged.textContent).toContain('Clickers');
    expect(within(engaged).getByTestId('funnel-share').textContent).toBe('18.4%');
    expect(within(screen.getByTestId('funnel-converters')).getByTestId('funnel-count').textContent).toBe('690');
  });

  it('draws bars of decreasing width', () => {
    renderIn('en', <Funnel steps={steps} channel="whatsapp" />);
    const widths = steps.map((s) => width(s.step));
    expect(widths).toEqual([100, 94, 18.4, 6.9]);
  });

  it('writes the drop-off on the connector, with a spoken sentence', () => {
    renderIn('en', <Funnel steps={steps} channel="whatsapp" />);
    expect(screen.queryByTestId('funnel-dropoff-audience')).toBeNull();
    const engaged = screen.getByTestId('funnel-dropoff-engaged');
    // 0.8043 → −80.4 %
    expect(engaged.textContent).toContain('\u221280.4%');
    expect(engaged.textContent).toContain('lost between Sent and Clickers');
    expect(screen.getByTestId('funnel-dropoff-converters').textContent).toContain('\u221262.5%');
  });

  it('names the engaged step after QR scans for letters, in French', () => {
    renderIn('fr', <Funnel steps={steps} channel="mail" />);
    expect(screen.getByTestId('funnel-engaged').textContent).toContain('Scans QR / visites');
    expect(screen.getByTestId('funnel-dropoff-converters').textContent).toMatch(/\u221262,5[\u00a0\u202f]%/);
  });

  it('keeps a visible sliver for an empty step and shows — for an unknown share', () => {
    renderIn(
      'en',
      <Funnel
        channel="email"
        steps={[
          { step: 'audience', count: 0, shareOfAudience: null, dropOff: null },
          { step: 'sent', count: 0, shareOfAudience: null, dropOff: null },
        ]}
      />,
    );
    expect(width('sent')).toBe(2);
    expect(within(screen.getByTestId('funnel-sent')).getByTestId('funnel-share').textContent).toBe('—');
    expect(screen.getByTestId('funnel-dropoff-sent').textContent).toContain('—');
  });
});
