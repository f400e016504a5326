import type Database from 'better-sqlite3';

/**
 * Make every later COMMIT of `db` that inserted into `table` fail: a deferred foreign key violation,
 * checked only at COMMIT — a real failure of that database's commit, after everything before it ran.
 */
export function sabotageCommit(db: Database.Database, table: string): void {
  db.exec(`
    CREATE TABLE sabotage_parent (id INTEGER PRIMARY KEY);
    CREATE TABLE sabotage (pid INTEGER REFERENCES sabotage_parent(id) DEFERRABLE INITIALLY DEFERRED);
    CREATE TRIGGER sabotage_${table} AFTER INSERT ON ${table} BEGIN INSERT INTO sabotage VALUES (1); END;
  `);
}
