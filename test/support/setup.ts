import fc from "fast-check";

// Every property runs at least 500 cases unless FC_NUM_RUNS asks for more; fast-check
// prints the seed and the shrunk counterexample of any failure, so it can be replayed.
const numRuns = Math.max(500, Number(process.env.FC_NUM_RUNS ?? 500));
fc.configureGlobal({ numRuns });
