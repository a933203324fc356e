// Which operators the model uses and where they come from. A node binds to the
// opset its graph imports for the node's domain: ONNX's own domains are checked
// against the operator table; a custom domain needs a native library registered
// with the runtime — code that is not in the file and that Weightlens cannot
// see — so it is suspicious, with the ops listed. Calls to functions defined in
// the model are not custom ops: their bodies are in the file and checked.
import type { GraphEntry } from './graphs.js';
import { nodeLabel } from './graphs.js';
import type { OnnxFunction } from './model.js';
import type { Notes } from './notes.js';
import { canonicalDomain, isStandardDomain, opExists, opSince, WELL_KNOWN_DOMAINS } from './operators.js';

const nodes = (n: number) => (n === 1 ? '1 node uses' : `${n} nodes use`);

export interface DomainUse {
  domain: string;
  /** `standard`, `well-known` (a runtime's contrib ops), `custom`, or `local` (functions defined in the model). */
  kind: 'standard' | 'well-known' | 'custom' | 'local';
  nodes: number;
  /** Op type → node count. */
  ops: Record<string, number>;
}

/** `versions`: whether the opset imports were read, so that nodes can be checked against them. */
export function checkOperators(entries: GraphEntry[], functions: OnnxFunction[], notes: Notes, versions: boolean): DomainUse[] {
  const local = new Set(functions.map((f) => `${canonicalDomain(f.domain)}\u0000${f.name}`));
  const uses = new Map<string, DomainUse>();
  const unknown = new Map<string, { node: string; offset: number; graph: string; version: number; count: number }>();
  const missing = new Map<string, { ops: Set<string>; node: string; offset: number; count: number }>();
  const firstCustom = new Map<string, { node: string; offset: number; graph: string }>();

  for (const { graph, opsets } of entries) {
    const versions = new Map<string, number>();
    for (const o of opsets) versions.set(canonicalDomain(o.domain), Math.max(o.version, versions.get(canonicalDomain(o.domain)) ?? 0));
    graph.nodes.forEach((node, index) => {
      const domain = canonicalDomain(node.domain);
      const isLocal = local.has(`${domain}\u0000${node.opType}`);
      const kind: DomainUse['kind'] = isLocal ? 'local' : isStandardDomain(domain) ? 'standard' : WELL_KNOWN_DOMAINS.has(domain) ? 'well-known' : 'custom';
      const key = kind === 'standard' && domain === '' ? '' : `${kind}\u0000${domain}`;
      let use = uses.get(key);
      if (!use) uses.set(key, (use = { domain: domain || 'ai.onnx', kind, nodes: 0, ops: Object.create(null) as Record<string, number> }));
      use.nodes++;
      use.ops[node.opType] = (use.ops[node.opType] ?? 0) + 1;
      if (kind === 'custom' && !firstCustom.has(domain)) firstCustom.set(domain, { node: nodeLabel(node, index), offset: node.offset, graph: graph.path });

      const version = versions.get(domain);
      if (version === undefined) {
        let m = missing.get(domain);
        if (!m) missing.set(domain, (m = { ops: new Set<string>(), node: nodeLabel(node, index), offset: node.offset, count: 0 }));
        m.ops.add(node.opType);
        m.count++;
        return;
      }
      if (kind === 'standard' && opExists(domain, node.opType, version) === false) {
        const key = `${domain}\u0000${node.opType}\u0000${version}`;
        let u = unknown.get(key);
        if (!u) unknown.set(key, (u = { node: nodeLabel(node, index), offset: node.offset, graph: graph.path, version, count: 0 }));
        u.count++;
      }
    });
  }

  if (!versions) {
    unknown.clear();
    missing.clear();
  }
  for (const [key, u] of unknown) {
    const [domain, op] = key.split('\u0000') as [string, string];
    const since = opSince(domain, op);
    const why = since === undefined ? `${domain || 'ai.onnx'} defines no operator ${op}` : `${op} first appears in ${domain || 'ai.onnx'} opset ${since}`;
    notes.add('onnx.unknown-op', `${nodes(u.count)} ${op}, but the model imports ${domain || 'ai.onnx'} opset ${u.version} and ${why}: conforming runtimes refuse it`, { node: u.node, offset: u.offset }, { domain: domain || 'ai.onnx', op, opset: u.version, count: u.count, graph: u.graph });
  }
  for (const [domain, m] of missing) {
    notes.add('onnx.missing-opset', `${nodes(m.count)} domain ${JSON.stringify(domain || 'ai.onnx')} (${[...m.ops].slice(0, 10).join(', ')}), which the model does not import: which operator version they bind to is undefined`, { node: m.node, offset: m.offset }, { domain: domain || 'ai.onnx', ops: [...m.ops].slice(0, 20) });
  }
  for (const use of uses.values()) {
    if (use.kind !== 'custom') continue;
    const first = firstCustom.get(use.domain)!;
    const ops = Object.entries(use.ops).sort((a, b) => b[1] - a[1]);
    notes.add(
      'onnx.custom-domain',
      `${nodes(use.nodes)} operators from the custom domain ${JSON.stringify(use.domain)}: ${ops.slice(0, 10).map(([op, n]) => `${op} ×${n}`).join(', ')}${ops.length > 10 ? ', …' : ''}. Running them needs a native library registered with the runtime, whose code is not in this file`,
      { node: first.node, offset: first.offset },
      { domain: use.domain, ops: ops.slice(0, 50).map(([op]) => op), nodes: use.nodes, graph: first.graph },
    );
  }
  return [...uses.values()];
}
