import { describe, expect, it } from 'vitest';
import { layerSaturationSvg } from './layer-saturation-plot.ts';
import { byClass, parseSvg, visibleText } from './parse-svg-for-tests.ts';
import { InvalidPlotOptionError } from './svg-document.ts';
import type { LayerSaturation, TrialSaturationInput } from './types.ts';

const layer = (i: number, overrides: Partial<LayerSaturation> = {}): LayerSaturation => ({
  layerIndex: i,
  layerName: `conv${i}`,
  kind: 'conv',
  width: 32,
  receptiveField: 3 + 2 * i,
  unproductive: false,
  trainSaturation: 0.9 - i * 0.1,
  evalSaturation: 0.8 - i * 0.1,
  trainK: 29 - i,
  evalK: 26 - i,
  ...overrides,
});

const input = (overrides: Partial<TrialSaturationInput> = {}): TrialSaturationInput => ({
  trialId: 'abcdef0123456789abcdef0123456789',
  architecture: 'vgg11',
  resolution: 28,
  seed: 3,
  epoch: 4,
  lastEpoch: 5,
  testAccuracy: 0.8734,
  delta: 0.99,
  // Shuffled on purpose: the plot must put layers in forward order.
  layers: [layer(2), layer(0), layer(4, { unproductive: true }), layer(1), layer(3, { unproductive: true })],
  ...overrides,
});

describe('layerSaturationSvg', () => {
  it('is valid SVG with one train and one eval bar per layer, in forward order', () => {
    const root = parseSvg(layerSaturationSvg(input()));
    const evalBars = byClass(root, 'rect', 'bar', 'eval');
    const trainBars = byClass(root, 'rect', 'bar', 'train');
    expect(evalBars).toHaveLength(5);
    expect(trainBars).toHaveLength(5);
    expect(evalBars.map((b) => b.getAttribute('data-layer'))).toEqual(['0', '1', '2', '3', '4']);
    expect(evalBars.map((b) => Number(b.getAttribute('data-value')))).toEqual(
      [0.8, 0.7, 0.6, 0.5, 0.4].map((v) => expect.closeTo(v, 12)),
    );
    // Lengths follow the values: a longer bar for a more saturated layer.
    const widths = evalBars.map((b) => Number(b.getAttribute('width')));
    expect([...widths].sort((a, b) => b - a)).toEqual(widths);
    expect(widths[0]! / widths[4]!).toBeCloseTo(0.8 / 0.4, 1);
  });

  it('puts the test accuracy in the title and marks unproductive layers', () => {
    const root = parseSvg(layerSaturationSvg(input()));
    const title = byClass(root, 'text', 'title')[0]!.textContent ?? '';
    expect(title).toContain('87.3%');
    expect(title).toContain('vgg11 at 28 px');
    expect(root.getElementsByTagName('title')[0]!.textContent).toContain('87.3%');
    expect(byClass(root, 'rect', 'unproductive')).toHaveLength(2);
    const marked = byClass(root, 'g', 'layer').filter((g) => g.getAttribute('data-unproductive') === 'true');
    expect(marked.map((g) => g.getAttribute('data-layer'))).toEqual(['3', '4']);
    expect(visibleText(root)).toContain('epoch 4 of 5');
    expect(visibleText(root)).toContain('99%');
  });

  it('escapes names: quotes, < and & come out as text, not markup', () => {
    const nasty = `dense<"out"> & 'x' </text><script>alert(1)</script>`;
    const root = parseSvg(
      layerSaturationSvg(input({ architecture: '<b>arch</b>', layers: [layer(0, { layerName: nasty })] })),
    );
    expect(root.getElementsByTagName('script')).toHaveLength(0);
    expect(root.getElementsByTagName('b')).toHaveLength(0);
    expect(visibleText(root)).toContain(nasty);
    expect(byClass(root, 'text', 'title')[0]!.textContent).toContain('<b>arch</b>');
  });

  it('draws no bar for a mode that was not measured, and says when nothing was', () => {
    const root = parseSvg(
      layerSaturationSvg(
        input({ testAccuracy: null, layers: [layer(0, { trainSaturation: null, trainK: null })] }),
      ),
    );
    expect(byClass(root, 'rect', 'bar', 'train')).toHaveLength(0);
    expect(byClass(root, 'rect', 'bar', 'eval')).toHaveLength(1);
    expect(byClass(root, 'text', 'title')[0]!.textContent).toContain('test accuracy –');
    const empty = parseSvg(layerSaturationSvg(input({ layers: [] })));
    expect(byClass(empty, 'rect', 'bar')).toHaveLength(0);
    expect(visibleText(empty)).toContain('no layer saturation stored');
  });

  it('refuses an id prefix that could break out of an id', () => {
    expect(() => layerSaturationSvg(input(), { idPrefix: 'a"b' })).toThrow(InvalidPlotOptionError);
    expect(() => layerSaturationSvg(input(), { idPrefix: 'a"b' })).toThrow(/idPrefix: got "a\\"b"/);
    const root = parseSvg(layerSaturationSvg(input(), { idPrefix: 'mine' }));
    expect(root.getElementsByTagName('pattern')[0]!.getAttribute('id')).toBe('mine-hatch');
  });

  it('the strict parser used here does reject broken XML', () => {
    expect(() => parseSvg('<svg xmlns="http://www.w3.org/2000/svg"><text>a < b</text></svg>')).toThrow();
  });
});
