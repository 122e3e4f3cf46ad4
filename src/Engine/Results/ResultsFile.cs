namespace FastLoad.Engine.Results;

/// <summary>Opens one results file for report and compare.</summary>
public static class ResultsFile
{
    private static readonly string[] Required = ["runs", "nodes", "outcomes", "tx_log", "tx_inclusions", "blocks", "samples"];

    /// <summary>
    /// Opens <paramref name="path"/> read-only through <see cref="ResultsFiles"/> (attached to an in-memory database, so
    /// the file is never changed or created) and checks it has every table report/compare read, in a schema this
    /// version reads.
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not DuckDB, not a results file, open for writing by a run, or a newer schema; the message says which.</exception>
    public static ResultsFiles OpenReadOnly(string path) => OpenReadOnly([path]);

    /// <summary>
    /// As <see cref="OpenReadOnly(string)"/> for one file; several files are opened as one run merged from them
    /// (<see cref="MergedResults"/>: the shards of a sharded run), each checked the same way.
    /// </summary>
    public static ResultsFiles OpenReadOnly(IReadOnlyList<string> paths)
    {
        ResultsFiles files = ResultsFiles.Open(paths, merge: true);
        try
        {
            foreach (AttachedFile file in files.Attached)
            {
                var have = new HashSet<string>(StringComparer.Ordinal);
                foreach ((string name, _) in file.Relations) have.Add(name);
                foreach (string table in Required)
                    if (!have.Contains(table)) throw new InvalidDataException($"{file.Path} is not a FastLoad results file (made by `fastload run --out FILE`): it has no {table} table");
                object? version = DuckDb.DuckDbSql.Scalar(files.Connection, $"SELECT max(schema_version) FROM {DuckDb.DuckDbSql.Identifier(file.Alias)}.main.runs");
                if (version is int v && v > ResultsSchema.Version)
                    throw new InvalidDataException($"{file.Path} has results schema {v}, newer than this fastload reads ({ResultsSchema.Version}); update fastload");
            }
            return files;
        }
        catch
        {
            files.Dispose();
            throw;
        }
    }
}
