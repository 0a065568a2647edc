// Runs Microsoft's KQL analyzer (Kusto.Language, in its Bridge.NET JavaScript build) over
// KQL texts, so that the xunit tests can check generated KQL the way Kusto's own editors do.
//
// stdin:  { "tables":    [{ "name": "AuditLogs", "schema": "(TenantId:string, ...)" }],
//           "functions": [{ "name": "F", "parameters": "(lookback:timespan = 30d)", "body": "{ ... }" }],  (optional)
//           "queries":   [{ "name": "q1", "text": "AuditLogs | ..." }] }
// stdout: { "queries":   [{ "name", "diagnostics": [...], "columns": [{ "name", "type" }] or null }],
//           "functions": [{ "name", "text", "diagnostics": [...] }] }
// A diagnostic is { "severity", "code", "message", "start", "length", "source" }; start and
// length count UTF-16 code units of the text that was analyzed, as in .NET strings.
//
// Exit 0 whenever the analysis ran: diagnostics are data for the caller to judge. Non-zero, with
// the reason on stderr, only when it could not run (bad input, package missing).
'use strict';

const fs = require('fs');
const path = require('path');

function fail(message) {
    process.stderr.write(`analyze.js: ${message}\n`);
    process.exit(2);
}

function readInput() {
    let input;
    try {
        input = JSON.parse(fs.readFileSync(0, 'utf8'));
    } catch (e) {
        fail(`stdin is not one JSON document: ${e.message}`);
    }
    const isNamedList = (list, field) => Array.isArray(list) && list.every(
        (item) => item && typeof item.name === 'string' && item.name !== '' && typeof item[field] === 'string');
    if (!input || !isNamedList(input.tables, 'schema') || !isNamedList(input.queries, 'text')) {
        fail('expected { "tables": [{ "name", "schema" }], "queries": [{ "name", "text" }], "functions"?: [...] }');
    }
    input.functions = input.functions ?? [];
    if (!isNamedList(input.functions, 'body') || !input.functions.every((f) => typeof f.parameters === 'string')) {
        fail('each function needs a "name", "parameters" ("(...)", may be "()") and "body"');
    }
    return input;
}

// Checked before loading the package: a bad input should fail fast, without the ~0.4 s load.
const input = readInput();

const packageDir = path.join(__dirname, 'node_modules', '@kusto', 'language-service-next');
if (!fs.existsSync(path.join(packageDir, 'Kusto.Language.Bridge.js'))) {
    fail(`${packageDir} is missing: run npm ci in tests/kql-analyzer`);
}
// stdout carries the one JSON document: anything the library might print goes to stderr.
console.log = console.error;
// bridge.js is the Bridge.NET runtime (it defines the globals Bridge and System); the analyzer
// itself registers the global Kusto. Neither exports a module.
require(path.join(packageDir, 'bridge.js'));
require(path.join(packageDir, 'Kusto.Language.Bridge.js'));
const K = Kusto.Language;

// Bridge.NET lists (IReadOnlyList<T>) are not JavaScript arrays.
function toArray(list) {
    const items = [];
    for (let i = 0; list && i < list.Count; i++) {
        items.push(list.getItem(i));
    }
    return items;
}

function diagnostics(list, source) {
    return toArray(list).map((d) => ({
        severity: d.Severity, code: d.Code, message: d.Message, start: d.Start, length: d.Length, source,
    }));
}

// "compiler": the parser and binder (KustoCode.GetDiagnostics). "analyzer": the lint rules that
// Kusto's editors also show (KustoAnalyzers: a called function with errors, a join without kind,
// a variable hidden by a column ...), some of which are warnings.
function analyze(text, globals) {
    const code = K.KustoCode.ParseAndAnalyze(text, globals);
    const service = new K.Editor.KustoCodeService.ctor(code);
    return {
        code,
        diagnostics: diagnostics(code.GetDiagnostics(), 'compiler')
            .concat(diagnostics(service.GetAnalyzerDiagnostics(true), 'analyzer')),
    };
}

function tableSymbol({ name, schema }) {
    const table = K.Symbols.TableSymbol.From(schema).WithName(name);
    // TableSymbol.From does not reject a bad schema: a misspelt type becomes "unknown".
    const bad = toArray(table.Columns).filter((c) => c.Type.Name === 'unknown').map((c) => c.Name);
    if (bad.length > 0 || table.Columns.Count === 0) {
        fail(`table ${name}: the schema ${schema} has no column or columns of unknown type: ${bad.join(', ')}`);
    }
    return table;
}

// A function body must be a braced block in Kusto; accept it with or without the braces.
const braced = (body) => (body.trim().startsWith('{') ? body : `{ ${body} }`);

const functionSymbols = input.functions.map(
    (f) => new K.Symbols.FunctionSymbol.$ctor16(f.name, f.parameters, braced(f.body), null));
const database = new K.Symbols.DatabaseSymbol.ctor('workspace', input.tables.map(tableSymbol).concat(functionSymbols));
const globals = K.GlobalState.Default.WithDatabase(database);

const output = {
    queries: input.queries.map((q) => {
        const { code, diagnostics: found } = analyze(q.text, globals);
        const result = code.ResultType;
        const columns = result instanceof K.Symbols.TableSymbol
            ? toArray(result.Columns).map((c) => ({ name: c.Name, type: c.Type.Name }))
            : null;
        return { name: q.name, diagnostics: found, columns };
    }),
    // A query that calls a function with errors gets only warning KS512, and a FunctionSymbol
    // does not report its own errors at all (an unclosed parameter list passes silently). So each
    // function is analyzed on its own, as the command that would create it: Kusto.Language
    // binds the body of .create-or-alter function against the same tables and functions.
    functions: input.functions.map((f) => {
        const text = `.create-or-alter function ${f.name}${f.parameters} ${braced(f.body)}`;
        return { name: f.name, text, diagnostics: analyze(text, globals).diagnostics };
    }),
};

process.stdout.write(JSON.stringify(output));
