import ts from "typescript";

for (const entry of process.argv.slice(2)) {
  const program = ts.createProgram([entry], { strict: true, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const moduleSymbol = checker.getSymbolAtLocation(source!);
  const names = checker
    .getExportsOfModule(moduleSymbol!)
    .map((s) => s.getName())
    .sort();
  console.log(entry, names.length);
  if (process.env.LIST) console.log(names.join(" "));
}
