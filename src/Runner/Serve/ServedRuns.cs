using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using FastLoad.Engine.Results;
using FastLoad.Runner.Commands;
using FastLoad.Runner.Scenarios;

namespace FastLoad.Runner.Serve;

/// <summary>The runs of one <c>fastload serve</c>: at most one live at a time; every run's results file in one folder, which is also where past runs are listed from.</summary>
internal sealed partial class ServedRuns(string resultsFolder)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ServedRun> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTime Written, long Length, RunMetrics? Metrics, string? Error)> _files = new(StringComparer.Ordinal);
    private ServedRun? _live;

    public string ResultsFolder { get; } = Path.GetFullPath(resultsFolder);

    public ServedRun? Live
    {
        get { lock (_gate) return _live is { Finished: false } ? _live : null; }
    }

    public ServedRun? Find(string id)
    {
        lock (_gate) return _runs.GetValueOrDefault(id);
    }

    /// <summary>A run id names a results file in the folder: letters, digits, '.', '_' and '-' only (no way out of the folder).</summary>
    public static bool IsId(string id) => IdPattern().IsMatch(id);

    public string PathOf(string id) => Path.Combine(ResultsFolder, id + ".duckdb");

    /// <summary>Starts a run; <see cref="StartOutcome.Error"/> says why not (bad input: 400, another run live: 409).</summary>
    public async Task<StartOutcome> StartAsync(string[] flags, ScenarioFile? scenario)
    {
        ServedRun run;
        Task<bool> begun;
        lock (_gate)
        {
            if (_live is { Finished: false } live)
                return new StartOutcome(null, 409, $"run {live.Id} is live: stop it first (POST /api/runs/{live.Id}/stop); one run at a time, it takes every core");
            Directory.CreateDirectory(ResultsFolder);
            string id = NewId(DateTime.UtcNow);
            string[] commandLine = [.. flags, "--out", PathOf(id), "--no-live"];
            string[] args = scenario is null ? commandLine : scenario.ToRunArgs(commandLine);
            (run, begun) = ServedRun.Start(id, PathOf(id), args);
            _runs[id] = run;
            _live = run;
        }
        if (await begun.ConfigureAwait(false)) return new StartOutcome(run, 201, null);
        lock (_gate) _runs.Remove(run.Id); // never began: bad input, nothing to list
        string error = run.Errors.FirstLine ?? $"fastload run ended at once (exit {run.ExitCode})";
        return new StartOutcome(null, run.ExitCode == 2 ? 400 : 500, error);
    }

    /// <summary>This service's runs and the results files in the folder, newest first.</summary>
    public IReadOnlyList<RunListItem> List()
    {
        var items = new Dictionary<string, RunListItem>(StringComparer.Ordinal);
        ServedRun[] served;
        lock (_gate) served = [.. _runs.Values];
        foreach (ServedRun run in served) items[run.Id] = RunViews.ListItem(run);
        if (Directory.Exists(ResultsFolder))
        {
            foreach (string file in Directory.EnumerateFiles(ResultsFolder, "*.duckdb"))
            {
                string id = Path.GetFileNameWithoutExtension(file);
                if (items.ContainsKey(id) || !IsId(id)) continue;
                (RunMetrics? metrics, string? error) = Read(file);
                items[id] = RunViews.ListItem(id, file, metrics, error);
            }
        }
        var list = new List<RunListItem>(items.Values);
        list.Sort((a, b) => Nullable.Compare(b.StartedAt, a.StartedAt) is int c && c != 0 ? c : string.CompareOrdinal(b.Id, a.Id));
        return list;
    }

    /// <summary>A finished run's figures from its results file (cached while the file is unchanged); an error line when it cannot be read.</summary>
    public (RunMetrics? Metrics, string? Error) Read(string file)
    {
        var info = new FileInfo(file);
        if (!info.Exists) return (null, "no results file");
        lock (_gate)
            if (_files.TryGetValue(file, out var cached) && cached.Written == info.LastWriteTimeUtc && cached.Length == info.Length)
                return (cached.Metrics, cached.Error);
        (RunMetrics? metrics, string? error) = (null, null);
        try
        {
            metrics = RunMetrics.Load(file);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or DbException)
        {
            error = ReportCommand.OneLine(e.Message);
        }
        lock (_gate) _files[file] = (info.LastWriteTimeUtc, info.Length, metrics, error);
        return (metrics, error);
    }

    /// <summary>The HTML report of a results file (the page <c>fastload report --html</c> writes).</summary>
    public static string Report(string file, string id)
    {
        using ResultsFiles results = ResultsFile.OpenReadOnly(file);
        DuckDBConnection db = results.Connection;
        return ReportCommand.Html(db, RunMetrics.Load(db), RunPhases.Load(db), id + ".duckdb");
    }

    /// <summary>Stops the live run, if any, and waits for it to end (its results closed as 'interrupted').</summary>
    public async Task StopAllAsync()
    {
        ServedRun? live = Live;
        if (live is null) return;
        live.Stop();
        await live.Completion.ConfigureAwait(false);
    }

    private string NewId(DateTime utc)
    {
        string stem = utc.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string id = stem;
        for (int i = 2; _runs.ContainsKey(id) || File.Exists(PathOf(id)); i++) id = $"{stem}-{i}";
        return id;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex IdPattern();
}

internal sealed record StartOutcome(ServedRun? Run, int StatusCode, string? Error);
