using System.Data.Common;
using System.CommandLine;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using FastLoad.Engine.Results;
using FastLoad.Runner.Report;

namespace FastLoad.Runner.Commands;

/// <summary><c>fastload compare BASE NEW</c>: two results files side by side; exit 1 when NEW regressed past the thresholds.</summary>
public static class CompareCommand
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private const string Marker = "<< REGRESSED";

    public static Command Create()
    {
        var defaults = new CompareThresholds();
        var baseFile = new Argument<string>("BASE") { Description = "Results file of the reference run; a glob or folder of files: one run merged from them (a sharded run's shards)." };
        var newFile = new Argument<string>("NEW") { Description = "Results file of the run to judge; a glob or folder: merged, as BASE." };
        var rateDrop = new Option<double>("--max-tps-drop") { Description = "Regression when achieved tx/s drops by more than this many percent.", DefaultValueFactory = _ => defaults.MaxRateDropPercent };
        var ackRise = new Option<double>("--max-ack-p99-rise") { Description = "Regression when ack latency p99 rises by more than this many percent.", DefaultValueFactory = _ => defaults.MaxAckP99RisePercent };
        var successDrop = new Option<double>("--max-success-drop") { Description = "Regression when success % drops by more than this many percentage points.", DefaultValueFactory = _ => defaults.MaxSuccessDropPoints };
        var inclusionRise = new Option<double>("--max-inclusion-p99-rise") { Description = "Regression when inclusion latency p99 rises by more than this many percent.", DefaultValueFactory = _ => defaults.MaxInclusionP99RisePercent };
        var readRise = new Option<double>("--max-read-p99-rise") { Description = "Regression when read latency p99 (--read-rate) rises by more than this many percent.", DefaultValueFactory = _ => defaults.MaxReadP99RisePercent };
        var readErrorRise = new Option<double>("--max-read-error-rise") { Description = "Regression when the share of failed reads rises by more than this many percentage points.", DefaultValueFactory = _ => defaults.MaxReadErrorRisePoints };
        var command = new Command("compare", """
            Compare two results files: every headline metric of BASE and NEW side by side with absolute and %
            deltas, "<< REGRESSED" on each line past its threshold, and the same per node for nodes both runs used.
            Exit codes: 0 no regression, 1 NEW regressed, 2 bad input.

            Regression thresholds (defaults): achieved tx/s drops > 5 %, ack p99 rises > 10 %,
            success % drops > 0.5 points, inclusion p99 rises > 20 %; with read traffic (--read-rate) in either
            run, also read p99 rises > 20 % and read error % rises > 0.5 points. A metric NEW lacks (nothing
            answered, nothing included, no reads) while BASE had it counts as regressed.
            BASE or NEW may be a glob (quoted) or a folder: its files are one run merged (see `fastload report`:
            rates summed per second, percentiles over the union of the txs), e.g. a sharded run's shard files.

            Examples:
              fastload compare results/main.duckdb results/branch.duckdb
              fastload compare base.duckdb new.duckdb --max-ack-p99-rise 25 --max-tps-drop 2
              fastload compare 'base/shard-*.duckdb' new/       two sharded runs, each merged from its shard files
            """)
        {
            baseFile, newFile, rateDrop, ackRise, successDrop, inclusionRise, readRise, readErrorRise,
        };
        command.SetAction(parse =>
        {
            try
            {
                var limits = new CompareThresholds
                {
                    MaxRateDropPercent = NonNegative("--max-tps-drop", parse.GetValue(rateDrop)),
                    MaxAckP99RisePercent = NonNegative("--max-ack-p99-rise", parse.GetValue(ackRise)),
                    MaxSuccessDropPoints = NonNegative("--max-success-drop", parse.GetValue(successDrop)),
                    MaxInclusionP99RisePercent = NonNegative("--max-inclusion-p99-rise", parse.GetValue(inclusionRise)),
                    MaxReadP99RisePercent = NonNegative("--max-read-p99-rise", parse.GetValue(readRise)),
                    MaxReadErrorRisePoints = NonNegative("--max-read-error-rise", parse.GetValue(readErrorRise)),
                };
                string b = parse.GetValue(baseFile)!, n = parse.GetValue(newFile)!;
                (RunMetrics baseRun, string baseName) = Load("BASE", b);
                (RunMetrics newRun, string newName) = Load("NEW", n);
                (string text, int regressions) = Format(baseRun, newRun, baseName, newName, limits);
                Console.Write(text);
                return regressions > 0 ? 1 : 0;
            }
            catch (Exception e) when (e is InvalidDataException or DbException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"fastload compare: {ReportCommand.OneLine(e.Message)}");
                return 2;
            }
        });
        return command;
    }

    private static double NonNegative(string name, double value) =>
        value >= 0 && double.IsFinite(value) ? value : throw new ArgumentException($"{name} must be a number >= 0 (got {value.ToString(C)})");

    private static (RunMetrics Metrics, string Name) Load(string which, string argument)
    {
        try
        {
            List<string> files = ReportCommand.Inputs([argument]);
            using ResultsFiles results = ResultsFile.OpenReadOnly(files);
            return (RunMetrics.Load(results.Connection), files.Count == 1 ? Path.GetFileName(files[0]) : $"{files.Count} files ({Path.GetFileName(files[0])} ...)");
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{which}: {e.Message}");
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DbException)
        {
            throw new InvalidDataException($"{which}: {ReportCommand.OneLine(e.Message)}");
        }
    }

    internal static (string Text, int Regressions) Format(RunMetrics b, RunMetrics n, string baseName, string newName, CompareThresholds limits)
    {
        var s = new StringBuilder();
        s.AppendLine(string.Create(C, $"  {"",-16} {"BASE",-34} NEW"));
        s.AppendLine(string.Create(C, $"  {"file",-16} {baseName,-34} {newName}"));
        s.AppendLine(string.Create(C, $"  {"run",-16} {b.RunId + "  " + b.Status,-34} {n.RunId}  {n.Status}"));
        s.AppendLine(string.Create(C, $"  {"started",-16} {MetricsText.When(b.StartedAt),-34} {MetricsText.When(n.StartedAt)}"));
        s.AppendLine(string.Create(C, $"  {"duration",-16} {MetricsText.Duration(b),-34} {MetricsText.Duration(n)}"));
        s.AppendLine();
        s.AppendLine(string.Create(C, $"  {"metric",-16} {"base",14} {"new",14} {"delta",14} {"delta %",9}"));
        IReadOnlyList<MetricDelta> lines = RunComparison.Compare(b, n, limits);
        var regressed = new List<string>();
        foreach (MetricDelta d in lines)
        {
            AppendLine(s, d, "  ");
            if (d.Regressed) regressed.Add(d.Name);
        }

        // Per node, for the nodes (by URL) both runs used; informational, the thresholds apply to the totals.
        if (b.Nodes.Count > 1 || n.Nodes.Count > 1)
        {
            foreach (TxMetrics bn in b.Nodes)
            {
                TxMetrics? nn = null;
                foreach (TxMetrics candidate in n.Nodes) if (candidate.Url == bn.Url) nn = candidate;
                if (nn is null) continue;
                s.AppendLine();
                s.AppendLine($"  node {bn.Url}");
                foreach (MetricDelta d in RunComparison.Compare(bn, nn, null, null, limits))
                    if (d.Name is "achieved" or "success" or "errors" or "ack p50" or "ack p99" or "inclusion p99" or "not included")
                        AppendLine(s, d, "    ");
            }
        }

        s.AppendLine();
        string reads = b.Reads is null && n.Reads is null ? ""
            : string.Create(C, $", read p99 rise <= {limits.MaxReadP99RisePercent:0.###} %, read error rise <= {limits.MaxReadErrorRisePoints:0.###} points");
        s.AppendLine(regressed.Count == 0
            ? string.Create(C, $"PASS: no regression past the thresholds (tx/s drop <= {limits.MaxRateDropPercent:0.###} %, ack p99 rise <= {limits.MaxAckP99RisePercent:0.###} %, success drop <= {limits.MaxSuccessDropPoints:0.###} points, inclusion p99 rise <= {limits.MaxInclusionP99RisePercent:0.###} %{reads})")
            : $"FAIL: {regressed.Count} regression{(regressed.Count == 1 ? "" : "s")} past the thresholds ({string.Join(", ", regressed)})");
        return (s.ToString(), regressed.Count);
    }

    private static void AppendLine(StringBuilder s, MetricDelta d, string indent)
    {
        string name = d.Unit.Length == 0 ? d.Name : $"{d.Name} {d.Unit}";
        bool points = d.Unit == "%";
        string delta = d.Delta is double v ? (v >= 0 ? "+" : "") + Value(v, d.Unit) + (points ? " pt" : "") : "-";
        string percent = d.DeltaPercent is double p ? (p >= 0 ? "+" : "") + p.ToString("F1", C) + " %" : "-";
        string line = string.Create(C, $"{indent}{name,-16} {Value(d.Base, d.Unit),14} {Value(d.New, d.Unit),14} {delta,14} {percent,9}");
        s.AppendLine(d.Regressed ? $"{line}   {Marker} ({d.Limit})" : line.TrimEnd());
    }

    private static string Value(double? v, string unit) => v switch
    {
        null => "-",
        double x when unit is "ms" or "tx/s" => x.ToString("N1", C),
        double x when unit == "%" => x.ToString("F2", C),
        double x => x.ToString("N0", C),
    };
}
