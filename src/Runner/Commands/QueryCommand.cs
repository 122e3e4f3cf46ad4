using System.Data.Common;
using System.CommandLine;
using System.Text;
using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Results;
using FastLoad.Runner.Query;

namespace FastLoad.Runner.Commands;

/// <summary><c>fastload query FILE... "SQL"</c>: SQL over results files.</summary>
public static class QueryCommand
{
    private const string Example = "fastload query results/run.duckdb \"SELECT outcome, count(*) FROM txs GROUP BY 1\"";

    public static Command Create()
    {
        var arguments = new Argument<string[]>("FILE... SQL")
        {
            Description = "Results files (.duckdb) or globs such as 'results/*.duckdb', then the SQL as the last argument.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var format = new Option<string>("--format", "-f") { Description = "table (aligned, with a row count), csv, json (one object per line), or parquet (needs --output).", DefaultValueFactory = _ => "table" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the result to this file instead of stdout." };
        var command = new Command("query", """
            Run SQL (DuckDB) over results files. Each file is attached read-only, and the SQL can touch no file: no
            ATTACH, COPY ... TO, read_csv or settings change (export with --format csv|json|parquet --output FILE).
            With one file its tables and views
            are there by name, with several the same names stack every file (UNION ALL BY NAME) and rows of tables
            without a run_id column get their file's run_id. Query the txs view: one row per tx, with run_id, node,
            outcome, error, ack_ms, inclusion_ms, block and timestamps. Other tables: runs, nodes, wallets, blocks,
            samples (per second), errors, verdicts, tx_log. Each file is also reachable as "<file name>".txs.

            Examples:
              fastload query results/run.duckdb "SELECT outcome, count(*) AS n FROM txs GROUP BY 1 ORDER BY n DESC"
              fastload query results/run.duckdb --format csv "SELECT * FROM txs" > txs.csv
              fastload query results/run.duckdb --format json "SELECT * FROM runs"
              fastload query results/run.duckdb --format parquet --output txs.parquet "SELECT * FROM txs"
              fastload query 'results/*.duckdb' "SELECT run_id, count(*), quantile_cont(ack_ms, 0.99) AS p99 FROM txs GROUP BY 1"
            Table output: numbers right-aligned, NULL as NULL, timestamps ISO-8601 UTC, blobs 0x-hex.
            Rows stream through chunk by chunk, so results of any size fit in memory (a table holds back its first
            10,000 rows to size the columns).
            Several statements (separated by ;) run in order, and each one that returns rows is printed in turn.
            """)
        {
            arguments, format, output,
        };
        command.SetAction(parse => Run(parse.GetValue(arguments) ?? [], parse.GetValue(format) ?? "table", parse.GetValue(output)));
        return command;
    }

    private static int Run(string[] arguments, string format, FileInfo? output)
    {
        List<string> files;
        string sql;
        try
        {
            if (format is not ("table" or "csv" or "json" or "parquet")) throw new ArgumentException($"--format '{format}' is unknown: use table, csv, json or parquet");
            if (format == "parquet" && output is null) throw new ArgumentException("--format parquet writes a file: give --output FILE");
            (files, sql) = Split(arguments);
        }
        catch (ArgumentException e)
        {
            return Fail(e.Message);
        }

        ResultsFiles results;
        try
        {
            results = ResultsFiles.Open(files, format == "parquet" ? output!.FullName : null);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or DbException)
        {
            return Fail(DuckDbSql.FirstLine(e.Message));
        }
        using (results)
        {
            if (format == "parquet")
            {
                try
                {
                    results.ExportParquet(sql);
                    return 0;
                }
                catch (DbException e)
                {
                    return Fail(Explain(e.Message));
                }
            }
            QueryReader reader;
            try
            {
                reader = QueryReader.Execute(results.Connection, sql);
            }
            catch (DbException e)
            {
                return Fail(Explain(e.Message));
            }
            using (reader)
            {
                TextWriter writer;
                try
                {
                    writer = output is null
                        ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16)
                        : new StreamWriter(output.FullName, false, new UTF8Encoding(false), 1 << 16);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return Fail($"cannot write --output {output!.FullName}: {e.Message}");
                }
                using (writer)
                {
                    try
                    {
                        QueryOutput.For(format, writer).Write(reader);
                    }
                    catch (DbException e)
                    {
                        writer.Flush();
                        return Fail(Explain(e.Message));
                    }
                    catch (NotSupportedException e)
                    {
                        return Fail(e.Message);
                    }
                    catch (IOException) when (output is null)
                    {
                        return 0; // stdout closed early (e.g. piped into head): nothing left to say
                    }
                    catch (IOException e)
                    {
                        return Fail($"cannot write --output {output!.FullName}: {e.Message}");
                    }
                }
            }
        }
        return 0;
    }

    /// <summary>The files (globs expanded) and the SQL, which is the last argument.</summary>
    public static (List<string> Files, string Sql) Split(string[] arguments)
    {
        if (arguments.Length == 0) throw new ArgumentException($"give one or more results files, then the SQL, e.g. {Example}");
        string sql = arguments[^1];
        if (arguments.Length == 1 || LooksLikeFile(sql))
        {
            if (LooksLikeFile(sql)) throw new ArgumentException($"no SQL given: put the query after the files, e.g. {Example}");
            throw new ArgumentException($"no results file given: put one or more before the SQL, e.g. {Example}");
        }
        if (string.IsNullOrWhiteSpace(sql)) throw new ArgumentException($"the SQL is empty, e.g. {Example}");
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < arguments.Length - 1; i++)
        {
            string argument = arguments[i];
            if (!FileArguments.IsGlob(argument))
            {
                if (!File.Exists(argument))
                    throw new ArgumentException(argument.Contains(' ', StringComparison.Ordinal)
                        ? $"'{argument}' is not a file: the SQL must be the last argument"
                        : $"{argument} does not exist");
                if (seen.Add(Path.GetFullPath(argument))) files.Add(argument);
                continue;
            }
            List<string> matches = FileArguments.Expand(argument);
            if (matches.Count == 0) throw new ArgumentException($"no file matches '{argument}'");
            foreach (string match in matches)
                if (seen.Add(Path.GetFullPath(match))) files.Add(match);
        }
        return (files, sql);
    }

    /// <summary>A last argument that is an existing file, a glob or a .duckdb name is a forgotten SQL, not a query.</summary>
    private static bool LooksLikeFile(string argument) =>
        argument.EndsWith(".duckdb", StringComparison.OrdinalIgnoreCase)
        || (!argument.Contains(' ', StringComparison.Ordinal) && (File.Exists(argument) || (FileArguments.IsGlob(argument) && FileArguments.Expand(argument).Count > 0)));

    /// <summary>DuckDB's message, with what to do instead when it refused a file operation or a setting.</summary>
    private static string Explain(string error)
    {
        string message = DuckDbSql.FirstLine(error);
        return message.StartsWith("an export takes", StringComparison.Ordinal) ? message + " (--format parquet writes the rows of one SELECT to --output)"
        : message.Contains("disabled by configuration", StringComparison.OrdinalIgnoreCase)
        || message.Contains("disabled through configuration", StringComparison.OrdinalIgnoreCase)
        || message.Contains("configuration has been locked", StringComparison.OrdinalIgnoreCase)
            ? $"query is read-only: SQL cannot attach, read or write files or change settings ({message}); to export, use --format csv|json|parquet --output FILE"
            : message;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"fastload query: {message}");
        return 2;
    }
}
