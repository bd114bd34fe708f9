import { parse, type AlterTableCmd, type ColumnDef, type Node, type RangeVar, type RawStmt } from 'libpg-query';
import { TicketInputError } from '../errors.js';
import { destructiveWhy, notNullWithoutDefaultWhy } from './hold-messages.js';
import type { DestructiveKind, MigrationAnalysis, MigrationCheck, MigrationStatement } from './migration-types.js';

/**
 * Classify a ticket's migrations with the real PostgreSQL parser. Safe by default: a statement is
 * accepted only when it is on the additive allow-list below; everything else holds the ticket.
 * Throws TicketInputError `migration_unparseable` (with the line) when the SQL does not parse.
 */
export async function analyseMigrations(sql: string): Promise<MigrationAnalysis> {
  const bytes = Buffer.from(sql, 'utf8');
  let stmts: RawStmt[];
  try {
    stmts = (await parse(sql)).stmts ?? [];
  } catch (err) {
    const details = (err as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    const message = details?.message ?? (err instanceof Error ? err.message : 'syntax error');
    const line = details?.cursorPosition === undefined ? undefined : lineAt(bytes, details.cursorPosition);
    throw new TicketInputError('migration_unparseable', message, line, { cause: err });
  }
  const analysis: MigrationAnalysis = { statements: [], destructive: [], checks: [] };
  for (const raw of stmts) {
    if (!raw.stmt) continue;
    const statement = locate(bytes, raw);
    analysis.statements.push(statement);
    const verdict = classify(raw.stmt, statement.text);
    if (verdict.kind === 'additive') analysis.checks.push(...verdict.checks);
    else analysis.destructive.push({ statement, kind: verdict.kind, why: verdict.why });
  }
  analysis.checks = withoutRedundantChecks(analysis.checks);
  return analysis;
}

type Classification = { kind: 'additive'; checks: MigrationCheck[] } | { kind: DestructiveKind; why: string };

const additive = (...checks: MigrationCheck[]): Classification => ({ kind: 'additive', checks });
const held = (kind: DestructiveKind, detail: string): Classification => ({ kind, why: destructiveWhy(kind, detail) });

/** Statements that create something new (or only describe it) and leave existing data and names alone. */
function classify(node: Node, text: string): Classification {
  const [type, body] = Object.entries(node)[0] as [string, Record<string, unknown>];
  switch (type) {
    case 'CreateStmt': {
      const relation = body.relation as RangeVar;
      if (relation.relpersistence === 't') return held('not_recognised', 'CREATE TEMPORARY TABLE');
      const columns = ((body.tableElts as Node[] | undefined) ?? []).flatMap((e) =>
        'ColumnDef' in e && e.ColumnDef.colname ? [e.ColumnDef.colname] : [],
      );
      return additive({ kind: 'table_exists', ...where(relation), columns, rowLevelSecurity: true });
    }
    case 'AlterTableStmt':
      if (body.objtype !== 'OBJECT_TABLE') return held('not_recognised', firstWords(text, 2));
      return classifyAlterTable(body.relation as RangeVar, (body.cmds as Node[]).flatMap((c) => ('AlterTableCmd' in c ? [c.AlterTableCmd] : [])));
    case 'IndexStmt': {
      const relation = body.relation as RangeVar;
      const name = body.idxname as string | undefined;
      return name ? additive({ kind: 'index_exists', schema: where(relation).schema, name }) : additive();
    }
    case 'CreatePolicyStmt':
    case 'CommentStmt':
    case 'CreateSeqStmt':
    case 'CreateEnumStmt':
    case 'CompositeTypeStmt':
    case 'CreateSchemaStmt':
      return additive();
    case 'ViewStmt':
      return body.replace ? held('not_recognised', 'CREATE OR REPLACE VIEW') : additive();
    case 'AlterEnumStmt':
      return body.oldVal ? held('rename', `enum value ${String(body.oldVal)}`) : additive();
    case 'TransactionStmt':
      return ['TRANS_STMT_BEGIN', 'TRANS_STMT_START', 'TRANS_STMT_COMMIT'].includes(String(body.kind))
        ? additive()
        : held('not_recognised', firstWords(text, 1));
    case 'VariableSetStmt':
      return SAFE_SETTINGS.has(String(body.name)) ? additive() : held('not_recognised', `SET ${String(body.name)}`);
    case 'DropStmt':
      return held('drop', `${objectKind(body.removeType)} ${objectNames(body.objects as Node[] | undefined)}`.trim());
    case 'TruncateStmt':
      return held('truncate', ((body.relations as Node[] | undefined) ?? []).map((r) => ('RangeVar' in r ? qualified(r.RangeVar) : '?')).join(', '));
    case 'RenameStmt':
      return held('rename', renamed(body));
    case 'DeleteStmt':
    case 'UpdateStmt':
    case 'InsertStmt':
    case 'MergeStmt':
    case 'CopyStmt':
      return held('data_change', firstWords(text, 1));
    default:
      return type.startsWith('Drop') ? held('drop', `what \`${firstWords(text, 3)}\` names`) : held('not_recognised', firstWords(text, 2));
  }
}

const SAFE_SETTINGS = new Set(['lock_timeout', 'statement_timeout', 'idle_in_transaction_session_timeout']);

function classifyAlterTable(relation: RangeVar, cmds: AlterTableCmd[]): Classification {
  const table = qualified(relation);
  const checks: MigrationCheck[] = [];
  for (const cmd of cmds) {
    const column = `column ${table}.${cmd.name ?? '?'}`;
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const def = cmd.def && 'ColumnDef' in cmd.def ? cmd.def.ColumnDef : undefined;
        if (!def?.colname) return held('not_recognised', 'ALTER TABLE … ADD COLUMN');
        if (isNotNullWithoutDefault(def)) return { kind: 'not_recognised', why: notNullWithoutDefaultWhy(`${table}.${def.colname}`) };
        checks.push({ kind: 'column_exists', ...where(relation), column: def.colname });
        break;
      }
      case 'AT_EnableRowSecurity':
        checks.push({ kind: 'row_level_security', ...where(relation) });
        break;
      case 'AT_ForceRowSecurity':
        break;
      case 'AT_DropColumn':
        return held('drop_column', column);
      case 'AT_AlterColumnType':
        return held('type_change', column);
      case 'AT_DropConstraint':
        return held('drop_constraint', `constraint ${cmd.name ?? '?'} of ${table}`);
      case 'AT_DropNotNull':
        return held('drop_constraint', `the NOT NULL constraint of ${column}`);
      case 'AT_ColumnDefault':
        // SET DEFAULT carries a def; DROP DEFAULT does not.
        return cmd.def ? held('not_recognised', 'ALTER COLUMN … SET DEFAULT') : held('drop_constraint', `the default of ${column}`);
      default:
        if (cmd.subtype?.startsWith('AT_Drop')) return held('drop', `${readable(cmd.subtype)} on ${table}`);
        return held('not_recognised', `ALTER TABLE … ${readable(cmd.subtype ?? 'AT_Unknown')}`);
    }
  }
  return additive(...checks);
}

