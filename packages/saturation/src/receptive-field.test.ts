import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, UnknownLayerInputError } from './errors.ts';
import { type RfNode, receptiveFields, unproductiveLayers } from './receptive-field.ts';

/** CIFAR-style VGG16: 3×3 stride-1 convs, a 2×2 stride-2 max-pool after each stack of 2,2,3,3,3. */
function vgg16(): RfNode[] {
  const nodes: RfNode[] = [];
  let previous: string[] = [];
  let conv = 0;
  [2, 2, 3, 3, 3].forEach((stack, block) => {
    for (let i = 0; i < stack; i++) {
      conv++;
      nodes.push({ name: `conv${conv}`, kernel: 3, stride: 1, inputs: previous });
      previous = [`conv${conv}`];
    }
    nodes.push({ name: `pool${block + 1}`, kernel: 2, stride: 2, inputs: previous });
    previous = [`pool${block + 1}`];
  });
  return nodes;
}

describe('receptiveFields', () => {
  it('reproduces the VGG16 receptive fields', () => {
    const rf = receptiveFields(vgg16());
    const convs = Array.from({ length: 13 }, (_, i) => rf.get(`conv${i + 1}`)?.receptiveField);
    expect(convs).toEqual([3, 5, 10, 14, 24, 32, 40, 60, 76, 92, 132, 164, 196]);
    expect(rf.get('pool5')).toEqual({ receptiveField: 212, jump: 32 });
  });

  it('widens the kernel by the dilation', () => {
    const rf = receptiveFields([
      { name: 'a', kernel: 3, stride: 2, inputs: [] },
      { name: 'b', kernel: 3, stride: 1, dilation: 2, inputs: ['a'] },
      { name: 'c', kernel: 3, stride: 1, dilation: 4, inputs: ['b'] },
    ]);
    // a: r=3 j=2; b: k_eff=5 → 3+4·2=11; c: k_eff=9 → 11+8·2=27
    expect(rf.get('b')).toEqual({ receptiveField: 11, jump: 2 });
    expect(rf.get('c')).toEqual({ receptiveField: 27, jump: 2 });
  });

  it('takes the shortest path through a residual add', () => {
    const nodes: RfNode[] = [
      { name: 'stem', kernel: 3, stride: 1, inputs: [] },
      { name: 'b1', kernel: 3, stride: 2, inputs: ['stem'] },
      { name: 'b2', kernel: 3, stride: 1, inputs: ['b1'] },
      { name: 'short', kernel: 1, stride: 2, inputs: ['stem'] },
      { name: 'add', kernel: 1, stride: 1, inputs: ['b2', 'short'] },
      { name: 'after', kernel: 3, stride: 1, inputs: ['add'] },
    ];
    const rf = receptiveFields(nodes);
    // stem 3/1; b1 5/2; b2 9/2; short 3/2 → add takes short (3, j 2); after 3+2·2=7
    expect(rf.get('b2')).toEqual({ receptiveField: 9, jump: 2 });
    expect(rf.get('add')).toEqual({ receptiveField: 3, jump: 2 });
    expect(rf.get('after')).toEqual({ receptiveField: 7, jump: 2 });
    // Input order must not matter.
    const swapped = nodes.map((n) => (n.name === 'add' ? { ...n, inputs: ['short', 'b2'] } : n));
    expect(receptiveFields(swapped).get('add')).toEqual({ receptiveField: 3, jump: 2 });
  });

  it('rejects unknown or later-defined inputs, duplicate names and bad kernels', () => {
    expect(() => receptiveFields([{ name: 'a', kernel: 3, stride: 1, inputs: ['missing'] }])).toThrow(
      UnknownLayerInputError,
    );
    expect(() =>
      receptiveFields([
        { name: 'a', kernel: 3, stride: 1, inputs: ['b'] },
        { name: 'b', kernel: 3, stride: 1, inputs: [] },
      ]),
    ).toThrow(/Layer 'a' lists input 'b'/);
    expect(() =>
      receptiveFields([
        { name: 'a', kernel: 3, stride: 1, inputs: [] },
        { name: 'a', kernel: 3, stride: 1, inputs: [] },
      ]),
    ).toThrow(InvalidArgumentError);
    expect(() => receptiveFields([{ name: 'a', kernel: 0, stride: 1, inputs: [] }])).toThrow(/kernel/);
    expect(() => receptiveFields([{ name: 'a', kernel: 3, stride: 1.5, inputs: [] }])).toThrow(/stride/);
    expect(() => receptiveFields([{ name: 'a', kernel: 3, stride: 1, dilation: 0, inputs: [] }])).toThrow(
      /dilation/,
    );
  });
});

