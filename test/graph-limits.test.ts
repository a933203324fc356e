// Bounds of the graph view's plain modules: readers of one tensor marked for a
// finding (src/graph/findings.ts) and label length in a box (src/graph/view.ts).
import { describe, expect, it } from 'vitest';
import { MAX_READERS_MARKED, nodeFindings } from '../src/graph/findings.js';
import type { GraphLayoutInput } from '../src/graph/hierarchy.js';
import { MAX_LABEL_CHARS, shorten } from '../src/graph/view.js';

describe('graph view bounds', () => {
  it(`MAX_READERS_MARKED (${MAX_READERS_MARKED}): a finding on a tensor marks at most that many of its readers`, () => {
    const graph = (readers: number): GraphLayoutInput => ({
      values: ['w'],
      nodes: Array.from({ length: readers }, (_, i) => ({ name: `n${i}`, op: 'MatMul', inputs: [0], outputs: [] })),
    });
    const finding = { rule: 'onnx.external-data-missing', severity: 'medium', message: 'm', location: { tensor: 'w' }, evidence: {} } as never;
    expect(nodeFindings(graph(MAX_READERS_MARKED), [finding])[0]!.nodes).toHaveLength(MAX_READERS_MARKED);
    const over = nodeFindings(graph(MAX_READERS_MARKED + 500), [finding])[0]!.nodes;
    expect(over).toHaveLength(MAX_READERS_MARKED);
    expect(Math.max(...over)).toBe(MAX_READERS_MARKED - 1); // the first readers, in graph order
  });

  it(`MAX_LABEL_CHARS (${MAX_LABEL_CHARS}): a label that long is shown whole, a longer one cut with an ellipsis to that length`, () => {
    expect(shorten('x'.repeat(MAX_LABEL_CHARS))).toBe('x'.repeat(MAX_LABEL_CHARS));
    const cut = shorten('x'.repeat(MAX_LABEL_CHARS + 1));
    expect(cut).toHaveLength(MAX_LABEL_CHARS);
    expect(cut.endsWith('…')).toBe(true);
  });
});
