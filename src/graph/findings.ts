// Which graph nodes each finding points at: its location.node, the node path of
// an input-triggered branch (`name (Op)` steps), and the readers of a tensor it
// names (an external-data initializer). Environment-free.
import type { Finding, Severity } from '../engine/report.js';
import type { GraphLayoutInput } from './hierarchy.js';

export interface NodeFinding {
  finding: Finding;
  nodes: number[];
}

/** Readers listed per tensor: an initializer can feed every layer of a model. */
export const MAX_READERS_MARKED = 1000;

const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

export function nodeFindings(input: GraphLayoutInput, findings: readonly Finding[]): NodeFinding[] {
  const byName = new Map<string, number>();
  input.nodes.forEach((n, i) => {
    if (!byName.has(String(n.name))) byName.set(String(n.name), i);
  });
  let readers: Map<string, number[]> | undefined;
  const readersOf = (tensor: string) => {
    if (!readers) {
      readers = new Map();
      input.nodes.forEach((n, i) => {
        for (const v of n.inputs) {
          const name = input.values[v];
          if (name === undefined) continue;
          const list = readers!.get(name) ?? [];
          if (list.length < MAX_READERS_MARKED) list.push(i);
          readers!.set(name, list);
        }
      });
    }
    return readers.get(tensor) ?? [];
  };
  const out: NodeFinding[] = [];
  for (const finding of findings) {
    const nodes = new Set<number>();
    const at = finding.location?.node;
    if (at !== undefined && byName.has(at)) nodes.add(byName.get(at)!);
    const path = finding.evidence?.path;
    if (Array.isArray(path)) {
      for (const step of path) {
        const name = String(step).replace(/ \([^()]*\)$/, '');
        if (byName.has(name)) nodes.add(byName.get(name)!);
      }
    }
    const tensor = finding.location?.tensor;
    if (tensor !== undefined) for (const n of readersOf(tensor)) nodes.add(n);
    if (nodes.size) out.push({ finding, nodes: [...nodes] });
  }
  return out.sort((a, b) => SEVERITY_RANK[b.finding.severity] - SEVERITY_RANK[a.finding.severity]);
}

/** The worst severity marked on each node. */
export function severityByNode(marks: readonly NodeFinding[]): Map<number, Severity> {
  const worst = new Map<number, Severity>();
  for (const { finding, nodes } of marks) {
    for (const n of nodes) {
      const had = worst.get(n);
      if (!had || SEVERITY_RANK[finding.severity] > SEVERITY_RANK[had]) worst.set(n, finding.severity);
    }
  }
  return worst;
}

export const isSevere = (s: Severity) => SEVERITY_RANK[s] >= SEVERITY_RANK.high;
