// Polars' readCSV into a DataFrame, timed REPEATS times. Threads: POLARS_MAX_THREADS.
// Usage: node read_polars.mjs FILE REPEATS  ->  one line per run: "seconds=S rows=N"
import pl from 'nodejs-polars';

const [file, repeats = '3'] = process.argv.slice(2);
for (let i = 0; i < Number(repeats); i++) {
  const start = performance.now();
  const frame = pl.readCSV(file);
  const seconds = (performance.now() - start) / 1000;
  console.log(`seconds=${seconds.toFixed(4)} rows=${frame.height}`);
}