describe('unproductiveLayers', () => {
  it('marks VGG16 conv7 onward unproductive at 32 px', () => {
    const nodes = vgg16();
    const unproductive = unproductiveLayers(nodes, receptiveFields(nodes), 32);
    for (let i = 1; i <= 6; i++) expect(unproductive.has(`conv${i}`), `conv${i}`).toBe(false);
    for (let i = 7; i <= 13; i++) expect(unproductive.has(`conv${i}`), `conv${i}`).toBe(true);
    expect(unproductive.has('pool2')).toBe(false);
    expect(unproductive.has('pool3')).toBe(true);
  });

  it('moves the border deeper at a higher resolution', () => {
    const nodes = vgg16();
    const unproductive = unproductiveLayers(nodes, receptiveFields(nodes), 64);
    // conv8 has r=60 < 64; conv9 (76) reads conv8 (60) → productive; conv10 (92) reads conv9 (76) → border.
    expect([...unproductive].filter((n) => n.startsWith('conv'))).toEqual([
      'conv10',
      'conv11',
      'conv12',
      'conv13',
    ]);
  });

  it('needs every direct input past the resolution', () => {
    const nodes: RfNode[] = [
      { name: 'a', kernel: 3, stride: 1, inputs: [] },
      { name: 'b', kernel: 3, stride: 1, inputs: ['a'] },
      { name: 'c', kernel: 3, stride: 1, inputs: ['b'] },
      { name: 'd', kernel: 3, stride: 1, inputs: ['c'] },
      { name: 'skip', kernel: 1, stride: 1, inputs: [] },
      { name: 'mix', kernel: 3, stride: 1, inputs: ['d', 'skip'] },
    ];
    const rf = receptiveFields(nodes);
    const unproductive = unproductiveLayers(nodes, rf, 6);
    // r: a 3, b 5, c 7, d 9, skip 1, mix 3 (through skip). c: 7 > 6 but reads b (5) → productive;
    // d reads c (7 ≥ 6) → border; mix reads skip (r 1). No 3×3 kernel covers a 6-px map.
    expect([...unproductive]).toEqual(['d']);
    expect(() => unproductiveLayers(nodes, rf, 0)).toThrow(/resolution/);
    expect(() => unproductiveLayers(nodes, new Map(), 8)).toThrow(/rf entry/);
  });

  // rfa_toolbox's is_border: the node's own field must EXCEED the resolution, an input's need only
  // reach it. Values below were checked by running rfa_toolbox's own is_border on the same chain.
  it('pins the boundary r = resolution as rfa_toolbox does: strict for the layer, not for its inputs', () => {
    const nodes: RfNode[] = [
      { name: 'a', kernel: 3, stride: 1, inputs: [] },
      { name: 'b', kernel: 3, stride: 1, inputs: ['a'] },
      { name: 'c', kernel: 3, stride: 1, inputs: ['b'] },
      { name: 'one', kernel: 1, stride: 1, inputs: ['c'] },
      { name: 'd', kernel: 3, stride: 1, inputs: ['one'] },
    ];
    const rf = receptiveFields(nodes);
    expect(['c', 'one', 'd'].map((n) => rf.get(n)?.receptiveField)).toEqual([7, 7, 9]);
    // At 7 px: `one` sees exactly the image (7) and reads c (7): not a border layer; d (9) reads
    // one, whose 7 reaches 7: border.
    expect([...unproductiveLayers(nodes, rf, 7)]).toEqual(['d']);
    // At 6 px one's 7 exceeds the resolution: border too. At 8 px nothing is.
    expect([...unproductiveLayers(nodes, rf, 6)]).toEqual(['one', 'd']);
    expect([...unproductiveLayers(nodes, rf, 8)]).toEqual([]);
  });

  it('marks a sliding layer whose every input map is no larger than its kernel (floor(resolution / jump))', () => {
    const nodes: RfNode[] = [
      { name: 's1', kernel: 3, stride: 2, inputs: [] },
      { name: 's2', kernel: 3, stride: 2, inputs: ['s1'] },
      { name: 't', kernel: 3, stride: 1, inputs: ['s2'] },
      { name: 'fc', kernel: 4, stride: 1, inputs: ['s2'], global: true },
    ];
    const rf = receptiveFields(nodes);
    expect(rf.get('t')).toEqual({ receptiveField: 15, jump: 4 });
    // t reads s2 (jump 4): a map of floor(r/4) ≤ 3 for r < 16, though at 13 and 15 its receptive
    // field (15) does not exceed r together with s2's (7). rfa_toolbox's estimate floor(15/4) = 3,
    // not the 'same'-padded side ceil(ceil(15/2)/2) = 4, decides (checked against rfa_toolbox).
    // fc's kernel (4) would cover s2's 3-px map too, but a global layer is out of this rule.
    for (const r of [12, 13, 15]) expect([...unproductiveLayers(nodes, rf, r)], `${r} px`).toEqual(['t']);
    expect([...unproductiveLayers(nodes, rf, 16)]).toEqual([]);
    // A first layer's input is the image itself: a 3×3 kernel covers a 3-px image.
    expect(unproductiveLayers(nodes, rf, 3).has('s1')).toBe(true);
    expect(unproductiveLayers(nodes, rf, 4).has('s1')).toBe(false);
    // The rule needs EVERY input covered: at 12 px `small` (jump 4) is a 3-px map, `big` a 12-px one.
    const twoInputs: RfNode[] = [
      { name: 'big', kernel: 1, stride: 1, inputs: [] },
      { name: 'small', kernel: 1, stride: 4, inputs: [] },
      { name: 'onlySmall', kernel: 3, stride: 1, inputs: ['small'] },
      { name: 'join', kernel: 3, stride: 1, inputs: ['big', 'small'] },
    ];
    const flagged = unproductiveLayers(twoInputs, receptiveFields(twoInputs), 12);
    expect(flagged.has('onlySmall')).toBe(true);
    expect(flagged.has('join')).toBe(false);
  });
});
