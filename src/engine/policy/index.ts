// PLACEHOLDER until the pickle-policy branch lands: the contract, with a small table.
export type ImportTier = 'safe' | 'dangerous' | 'unknown';
export interface ImportJudgement { tier: ImportTier; reason: string; entry?: string; byUser?: boolean }
export interface ImportPolicy { judge(module: string, name: string): ImportJudgement; readonly userEntries: readonly string[] }
export class PolicyError extends Error {}
const SAFE = new Set(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter', 'torch.FloatStorage', 'torch.HalfStorage', 'torch.LongStorage', 'numpy.core.multiarray._reconstruct', 'numpy.ndarray', 'numpy.dtype', 'joblib.numpy_pickle.NumpyArrayWrapper', 'builtins.set', 'copyreg._reconstructor', 'builtins.object']);
const DANGEROUS = ['os', 'posix', 'nt', 'subprocess', 'builtins.eval', 'builtins.exec', 'builtins.getattr', 'builtins.__import__', 'pip', 'runpy', 'asyncio', 'pydoc', 'code', 'operator.methodcaller', 'functools.partial'];
export function createImportPolicy(userSafe: readonly string[] = []): ImportPolicy {
  for (const e of userSafe) if (!/^[A-Za-z_][\w.]*(\.\*\*?)?$/.test(e)) throw new PolicyError(`"${e}" is not module.name, module.* or module.**`);
  const userMatch = (module: string, full: string) => userSafe.some((e) => e === full || (e.endsWith('.*') && !e.endsWith('.**') && module === e.slice(0, -2)) || (e.endsWith('.**') && (module === e.slice(0, -3) || module.startsWith(e.slice(0, -2)))));
  return {
    userEntries: userSafe,
    judge(module, name) {
      const full = `${module}.${name}`;
      const hit = DANGEROUS.find((d) => full === d || full.startsWith(`${d}.`));
      if (hit) return { tier: 'dangerous', reason: 'dangerous', entry: hit };
      if (SAFE.has(full)) return { tier: 'safe', reason: 'safe', entry: full };
      if (userMatch(module, full)) return { tier: 'safe', reason: 'user', entry: full, byUser: true };
      return { tier: 'unknown', reason: 'not on the reviewed safe list' };
    },
  };
}
export const DEFAULT_IMPORT_POLICY = createImportPolicy();
