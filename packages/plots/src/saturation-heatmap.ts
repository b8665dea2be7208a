import { type ArchitectureGroup, cellKey } from './architecture-group.ts';
import { percent } from './format.ts';
import { el, group, type Markup, text } from './markup.ts';
import { INK, inkOn, MUTED, saturationColour, UNPRODUCTIVE_COLOUR } from './theme.ts';

export const CELL_HEIGHT = 22;

/**
 * Layers (rows, forward order) × resolutions (columns), coloured by mean eval saturation; a corner
 * triangle marks cells whose layer receptive-field analysis predicts unproductive at that resolution.
 */
export function heatmap(g: ArchitectureGroup, at: { heatTop: number; left: number; column: number }): Markup {
  const { heatTop, left, column } = at;
  if (g.layers.length === 0) {
    return el(
      'text',
      { class: 'heatmap', x: left, y: heatTop + 15, 'font-size': 12, fill: MUTED },
      text('saturation per layer appears here as trials complete'),
    );
  }
  return el(
    'g',
    { class: 'heatmap' },
    g.layers.map((layer, row) => {
      const top = heatTop + row * CELL_HEIGHT;
      return group(
        el('text', { x: 16, y: top + 15, 'font-size': 12, fill: INK }, text(layer.layerName)),
        el(
          'text',
          { x: left - 8, y: top + 15, 'text-anchor': 'end', 'font-size': 10, fill: MUTED },
          text(`${layer.kind} ${layer.width}`),
        ),
        g.resolutions.map((resolution, i) => {
          const cell = g.cells.get(cellKey(layer.layerIndex, resolution));
          const x = left + i * column;
          const value = cell?.meanEvalSaturation ?? null;
          const tip =
            cell === undefined
              ? `${layer.layerName} at ${resolution} px: not measured`
              : `${layer.layerName} at ${resolution} px: eval ${percent(value)}, train ${percent(cell.meanTrainSaturation)}; receptive field ${cell.receptiveField}${cell.unproductive ? `: a border layer at ${resolution} px, predicted unproductive` : ''}`;
          return el(
            'g',
            {
              class: 'cell',
              'data-layer': layer.layerIndex,
              'data-resolution': resolution,
              'data-value': value === null ? undefined : String(value),
              'data-unproductive': cell?.unproductive ? 'true' : undefined,
            },
            el(
              'rect',
              {
                x: x + 1,
                y: top + 1,
                width: column - 2,
                height: CELL_HEIGHT - 2,
                rx: 2,
                fill: value === null ? '#f1f3f5' : saturationColour(value),
              },
              el('title', {}, text(tip)),
            ),
            el(
              'text',
              {
                x: x + column / 2,
                y: top + 15,
                'text-anchor': 'middle',
                'font-size': 11,
                fill: value === null ? MUTED : inkOn(value),
              },
              text(percent(value, 0)),
            ),
            cell?.unproductive
              ? el('path', {
                  class: 'unproductive-marker',
                  d: `M${x + column - 11},${top + 1} h10 v10 z`,
                  fill: UNPRODUCTIVE_COLOUR,
                })
              : null,
          );
        }),
      );
    }),
  );
}
