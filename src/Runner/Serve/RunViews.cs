using FastLoad.Engine.Results;
using FastLoad.Runner.Report;

namespace FastLoad.Runner.Serve;

/// <summary>A run in GET /api/runs: one of this service's (live or ended) or a results file found in the folder.</summary>
/// <param name="Status">running while it lives; then the results file's status: complete, interrupted or failed; unreadable for a file that cannot be read (<paramref name="Error"/> says why).</param>
/// <param name="Stage">While running: setup, sending, draining or finished.</param>
/// <param name="Served">Started by this service (false: a file found in the folder).</param>
public sealed record RunListItem(
    string Id,
    string Status,
    string? Stage,
    bool Served,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    double? DurationSeconds,
    double? TargetRate,
    string? Shape,
    long? Sent,
    long? Accepted,
    long? Errors,
    long? Included,
    double? AchievedRate,
    double? AckP99Ms,
    int? ExitCode,
    string? Error,
    string ResultsFile);

/// <summary>GET /api/runs/{id}: the list entry, the arguments, the latest figures and, once ended, the summary.</summary>
public sealed record RunView(
    RunListItem Run,
    string[]? Args,
    bool StopRequested,
    LiveFigures? Latest,
    RunSummaryView? Summary,
    string[]? Output);

/// <summary>A results file's figures (the numbers <c>fastload report</c> prints), with that text too.</summary>
public sealed record RunSummaryView(
    string Id,
    string RunId,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    double DurationSeconds,
    double? TargetRate,
    string? Shape,
    TxSummary Total,
    IReadOnlyList<TxSummary> Nodes,
    string Text);

/// <summary>The txs of a run (node null) or of one node.</summary>
public sealed record TxSummary(
    int? Node,
    string? Url,
    long Sent,
    long Answered,
    long Accepted,
    long Errors,
    IReadOnlyDictionary<string, long> ErrorsByClass,
    double AchievedRate,
    double? SuccessPercent,
    double? AckP50Ms,
    double? AckP90Ms,
    double? AckP99Ms,
    double? AckMaxMs,
    long Included,
    long NotIncluded,
    double? InclusionP50Ms,
    double? InclusionP99Ms,
    long Blocks);

internal static class RunViews
{
    public static RunListItem ListItem(ServedRun run)
    {
        RunMetrics? m = run.Summary;
        LiveFigures? latest = run.Latest;
        if (!run.Finished)
        {
            return new RunListItem(run.Id, "running", latest?.Stage ?? "setup", true, run.StartedAt, null, (DateTimeOffset.UtcNow - run.StartedAt).TotalSeconds,
                latest?.TargetRate, null, latest?.Sent, latest?.Accepted, latest?.Errors, latest?.Included, latest?.AchievedRate, null, null, null, run.ResultsPath);
        }
        string? error = run.ExitCode is 0 or 1 or 130 ? null : run.Errors.FirstLine;
        return m is null
            ? new RunListItem(run.Id, run.Status ?? "failed", null, true, run.StartedAt, run.EndedAt, null, null, null, latest?.Sent, latest?.Accepted, latest?.Errors, latest?.Included, null, null, run.ExitCode, error, run.ResultsPath)
            : ListItem(run.Id, run.ResultsPath, m, null) with { Served = true, ExitCode = run.ExitCode, Error = error };
    }

    public static RunListItem ListItem(string id, string file, RunMetrics? m, string? error) =>
        m is null
            ? new RunListItem(id, "unreadable", null, false, null, null, null, null, null, null, null, null, null, null, null, null, error, file)
            : new RunListItem(id, m.Status, null, false, m.StartedAt, m.EndedAt, m.DurationSeconds, m.TargetRate, m.Shape,
                m.Total.Sent, m.Total.Accepted, m.Total.Errors, m.Total.Included, m.Total.AchievedRate, m.Total.AckP99Ms, null, null, file);

    /// <summary>A run of this service, with the last 200 lines it printed.</summary>
    public static RunView View(ServedRun run)
    {
        string[] lines = run.Output.Lines();
        return new(ListItem(run), run.ShownArgs, run.StopRequested, run.Latest, run.Summary is { } m ? Summary(run.Id, m) : null, lines[Math.Max(0, lines.Length - 200)..]);
    }

    public static RunView View(string id, string file, RunMetrics? m, string? error) =>
        new(ListItem(id, file, m, error), null, false, null, m is null ? null : Summary(id, m), null);

    public static RunSummaryView Summary(string id, RunMetrics m) =>
        new(id, m.RunId, m.Status, m.StartedAt, m.EndedAt, m.DurationSeconds, m.TargetRate, m.Shape, Tx(m.Total), m.Nodes.Select(Tx).ToArray(), MetricsText.Format(m, id + ".duckdb"));

    private static TxSummary Tx(TxMetrics t) =>
        new(t.Node, t.Url, t.Sent, t.Answered, t.Accepted, t.Errors, t.ErrorsByClass.ToDictionary(e => e.Key, e => e.Value), t.AchievedRate, t.SuccessPercent,
            t.AckP50Ms, t.AckP90Ms, t.AckP99Ms, t.AckMaxMs, t.Included, t.NotIncluded, t.InclusionP50Ms, t.InclusionP99Ms, t.Blocks);
}
