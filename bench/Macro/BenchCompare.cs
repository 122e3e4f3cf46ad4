using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FastLoad.Benchmarks.Macro;

/// <summary>
/// <c>bench compare BASE HEAD [--max-slowdown 25] [--alloc-baseline bench/baseline/alloc.json]</c>: compares two
/// BenchmarkDotNet result folders (their <c>*-report-full.json</c>), benchmark by benchmark: median time and bytes per
/// operation. FAIL when HEAD allocates more than BASE (or than the committed allocation baseline) or is slower than
/// BASE by more than the threshold. Prints a Markdown table (and appends it to <c>$GITHUB_STEP_SUMMARY</c> when set,
/// which is how the bench workflow posts it on the pull request); exit 1 on any FAIL.
/// </summary>
public static class BenchCompare
{
    public sealed record Result(string Name, double MedianNs, double BytesPerOp);

    public static int Run(string[] args)
    {
        var positional = new List<string>();
        double maxSlowdown = 25;
        string? allocBaseline = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--max-slowdown" && i + 1 < args.Length && double.TryParse(args[i + 1].TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out double pct) && pct > 0) { maxSlowdown = pct; i++; }
            else if (args[i] == "--alloc-baseline" && i + 1 < args.Length) allocBaseline = args[++i];
            else if (!args[i].StartsWith('-')) positional.Add(args[i]);
            else
            {
                Console.Error.WriteLine($"bench compare: unknown argument '{args[i]}' (usage: bench compare BASE_DIR HEAD_DIR [--max-slowdown 25] [--alloc-baseline FILE])");
                return 2;
            }
        }
        if (positional.Count != 2)
        {
            Console.Error.WriteLine("bench compare: give two BenchmarkDotNet results folders, BASE and HEAD (each holding *-report-full.json)");
            return 2;
        }
        Dictionary<string, Result> baseline, head;
        try
        {
            baseline = Read(positional[0]);
            head = Read(positional[1]);
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"bench compare: {e.Message}");
            return 2;
        }
        Dictionary<string, double>? allocs = allocBaseline is null ? null
            : JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(allocBaseline));
        (string table, int failures) = Compare(baseline, head, maxSlowdown, allocs);
        Console.WriteLine(table);
        if (Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY") is { Length: > 0 } summary) File.AppendAllText(summary, table + "\n");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Every benchmark of every <c>*-report-full.json</c> in <paramref name="folder"/>, by its full name with parameters.</summary>
    public static Dictionary<string, Result> Read(string folder)
    {
        if (!Directory.Exists(folder)) throw new IOException($"{folder} does not exist");
        string[] files = Directory.GetFiles(folder, "*-report-full.json", SearchOption.AllDirectories);
        if (files.Length == 0) throw new InvalidDataException($"{folder} holds no *-report-full.json (run the benchmarks with --exporters json)");
        var results = new Dictionary<string, Result>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (JsonElement b in doc.RootElement.GetProperty("Benchmarks").EnumerateArray())
            {
                string name = $"{b.GetProperty("Type").GetString()}.{b.GetProperty("Method").GetString()}";
                if (b.GetProperty("Parameters").GetString() is { Length: > 0 } parameters) name += $" [{parameters.Replace("&", ", ", StringComparison.Ordinal)}]";
                if (!b.TryGetProperty("Statistics", out JsonElement stats) || stats.ValueKind != JsonValueKind.Object) continue; // failed benchmark
                double bytes = b.TryGetProperty("Memory", out JsonElement memory) && memory.ValueKind == JsonValueKind.Object
                    ? memory.GetProperty("BytesAllocatedPerOperation").GetDouble() : double.NaN;
                results[name] = new Result(name, stats.GetProperty("Median").GetDouble(), bytes); // the median: one slow iteration on a shared runner moves the mean
            }
        }
        return results;
    }

    /// <summary>The Markdown comparison and how many rows FAIL.</summary>
    public static (string Table, int Failures) Compare(IReadOnlyDictionary<string, Result> baseline, IReadOnlyDictionary<string, Result> head, double maxSlowdownPercent, IReadOnlyDictionary<string, double>? allocBaseline = null)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| benchmark | base | head | head/base | base B/op | head B/op | verdict |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
        int failures = 0;
        foreach (string name in head.Keys.Order(StringComparer.Ordinal))
        {
            Result h = head[name];
            var reasons = new List<string>();
            string baseTime = "-", ratio = "-", baseBytes = "-";
            if (baseline.TryGetValue(name, out Result? b))
            {
                double r = h.MedianNs / b.MedianNs;
                baseTime = Time(b.MedianNs);
                ratio = r.ToString("0.00", CultureInfo.InvariantCulture);
                baseBytes = Bytes(b.BytesPerOp);
                if (r > 1 + maxSlowdownPercent / 100) reasons.Add($"slower by {(r - 1) * 100:0} % (limit {maxSlowdownPercent:0} %)");
                if (AllocCheck.AllocatesMore(h.BytesPerOp, b.BytesPerOp)) reasons.Add("allocates more than base");
            }
            if (allocBaseline is not null && allocBaseline.TryGetValue(name, out double committed) && AllocCheck.AllocatesMore(h.BytesPerOp, committed))
                reasons.Add($"allocates more than bench/baseline ({committed:0} B)");
            string verdict = reasons.Count == 0 ? (b is null ? "new" : "ok") : "**FAIL**: " + string.Join("; ", reasons);
            if (reasons.Count > 0) failures++;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {baseTime} | {Time(h.MedianNs)} | {ratio} | {baseBytes} | {Bytes(h.BytesPerOp)} | {verdict} |");
        }
        foreach (string name in baseline.Keys.Where(n => !head.ContainsKey(n)).Order(StringComparer.Ordinal))
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Time(baseline[name].MedianNs)} | - | - | {Bytes(baseline[name].BytesPerOp)} | - | gone |");
        text.AppendLine();
        text.AppendLine(failures == 0 ? $"{head.Count} benchmarks: none slower than {maxSlowdownPercent:0} % or allocating more."
                                      : $"{failures} of {head.Count} benchmarks FAIL (slower than {maxSlowdownPercent:0} %, or allocating more).");
        return (text.ToString(), failures);
    }

    private static string Time(double ns) => ns switch
    {
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e6:0.00} ms"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e3:0.00} µs"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ns:0.00} ns"),
    };

    private static string Bytes(double b) => double.IsNaN(b) ? "?" : string.Create(CultureInfo.InvariantCulture, $"{Math.Round(b):0}");
}
