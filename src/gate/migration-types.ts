/**
 * What an additive migration leaves behind, checked read-only against the app's database
 * before a deploy. opsbeat never applies migrations.
 */
export type MigrationCheck =
  | { kind: 'table_exists'; schema: string; table: string; columns: string[]; rowLevelSecurity: boolean }
  | { kind: 'column_exists'; schema: string; table: string; column: string }
  | { kind: 'index_exists'; schema: string; name: string }
  | { kind: 'row_level_security'; schema: string; table: string };

export interface MigrationStatement {
  /** 1-based line in the migrations text where the statement starts. */
  line: number;
  /** The statement text, trimmed, for quoting. */
  text: string;
  /** libpg-query node type, e.g. CreateStmt, AlterTableStmt. */
  nodeType: string;
}

export type DestructiveKind =
  | 'drop'
  | 'truncate'
  | 'rename'
  | 'type_change'
  | 'drop_column'
  | 'drop_constraint'
  | 'data_change'
  | 'not_recognised';

export interface MigrationAnalysis {
  statements: MigrationStatement[];
  /** Statements that hold the ticket, with why. */
  destructive: { statement: MigrationStatement; kind: DestructiveKind; why: string }[];
  /** What must already be true in the database for the additive statements. */
  checks: MigrationCheck[];
}
