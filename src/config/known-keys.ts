import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * The keys the schema allows in the object at `path` (record keys and list indexes are walked
 * through), for "did you mean" on an unknown key. Read from the schema, so a new key is suggested
 * without being listed anywhere else.
 */
export function knownKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let here: z.ZodType[] = [schema];
  for (const segment of path) here = here.flatMap((s) => childrenOf(unwrap(s), segment));
  return [...new Set(here.flatMap((s) => unwrap(s).flatMap((o) => Object.keys(defOf(o).shape ?? {}))))];
}

/** The schemas a value may be checked against, through defaults, optionals, pipes and unions. */
function unwrap(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  if (def.innerType) return unwrap(def.innerType);
  if (def.type === 'pipe' && def.in) return unwrap(def.in);
  if (def.type === 'union' && def.options) return def.options.flatMap(unwrap);
  return [schema];
}

function childrenOf(schemas: z.ZodType[], segment: string | number): z.ZodType[] {
  return schemas.flatMap((schema) => {
    const def = defOf(schema);
    if (def.type === 'object') return def.shape?.[String(segment)] ? [def.shape[String(segment)]!] : [];
    if (def.type === 'record' && def.valueType) return [def.valueType];
    if (def.type === 'array' && def.element) return [def.element];
    return [];
  });
}