/** A NOT NULL column without a default cannot be written by the release running now (nor the rollback target). */
function isNotNullWithoutDefault(def: ColumnDef): boolean {
  const types = new Set((def.constraints ?? []).flatMap((c) => ('Constraint' in c && c.Constraint.contype ? [c.Constraint.contype] : [])));
  const notNull = types.has('CONSTR_NOTNULL') || types.has('CONSTR_PRIMARY');
  const filled = types.has('CONSTR_DEFAULT') || types.has('CONSTR_IDENTITY') || types.has('CONSTR_GENERATED');
  const typeName = (def.typeName?.names ?? []).map((n) => ('String' in n ? n.String.sval : '')).join('.');
  return notNull && !filled && !/serial\d?$/.test(typeName);
}

/** A new table's own RLS check already covers an ENABLE ROW LEVEL SECURITY on it. */
function withoutRedundantChecks(checks: MigrationCheck[]): MigrationCheck[] {
  const created = new Set(checks.flatMap((c) => (c.kind === 'table_exists' ? [`${c.schema}.${c.table}`] : [])));
  return checks.filter((c) => c.kind !== 'row_level_security' || !created.has(`${c.schema}.${c.table}`));
}

function where(relation: RangeVar): { schema: string; table: string } {
  return { schema: relation.schemaname ?? 'public', table: relation.relname ?? '' };
}

function qualified(relation: RangeVar): string {
  const { schema, table } = where(relation);
  return `${schema}.${table}`;
}

function objectKind(removeType: unknown): string {
  return String(removeType ?? 'OBJECT_UNKNOWN').replace(/^OBJECT_/, '').replaceAll('_', ' ').toLowerCase();
}

function objectNames(objects: Node[] | undefined): string {
  const dotted = (items: Node[] | undefined): string => (items ?? []).map((i) => ('String' in i ? i.String.sval : '')).join('.');
  return (objects ?? [])
    .map((o) => ('List' in o ? dotted(o.List.items) : 'ObjectWithArgs' in o ? dotted(o.ObjectWithArgs.objname) : 'String' in o ? o.String.sval : ''))
    .filter(Boolean)
    .join(', ');
}

function renamed(body: Record<string, unknown>): string {
  const relation = body.relation as RangeVar | undefined;
  const kind = objectKind(body.renameType);
  if (relation && body.subname) return `${kind} ${qualified(relation)}.${String(body.subname)}`;
  if (relation) return `${kind} ${qualified(relation)}`;
  return kind;
}

/** `AT_SetNotNull` → `SET NOT NULL`. */
function readable(subtype: string): string {
  return subtype.replace(/^AT_/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

function firstWords(text: string, count: number): string {
  return text.split(/\s+/).slice(0, count).join(' ').toUpperCase();
}

/** Byte offsets from the parser → the statement's text and its 1-based line, skipping leading blanks and comments. */
function locate(bytes: Buffer, raw: RawStmt): MigrationStatement {
  let start = raw.stmt_location ?? 0;
  const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
  start = skipBlanksAndComments(bytes, start, end);
  const text = bytes.subarray(start, end).toString('utf8').trim().replace(/;$/, '').trimEnd();
  return { line: lineAt(bytes, start), text, nodeType: Object.keys(raw.stmt ?? {})[0] ?? 'unknown' };
}

function skipBlanksAndComments(bytes: Buffer, from: number, end: number): number {
  let at = from;
  for (;;) {
    while (at < end && /\s/.test(String.fromCharCode(bytes[at] ?? 0))) at++;
    if (bytes[at] === 0x2d && bytes[at + 1] === 0x2d) {
      while (at < end && bytes[at] !== 0x0a) at++;
    } else if (bytes[at] === 0x2f && bytes[at + 1] === 0x2a) {
      const close = bytes.indexOf('*/', at + 2);
      at = close < 0 || close >= end ? end : close + 2;
    } else {
      return at;
    }
  }
}

function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < Math.min(offset, bytes.length); i++) if (bytes[i] === 0x0a) line++;
  return line;
}
