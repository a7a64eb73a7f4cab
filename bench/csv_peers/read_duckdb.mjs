// DuckDB's read_csv into an in-memory table, timed REPEATS times.
// Usage: node read_duckdb.mjs FILE REPEATS THREADS  ->  one line per run: "seconds=S rows=N"
import { DuckDBInstance } from '@duckdb/node-api';

const [file, repeats = '3', threads = '2'] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { threads });
const con = await db.connect();
const quoted = file.replaceAll("'", "''");
for (let i = 0; i < Number(repeats); i++) {
  const start = performance.now();
  await con.run(`CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv('${quoted}')`);
  const seconds = (performance.now() - start) / 1000;
  const count = await con.runAndReadAll('SELECT count(*) FROM t');
  console.log(`seconds=${seconds.toFixed(4)} rows=${count.getRows()[0][0]}`);
}
