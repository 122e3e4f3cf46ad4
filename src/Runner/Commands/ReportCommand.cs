using System.Data.Common;
using System.CommandLine;
using DuckDB.NET.Data;
using FastLoad.Engine.Results;
using FastLoad.Runner.Report;

namespace FastLoad.Runner.Commands;

/// <summary><c>fastload report FILE [--html out.html]</c>: the summary of a results file, and an HTML page with charts.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var file = new Argument<string[]>("FILE") { Description = "Results file written by `fastload run --out FILE` (also a killed run's); several files, globs or folders: one run merged from them (the shards of a sharded run).", Arity = ArgumentArity.OneOrMore };
        var html = new Option<FileInfo?>("--html") { Description = "Also write one self-contained HTML page with charts here (no network needed to view it)." };
        var command = new Command("report", """
            Print the summary of a results file: rate, success, errors by class, ack and inclusion latency
            percentiles, blocks, and the same per node when there is more than one. With --html, also write a
            page with charts: rate vs target, latency percentiles over time, inclusion histogram, txs and gas
            per block, errors over time, per-node table; with read traffic (--read-rate), reads and read latency
            (line, cards and charts); for a `fastload probe` file, also offered vs included rate per phase
            (verdicts and the sustainable rate marked) and the per-phase table.
            Several files (or a glob, or a folder of them) are reported as one run: the shards of a `fastload run
            --shard i/N` run, or runs that loaded one target together. Rates are summed per second, latency
            percentiles are taken over the union of every file's txs (never averaged), nodes are merged by URL,
            times count from the earliest start; a table of each file's own figures follows.

            Examples:
              fastload report results/run.duckdb
              fastload report results/run.duckdb --html run.html
              fastload report 'results/shard-*.duckdb' --html merged.html    the shards of one run, merged
            """)
        {
            file, html,
        };
        command.SetAction(parse =>
        {
            FileInfo? output = parse.GetValue(html);
            try
            {
                List<string> inputs = Inputs(parse.GetValue(file) ?? []);
                string name = Describe(inputs);
                using ResultsFiles results = ResultsFile.OpenReadOnly(inputs);
                DuckDBConnection db = results.Connection;
                RunMetrics metrics = RunMetrics.Load(db);
                Console.Write(MetricsText.Format(metrics, name));
                if (inputs.Count > 1)
                {
                    IReadOnlyList<ShardFile> each = ShardFile.LoadEach(inputs);
                    Console.Write(MetricsText.FileTable(each));
                    if (ShardFile.Check(each) is string warning) Console.Error.WriteLine($"fastload report: warning: {warning}");
                }
                RunPhases probe = RunPhases.Load(db);
                if (probe.Steps.Count > 0 && probe.Steps[0].Kind != Engine.Probe.ProbeKind.Phase) // a run's --phase rows are not a probe
                {
                    Console.WriteLine($"  probe        {probe.Steps.Count} phases");
                    Console.Write(ProbeTable.Format(probe.Steps));
                    Console.WriteLine(probe.SustainableRate is double rate ? "  " + ProbeTable.Answer(rate) : "  no sustainable rate found");
                }
                if (output is not null)
                {
                    string page = Html(db, metrics, probe, name);
                    if (output.Directory is { Exists: false } dir) throw new ArgumentException($"--html {output.FullName}: folder {dir.FullName} does not exist");
                    File.WriteAllText(output.FullName, page);
                    Console.WriteLine($"  html         {output.FullName}");
                }
                return 0;
            }
            catch (Exception e) when (e is InvalidDataException or DbException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"fastload report: {OneLine(e.Message)}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>The HTML page of the results open on <paramref name="db"/> (also served by <c>fastload serve</c> as a run's report).</summary>
    internal static string Html(DuckDBConnection db, RunMetrics metrics, RunPhases probe, string sourceName)
    {
        RunSeries series = RunSeries.Load(db);
        return HtmlReport.Render(metrics, series, RunTelemetry.Load(db, series.Seconds), sourceName, probe.Steps.Count > 0 && probe.Steps[0].Kind != Engine.Probe.ProbeKind.Phase ? probe : null);
    }

    /// <summary>The files the arguments name (files, globs, folders), each once, in order.</summary>
    internal static List<string> Inputs(IReadOnlyList<string> arguments)
    {
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string argument in arguments)
            foreach (string path in Query.FileArguments.ResultsFiles(argument))
                if (seen.Add(Path.GetFullPath(path))) files.Add(path);
        return files;
    }

    /// <summary>The file's name, or "3 files: a.duckdb, b.duckdb, c.duckdb".</summary>
    internal static string Describe(IReadOnlyList<string> files) =>
        files.Count == 1 ? Path.GetFileName(files[0]) : $"{files.Count} files: {string.Join(", ", files.Select(Path.GetFileName))}";

    internal static string OneLine(string message)
    {
        int newline = message.IndexOf('\n', StringComparison.Ordinal);
        return (newline < 0 ? message : message[..newline]).TrimEnd();
    }
}
