using DuckDB.NET.Data;

namespace FastLoad.Engine.Results;

/// <summary>One file of a merged view (<see cref="MergedResults"/>): its shard, when it has one, and its own metrics.</summary>
public sealed record ShardFile(string Path, int? Shard, int? ShardCount, RunMetrics Metrics)
{
    /// <summary>"1/3", or "-" for a file without a shard (before schema 9).</summary>
    public string ShardText => Shard is int i && ShardCount is int n ? $"{i}/{n}" : "-";

    /// <summary>Each file's own metrics and shard, in the order given.</summary>
    public static IReadOnlyList<ShardFile> LoadEach(IReadOnlyList<string> paths)
    {
        var list = new List<ShardFile>(paths.Count);
        foreach (string path in paths)
        {
            using ResultsFiles file = ResultsFile.OpenReadOnly(path);
            DuckDBConnection db = file.Connection;
            int? shard = null, count = null;
            if (Rows.Of(db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'runs' AND column_name = 'shard_count'").GetInt64(0, 0) > 0)
            {
                Rows r = Rows.Of(db, "SELECT shard, shard_count FROM runs LIMIT 1");
                if (r.RowCount > 0 && !r.IsNull(0, 0) && !r.IsNull(0, 1)) (shard, count) = ((int)r.GetInt64(0, 0), (int)r.GetInt64(0, 1));
            }
            list.Add(new ShardFile(path, shard, count, RunMetrics.Load(db)));
        }
        return list;
    }

    /// <summary>
    /// What is odd about the set, as a warning line, or null: files of a run sharded N ways that are not its shards 0 to
    /// N-1 once each (a shard missing or given twice), or files of runs sharded differently.
    /// </summary>
    public static string? Check(IReadOnlyList<ShardFile> files)
    {
        var counts = files.Where(f => f.ShardCount is > 1).Select(f => f.ShardCount!.Value).Distinct().ToList();
        if (counts.Count == 0) return null;
        if (counts.Count > 1 || files.Any(f => f.ShardCount is null or 1))
            return $"the files are not the shards of one run (shard counts {string.Join(", ", files.Select(f => f.ShardText))}): merged anyway";
        int n = counts[0];
        var twice = files.GroupBy(f => f.Shard).Where(g => g.Count() > 1).Select(g => $"{g.Key}/{n}").ToList();
        var missing = Enumerable.Range(0, n).Where(i => files.All(f => f.Shard != i)).Select(i => $"{i}/{n}").ToList();
        if (twice.Count == 0 && missing.Count == 0) return null;
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add($"shard{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing)} missing");
        if (twice.Count > 0) parts.Add($"shard{(twice.Count == 1 ? "" : "s")} {string.Join(", ", twice)} given more than once");
        return $"{string.Join("; ", parts)}: the merged figures are not the whole run's";
    }
}
